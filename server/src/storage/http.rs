//! The transfer node over HTTP: [`HttpNode`] speaks the node API of a separate `ferry node`
//! process ([`wire`]) and is a [`TransferNode`] like the local one, so the gateway
//! cannot tell them apart.
//!
//! Bytes stream both ways through one pooled keep-alive client (HTTP/1.1, chunked request bodies,
//! no copies of our own). An append keeps the trait's promise across the extra hop: when the
//! *client's* body breaks (or runs past `max`), the stream toward the node ends cleanly instead, so
//! the node makes what arrived durable and answers with its count, reported here with
//! `body_complete == false`. When the *node* cannot be reached or dies mid-append, the append fails:
//! the caller then stores no new offset, and the next append at the old one discards whatever the
//! node wrote beyond it.

pub mod wire;

use std::{
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, ready},
    time::Duration,
};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use reqwest::{
    RequestBuilder, Response, StatusCode,
    header::{AUTHORIZATION, HeaderMap, HeaderValue},
};
use serde::de::DeserializeOwned;

use self::wire::NodeErrorCode;
use super::{
    Appended, ByteStream, DigestKind, NETWORK_PIECE, Published, StorageError, TransferNode,
    check_name,
};
use crate::config::RemoteNode;

/// How long connecting to the node may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// TCP keep-alive probes, so a node that vanished without closing is noticed on long requests.
const TCP_KEEPALIVE: Duration = Duration::from_secs(30);
/// Idle pooled connections are closed after this long.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A transfer node reached over HTTP.
#[derive(Debug, Clone)]
pub struct HttpNode {
    client: reqwest::Client,
    /// The node's base URL, without a trailing slash.
    base: String,
}

impl HttpNode {
    /// A client for `remote`, sending its token with every request.
    pub fn new(remote: &RemoteNode) -> Result<Self, StorageError> {
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", remote.token.expose()))
            .map_err(|_| invalid("the node token is not a valid header value"))?;
        authorization.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, authorization);
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_keepalive(TCP_KEEPALIVE)
            .tcp_nodelay(true)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .http1_only()
            .no_proxy()
            .build()
            .map_err(|e| StorageError::Io(io::Error::other(e)))?;
        Ok(Self {
            client,
            base: remote.url.as_str().trim_end_matches('/').to_owned(),
        })
    }

    /// Asks the node whether it answers and accepts the token.
    pub async fn check(&self) -> Result<wire::Health, StorageError> {
        let response = self.send(self.client.get(self.url(wire::HEALTH))).await?;
        json(response).await
    }

    /// The node's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The URL of `path` for the upload or object `name`, checked before it reaches the URL.
    fn named(&self, path: &str, name: &str) -> Result<String, StorageError> {
        check_name(name)?;
        Ok(self.url(&wire::with_name(path, name)))
    }

    /// Sends `request`; any answer but a 2xx becomes the [`StorageError`] the node meant.
    async fn send(&self, request: RequestBuilder) -> Result<Response, StorageError> {
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(refusal(response).await)
        }
    }

    fn unreachable(&self, error: &reqwest::Error) -> StorageError {
        let mut message = format!("the transfer node at {} failed: {error}", self.base);
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        StorageError::Io(io::Error::other(message))
    }
}

#[async_trait]
impl TransferNode for HttpNode {
    async fn create_upload(&self, upload: &str) -> Result<(), StorageError> {
        let url = self.named(wire::UPLOAD, upload)?;
        self.send(self.client.put(url)).await?;
        Ok(())
    }

    async fn append(
        &self,
        upload: &str,
        offset: u64,
        max: u64,
        body: ByteStream,
        digest: Option<DigestKind>,
    ) -> Result<Appended, StorageError> {
        let url = self.named(wire::UPLOAD, upload)?;
        let (body, cut) = CleanEnd::wrap(body, max);
        let query = wire::AppendQuery {
            offset,
            max,
            digest: digest.map(Into::into),
        };
        let request = self
            .client
            .patch(url)
            .query(&query)
            .body(reqwest::Body::wrap_stream(body));
        let answer: wire::AppendAnswer = json(self.send(request).await?).await?;
        let digest = answer
            .digest
            .map(|hex_digest| hex::decode(hex_digest).map_err(|e| bad_answer(&e)))
            .transpose()?;
        Ok(Appended {
            written: answer.written,
            digest,
            body_complete: answer.body_complete && !cut.load(Ordering::SeqCst),
        })
    }

