//! An answer sent before the request's body was read to its end (a 401 to a `PATCH` carrying
//! megabytes, a 409 for a wrong offset) would leave the rest of the body in the connection, where
//! HTTP/1.1 cannot tell where the next request starts, so the server must end it. A client's
//! keep-alive pool does not know that and hands the dead socket to its next request, which then
//! fails with EPIPE instead of being answered. So, after such an answer: a rest of at most
//! [`DRAIN_LIMIT`] is read and dropped, and the connection stays usable; a longer one (or one that
//! does not arrive within [`DRAIN_TIME`]) is not waited for, and the answer says
//! `Connection: close`.

use std::{
    pin::Pin,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{Body, Bytes, HttpBody},
    extract::Request,
    http::{HeaderMap, HeaderValue, Version, header},
    middleware::Next,
    response::Response,
};
use http_body_util::BodyExt;

/// The most of an unread rest that is read and dropped to keep the connection.
pub const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;
/// The longest that rest may take to arrive.
pub const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Reads and drops a short unread rest of an HTTP/1 request's body after its answer, or says
/// `Connection: close` on the answer.
pub async fn close_when_unread(request: Request, next: Next) -> Response {
    if request.version() > Version::HTTP_11 || !declares_body(request.headers()) {
        return next.run(request).await;
    }
    let declared = declared_length(request.headers());
    // A client waiting for `100 Continue` sends no body after an early answer: nothing to drain
    // (reading would ask it for the body).
    let waits_to_send = request.headers().contains_key(header::EXPECT);
    let watch = Arc::new(Watch::default());
    let (parts, body) = request.into_parts();
    let body = Body::new(Watched {
        inner: Some(body),
        watch: watch.clone(),
    });
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if watch.read_to_end.load(Ordering::Acquire) {
        return response;
    }
    let read = watch.bytes.load(Ordering::Acquire);
    let short = declared.is_none_or(|length| length.saturating_sub(read) <= DRAIN_LIMIT);
    let rest = watch
        .left
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let drained = match rest {
        Some(rest) if short && !waits_to_send => drain(rest).await,
        _ => false,
    };
    if !drained {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Reads `rest` to its end, if it is at most [`DRAIN_LIMIT`] and arrives within [`DRAIN_TIME`].
async fn drain(mut rest: Body) -> bool {
    let to_end = async {
        let mut seen = 0u64;
        while let Some(frame) = rest.frame().await {
            let Ok(frame) = frame else { return false };
            seen += frame.data_ref().map_or(0, |data| data.len() as u64);
            if seen > DRAIN_LIMIT {
                return false;
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_TIME, to_end)
        .await
        .unwrap_or(false)
}

/// Whether the request says a body follows (`Content-Length` above 0, or chunked).
fn declares_body(headers: &HeaderMap) -> bool {
    let sized = headers.contains_key(header::CONTENT_LENGTH) && declared_length(headers) != Some(0);
    headers.contains_key(header::TRANSFER_ENCODING) || sized
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// What the handler did with the body: how much it read, whether to the end, and what it left.
#[derive(Default)]
struct Watch {
    bytes: AtomicU64,
    read_to_end: AtomicBool,
    left: Mutex<Option<Body>>,
}

/// The request body as the handler gets it; dropped unfinished, it leaves the rest in its
/// [`Watch`].
struct Watched {
    inner: Option<Body>,
    watch: Arc<Watch>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(&mut *inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            let len = frame.data_ref().map_or(0, |data| data.len() as u64);
            this.watch.bytes.fetch_add(len, Ordering::AcqRel);
        }
        if matches!(polled, Poll::Ready(None)) || inner.is_end_stream() {
            this.watch.read_to_end.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner
            .as_ref()
            .map(HttpBody::size_hint)
            .unwrap_or_default()
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if !self.watch.read_to_end.load(Ordering::Acquire) {
            *self
                .watch
                .left
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = self.inner.take();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_body_is_declared_by_a_length_above_zero_or_chunking() {
        assert!(declares_body(&with(header::CONTENT_LENGTH, "4194304")));
        assert!(declares_body(&with(header::TRANSFER_ENCODING, "chunked")));
        assert!(!declares_body(&with(header::CONTENT_LENGTH, "0")));
        assert!(!declares_body(&HeaderMap::new()));
    }

    #[tokio::test]
    async fn a_short_rest_is_drained_and_a_long_one_is_not() {
        let short = Body::from(vec![7u8; 1024]);
        assert!(drain(short).await);
        let long = Body::from(vec![7u8; DRAIN_LIMIT as usize + 1]);
        assert!(!drain(long).await);
    }
}
