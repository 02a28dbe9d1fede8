//! tus 1.0.0 on the wire: `OPTIONS` (is concatenation offered?), creation (with or without the
//! first bytes), `HEAD` for the durable offset and `PATCH` with bytes streamed from the file,
//! through the bandwidth cap and into the progress bar as they go.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use futures_util::StreamExt as _;
use reqwest::{StatusCode, header};
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
use tokio_util::io::ReaderStream;

use crate::api::{ApiError, error_of};
use crate::rate::RateLimit;
use crate::report::FileBar;

pub const TUS_RESUMABLE: &str = "tus-resumable";
pub const TUS_VERSION: &str = "1.0.0";
const OFFSET_STREAM: &str = "application/offset+octet-stream";
/// Bytes read from the file per step of a request body: big reads are what make streaming fast,
/// and a few streams of this size keep memory small.
const READ_SIZE: usize = 256 << 10;

/// Why a tus request failed, as the engine acts on it.
#[derive(Debug, thiserror::Error)]
pub enum TusError {
    /// The upload is unknown or expired: create it again.
    #[error("the upload is gone from the server")]
    Gone,
    /// The spec's token is refused or expired: get a new spec.
    #[error("the transfer token was refused")]
    Token,
    /// The offset moved (another request, or a lost answer): ask with `HEAD`.
    #[error("the upload's offset differs from the client's")]
    Conflict,
    /// Worth another try after a pause.
    #[error("{0:#}")]
    Transient(anyhow::Error),
    /// Refused for good; the message is the server's.
    #[error(transparent)]
    Refused(ApiError),
    /// Not the gateway's doing (no new spec, the sign-in expired): stop.
    #[error("{0:#}")]
    Fatal(anyhow::Error),
}

impl TusError {
    /// The error to report, with the cause itself when there is one (so that an expired sign-in
    /// still gives its exit code).
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            Self::Fatal(error) | Self::Transient(error) => error,
            other => other.into(),
        }
    }
}

impl TusError {
    fn from_network(error: reqwest::Error) -> Self {
        Self::Transient(anyhow::Error::new(error).context("the connection to the gateway failed"))
    }

    async fn from_response(response: reqwest::Response) -> Self {
        match response.status() {
            StatusCode::NOT_FOUND | StatusCode::GONE => Self::Gone,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Self::Token,
            StatusCode::CONFLICT => Self::Conflict,
            _ => {
                let error = error_of(response).await;
                if error.is_transient() {
                    Self::Transient(error.into())
                } else {
                    Self::Refused(error)
                }
            }
        }
    }
}

/// What the upload's bytes come from, and where they are counted.
#[derive(Clone)]
pub struct Source<'a> {
    pub file: &'a Path,
    pub rate: Option<Arc<RateLimit>>,
    pub bar: &'a FileBar,
}

/// `Upload-Metadata` for file `file_id` (`sha256` is the whole file's, for a single or final
/// upload: the server then checks it before publishing).
pub fn metadata(file_id: i64, name: &str, sha256: Option<&str>) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut out = format!(
        "file_id {},filename {}",
        b64(&file_id.to_string()),
        b64(name)
    );
    if let Some(digest) = sha256 {
        out.push_str(&format!(",sha256 {}", b64(digest)));
    }
    out
}

/// Whether the gateway joins partial uploads (tus concatenation).
pub async fn supports_concatenation(http: &reqwest::Client, endpoint: &str) -> bool {
    let Ok(response) = http
        .request(reqwest::Method::OPTIONS, endpoint)
        .header(TUS_RESUMABLE, TUS_VERSION)
        .send()
        .await
    else {
        return false;
    };
    response
        .headers()
        .get("tus-extension")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim() == "concatenation"))
}

/// A created upload.
pub struct Created {
    pub url: String,
    pub offset: u64,
}

/// What a creation request asks for.
pub struct Creation<'a> {
    pub length: u64,
    pub metadata: &'a str,
    /// `partial` or `final;<urls>`.
    pub concat: Option<String>,
    /// Bytes to send with the creation (creation-with-upload).
    pub first_bytes: Option<(Source<'a>, Range<u64>)>,
}