    async fn truncate_upload(&self, upload: &str, len: u64) -> Result<(), StorageError> {
        let url = self.named(wire::UPLOAD_TRUNCATE, upload)?;
        let query = wire::TruncateQuery { len };
        self.send(self.client.post(url).query(&query)).await?;
        Ok(())
    }

    async fn publish(&self, parts: &[String], key: &str) -> Result<Published, StorageError> {
        let url = self.named(wire::OBJECT, key)?;
        for part in parts {
            check_name(part)?;
        }
        let request = wire::PublishRequest {
            parts: parts.to_vec(),
        };
        let body = serde_json::to_vec(&request).map_err(|e| bad_answer(&e))?;
        let response = self
            .send(
                self.client
                    .post(url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body),
            )
            .await?;
        let answer: wire::PublishAnswer = json(response).await?;
        Ok(Published {
            size: answer.size,
            sha256: answer.sha256,
            crc32: answer.crc32,
        })
    }

    async fn discard_upload(&self, upload: &str) -> Result<(), StorageError> {
        let url = self.named(wire::UPLOAD, upload)?;
        self.send(self.client.delete(url)).await?;
        Ok(())
    }

    async fn idle_uploads(&self, idle: Duration) -> Result<Vec<String>, StorageError> {
        let query = wire::IdleQuery {
            idle_secs: idle.as_secs(),
        };
        let response = self
            .send(self.client.get(self.url(wire::UPLOADS)).query(&query))
            .await?;
        let answer: wire::IdleUploads = json(response).await?;
        Ok(answer.uploads)
    }

    async fn delete_object(&self, key: &str) -> Result<(), StorageError> {
        let url = self.named(wire::OBJECT, key)?;
        self.send(self.client.delete(url)).await?;
        Ok(())
    }

    async fn object_size(&self, key: &str) -> Result<u64, StorageError> {
        let url = self.named(wire::OBJECT_SIZE, key)?;
        let answer: wire::ObjectSize = json(self.send(self.client.get(url)).await?).await?;
        Ok(answer.size)
    }

    async fn read_object(
        &self,
        key: &str,
        offset: u64,
        len: u64,
    ) -> Result<ByteStream, StorageError> {
        let url = self.named(wire::OBJECT, key)?;
        let query = wire::ReadQuery { offset, len };
        let response = self.send(self.client.get(url).query(&query)).await?;
        let body = Box::pin(response.bytes_stream().map_err(io::Error::other));
        Ok(super::coalesce(body, NETWORK_PIECE))
    }
}

/// Asks the node `remote` names whether it answers, at start-up: a refused token stops start-up
/// (naming the setting); a node that does not answer yet is only a warning, since uploads work as
/// soon as it does.
pub async fn check_at_start(remote: &RemoteNode) -> anyhow::Result<()> {
    let node = HttpNode::new(remote)?;
    match node.check().await {
        Ok(health) => {
            tracing::info!(
                url = node.base_url(),
                version = health.version,
                "the transfer node answers"
            );
            Ok(())
        }
        Err(StorageError::Io(e)) if e.kind() == io::ErrorKind::PermissionDenied => {
            anyhow::bail!(
                "invalid setting node_token (env FERRY_NODE_TOKEN): the transfer node at {} refused it",
                node.base_url()
            )
        }
        Err(error) => {
            tracing::warn!(%error, "the transfer node does not answer yet: uploads fail until it does");
            Ok(())
        }
    }
}

/// A body on its way to the node: at most `room` bytes pass (the chunk that crosses is cut, without
/// a copy), and an error or the cut ends the stream cleanly, recording that it was cut.
struct CleanEnd {
    inner: ByteStream,
    room: u64,
    cut: Arc<AtomicBool>,
    done: bool,
}

impl CleanEnd {
    fn wrap(inner: ByteStream, room: u64) -> (Self, Arc<AtomicBool>) {
        let cut = Arc::new(AtomicBool::new(false));
        let stream = Self {
            inner,
            room,
            cut: cut.clone(),
            done: false,
        };
        (stream, cut)
    }

    fn end(&mut self, cut: bool) -> Poll<Option<io::Result<Bytes>>> {
        if cut {
            self.cut.store(true, Ordering::SeqCst);
        }
        self.done = true;
        Poll::Ready(None)
    }
}

impl Stream for CleanEnd {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            let chunk = match ready!(self.inner.as_mut().poll_next(cx)) {
                None => return self.end(false),
                Some(Err(_)) => return self.end(true),
                Some(Ok(chunk)) if chunk.is_empty() => continue,
                Some(Ok(chunk)) => chunk,
            };
            let len = chunk.len() as u64;
            if len <= self.room {
                self.room -= len;
                return Poll::Ready(Some(Ok(chunk)));
            }
            // Longer than allowed: pass what fits, then end.
            let fits = usize::try_from(self.room).unwrap_or(usize::MAX);
            self.room = 0;
            self.cut.store(true, Ordering::SeqCst);
            self.done = true;
            if fits == 0 {
                return Poll::Ready(None);
            }
            return Poll::Ready(Some(Ok(chunk.slice(..fits))));
        }
    }
}

/// The JSON body of a 2xx answer.
async fn json<T: DeserializeOwned>(response: Response) -> Result<T, StorageError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|e| StorageError::Io(io::Error::other(e)))?;
    serde_json::from_slice(&bytes).map_err(|e| bad_answer(&e))
}

/// The [`StorageError`] a non-2xx answer stands for.
async fn refusal(response: Response) -> StorageError {
    let status = response.status();
    let detail = response
        .bytes()
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice::<wire::NodeErrorBody>(&bytes).ok())
        .map(|body| body.error);
    let code = detail.as_ref().map(|d| d.code);
    let message = detail
        .as_ref()
        .map_or_else(|| status.to_string(), |d| d.message.clone());
    match (status, code) {
        (StatusCode::NOT_FOUND, Some(NodeErrorCode::NotFound)) => StorageError::NotFound,
        (StatusCode::CONFLICT, Some(NodeErrorCode::AlreadyExists)) => StorageError::AlreadyExists,
        (StatusCode::CONFLICT, Some(NodeErrorCode::Joined)) => StorageError::Joined,
        (StatusCode::BAD_REQUEST, _) => invalid(&message),
        (StatusCode::UNAUTHORIZED, _) => StorageError::Io(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the transfer node refused the node token: node_token (env FERRY_NODE_TOKEN) must be \
             the same for the node and every gateway",
        )),
        _ => StorageError::Io(io::Error::other(format!(
            "the transfer node answered {status}: {message}"
        ))),
    }
}

fn invalid(message: &str) -> StorageError {
    StorageError::Io(io::Error::new(io::ErrorKind::InvalidInput, message))
}

fn bad_answer(error: &dyn std::fmt::Display) -> StorageError {
    StorageError::Io(io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the transfer node's answer is not understood: {error}"),
    ))
}

#[cfg(test)]
mod tests {
    use futures_util::{StreamExt, stream};

    use super::*;

    async fn drain(stream: CleanEnd) -> Vec<u8> {
        let chunks: Vec<_> = stream.collect().await;
        chunks
            .into_iter()
            .flat_map(|c| c.expect("never an error").to_vec())
            .collect()
    }

    fn body(items: Vec<io::Result<&'static [u8]>>) -> ByteStream {
        Box::pin(stream::iter(
            items.into_iter().map(|i| i.map(Bytes::from_static)),
        ))
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let token = "a-node-token-of-at-least-32-characters";
        let node = HttpNode::new(&RemoteNode {
            url: "http://127.0.0.1:4002/".parse().expect("url"),
            token: crate::config::Secret::new(token),
        })
        .expect("client");
        assert_eq!(node.base_url(), "http://127.0.0.1:4002");
        assert!(!format!("{node:?}").contains(token));
    }

    #[tokio::test]
    async fn a_broken_or_long_body_ends_cleanly_and_says_so() {
        let (whole, cut) = CleanEnd::wrap(body(vec![Ok(b"ab"), Ok(b""), Ok(b"cd")]), 4);
        assert_eq!(drain(whole).await, b"abcd");
        assert!(!cut.load(Ordering::SeqCst));

        let broken = body(vec![Ok(b"ab"), Err(io::Error::other("reset")), Ok(b"x")]);
        let (broken, cut) = CleanEnd::wrap(broken, 9);
        assert_eq!(drain(broken).await, b"ab");
        assert!(cut.load(Ordering::SeqCst));

        let (long, cut) = CleanEnd::wrap(body(vec![Ok(b"ab"), Ok(b"cdef"), Ok(b"g")]), 3);
        assert_eq!(drain(long).await, b"abc");
        assert!(cut.load(Ordering::SeqCst));
    }
}