/// `POST` to the creation endpoint.
pub async fn create(
    http: &reqwest::Client,
    endpoint: &str,
    token: &str,
    creation: Creation<'_>,
) -> Result<Created, TusError> {
    let mut request = http
        .post(endpoint)
        .bearer_auth(token)
        .header(TUS_RESUMABLE, TUS_VERSION)
        .header("upload-metadata", creation.metadata);
    request = match &creation.concat {
        Some(concat) if concat.starts_with("final") => request.header("upload-concat", concat),
        Some(concat) => request
            .header("upload-concat", concat)
            .header("upload-length", creation.length),
        None => request.header("upload-length", creation.length),
    };
    let sent = match creation.first_bytes {
        Some((source, range)) => {
            let (body, sent) = body(&source, range.clone())
                .await
                .map_err(TusError::Transient)?;
            request = request
                .header(header::CONTENT_TYPE, OFFSET_STREAM)
                .header(header::CONTENT_LENGTH, range.end - range.start)
                .body(body);
            Some((source.bar.clone(), sent))
        }
        None => None,
    };
    let outcome = async {
        let response = request.send().await.map_err(TusError::from_network)?;
        if response.status() != StatusCode::CREATED {
            return Err(TusError::from_response(response).await);
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                TusError::Transient(anyhow::anyhow!(
                    "the gateway created an upload without a Location"
                ))
            })?;
        let url = reqwest::Url::parse(endpoint)
            .and_then(|base| base.join(location))
            .map_err(|e| {
                TusError::Transient(anyhow::anyhow!("bad upload Location {location:?}: {e}"))
            })?;
        Ok(Created {
            url: url.to_string(),
            offset: upload_offset(&response).unwrap_or(0),
        })
    }
    .await;
    if let Some((bar, sent)) = sent {
        let acked = outcome.as_ref().map_or(0, |c| c.offset);
        bar.rewind(sent.load().saturating_sub(acked));
    }
    outcome
}

/// `HEAD`: the bytes of the upload the server holds durably.
pub async fn offset(http: &reqwest::Client, url: &str, token: &str) -> Result<u64, TusError> {
    let response = http
        .head(url)
        .bearer_auth(token)
        .header(TUS_RESUMABLE, TUS_VERSION)
        .send()
        .await
        .map_err(TusError::from_network)?;
    if !response.status().is_success() {
        return Err(TusError::from_response(response).await);
    }
    upload_offset(&response)
        .ok_or_else(|| TusError::Transient(anyhow::anyhow!("HEAD answered without Upload-Offset")))
}

/// `PATCH` bytes `range` of the file (absolute positions) at upload offset `offset`; the new offset.
pub async fn patch(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    offset: u64,
    source: &Source<'_>,
    range: Range<u64>,
) -> Result<u64, TusError> {
    let (body, sent) = body(source, range.clone())
        .await
        .map_err(TusError::Transient)?;
    let outcome = async {
        let response = http
            .patch(url)
            .bearer_auth(token)
            .header(TUS_RESUMABLE, TUS_VERSION)
            .header(header::CONTENT_TYPE, OFFSET_STREAM)
            .header(header::CONTENT_LENGTH, range.end - range.start)
            .header("upload-offset", offset)
            .body(body)
            .send()
            .await
            .map_err(TusError::from_network)?;
        if response.status() != StatusCode::NO_CONTENT && !response.status().is_success() {
            return Err(TusError::from_response(response).await);
        }
        upload_offset(&response).ok_or_else(|| {
            TusError::Transient(anyhow::anyhow!("PATCH answered without Upload-Offset"))
        })
    }
    .await;
    // Counted as they left; what the server did not keep is counted again when resent.
    let kept = outcome.as_ref().map_or(0, |new| new.saturating_sub(offset));
    source.bar.rewind(sent.load().saturating_sub(kept));
    outcome
}

fn upload_offset(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("upload-offset")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Bytes that left in a request body so far.
#[derive(Clone, Default)]
pub struct Sent(Arc<std::sync::atomic::AtomicU64>);

impl Sent {
    fn add(&self, n: u64) {
        self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn load(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A request body streaming `range` of the file, through the cap and the bar.
async fn body(source: &Source<'_>, range: Range<u64>) -> anyhow::Result<(reqwest::Body, Sent)> {
    let mut file = tokio::fs::File::open(source.file).await?;
    file.seek(std::io::SeekFrom::Start(range.start)).await?;
    let reader = file.take(range.end - range.start);
    let sent = Sent::default();
    let (rate, bar, counter) = (source.rate.clone(), source.bar.clone(), sent.clone());
    let stream = ReaderStream::with_capacity(reader, READ_SIZE).then(move |chunk| {
        let (rate, bar, counter) = (rate.clone(), bar.clone(), counter.clone());
        async move {
            if let Ok(bytes) = &chunk {
                if let Some(rate) = &rate {
                    rate.take(bytes.len()).await;
                }
                bar.advance(bytes.len() as u64);
                counter.add(bytes.len() as u64);
            }
            chunk
        }
    });
    Ok((reqwest::Body::wrap_stream(stream), sent))
}
