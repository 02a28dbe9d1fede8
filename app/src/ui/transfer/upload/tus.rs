//! The tus 1.0.0 requests the engine makes to the gateway (creation, concatenation, HEAD, PATCH,
//! termination), each with `Tus-Resumable` and the spec's bearer token, and what their answers
//! mean for the engine ([`TusError`]).

use std::rc::Rc;

use leptos::serde_json;
use web_sys::Blob;

use super::headers::{TUS_VERSION, parse_offset, resolve_location};
use super::xhr::{self, XhrFailure, XhrRequest, XhrResponse};
use crate::types::ErrorBody;
use crate::ui::transfer::stop::StopToken;
use crate::ui::transfer::{GATEWAY_OFF, gateway_turned_off};

/// Where to send and with which token; taken fresh from the transfer spec for every request.
#[derive(Debug, Clone)]
pub struct Gateway {
    pub endpoint: String,
    pub token: String,
}

/// Why a tus request did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TusError {
    /// Worth retrying after a pause: no answer, a timeout, 5xx, 423 (another writer holds the
    /// upload), 429, 460 (the chunk arrived damaged and was discarded).
    Transient,
    /// 409: the gateway holds another offset; ask it (HEAD) and continue from there.
    OffsetMismatch,
    /// 404 or 410: the upload is gone (expired, or never known); create a new one.
    Gone,
    /// 401: the token expired or was refused; get a fresh transfer spec.
    Unauthorized,
    /// Refused for good, with a sentence for people (from the gateway when it sent one).
    Refused(String),
    /// The file was stopped (cancelled or the page is going away).
    Stopped,
}

/// What a status means; `None` for success.
pub fn classify(status: u16) -> Option<TusError> {
    match status {
        200..=299 => None,
        401 => Some(TusError::Unauthorized),
        404 | 410 => Some(TusError::Gone),
        409 => Some(TusError::OffsetMismatch),
        0 | 408 | 423 | 429 | 460 | 500..=599 => Some(TusError::Transient),
        413 => Some(TusError::Refused(
            "The file is larger than the gateway accepts.".to_owned(),
        )),
        _ => Some(TusError::Refused(format!(
            "The gateway refused the upload (HTTP {status})."
        ))),
    }
}

/// `POST` to the creation endpoint: a new upload of `length` bytes. `concat` is `partial` or
/// `final;…` for parallel parts. Answers the upload's absolute URL.
pub async fn create(
    gateway: &Gateway,
    length: u64,
    metadata: &str,
    concat: Option<String>,
    stop: &StopToken,
) -> Result<String, TusError> {
    let mut headers = vec![("Upload-Metadata", metadata.to_owned())];
    match concat {
        // A final upload's length is the sum of its parts: the server works it out.
        Some(concat) if concat.starts_with("final") => headers.push(("Upload-Concat", concat)),
        Some(concat) => {
            headers.push(("Upload-Length", length.to_string()));
            headers.push(("Upload-Concat", concat));
        }
        None => headers.push(("Upload-Length", length.to_string())),
    }
    let response = request(
        gateway,
        "POST",
        &gateway.endpoint,
        headers,
        None,
        None,
        stop,
    )
    .await?;
    let location = response.header("Location").ok_or_else(|| {
        TusError::Refused("The gateway did not say where the upload is.".to_owned())
    })?;
    Ok(resolve_location(&gateway.endpoint, &location))
}

/// `HEAD`: how many bytes of the upload the gateway holds.
pub async fn offset(gateway: &Gateway, url: &str, stop: &StopToken) -> Result<u64, TusError> {
    let response = request(gateway, "HEAD", url, Vec::new(), None, None, stop).await?;
    parse_offset(response.header("Upload-Offset").as_deref()).ok_or(TusError::Transient)
}

/// `PATCH` one chunk at `offset`; answers the new offset. `on_progress` gets the chunk's bytes
/// sent so far.
pub async fn patch(
    gateway: &Gateway,
    url: &str,
    offset: u64,
    chunk: Blob,
    on_progress: Rc<dyn Fn(f64)>,
    stop: &StopToken,
) -> Result<u64, TusError> {
    let sent = offset + chunk.size() as u64;
    let headers = vec![
        ("Content-Type", "application/offset+octet-stream".to_owned()),
        ("Upload-Offset", offset.to_string()),
    ];
    let response = request(
        gateway,
        "PATCH",
        url,
        headers,
        Some(chunk),
        Some(on_progress),
        stop,
    )
    .await?;
    Ok(parse_offset(response.header("Upload-Offset").as_deref()).unwrap_or(sent))
}

/// `DELETE`: terminates the upload; one that is already gone is fine.
pub async fn terminate(gateway: &Gateway, url: &str, stop: &StopToken) -> Result<(), TusError> {
    match request(gateway, "DELETE", url, Vec::new(), None, None, stop).await {
        Ok(_) | Err(TusError::Gone) => Ok(()),
        Err(error) => Err(error),
    }
}

async fn request(
    gateway: &Gateway,
    method: &str,
    url: &str,
    mut headers: Vec<(&'static str, String)>,
    body: Option<Blob>,
    on_progress: Option<Rc<dyn Fn(f64)>>,
    stop: &StopToken,
) -> Result<XhrResponse, TusError> {
    headers.push(("Tus-Resumable", TUS_VERSION.to_owned()));
    headers.push(("Authorization", format!("Bearer {}", gateway.token)));
    let sent = xhr::send(
        XhrRequest {
            method,
            url,
            headers,
            body,
            on_progress,
        },
        stop,
    )
    .await;
    let response = match sent {
        Ok(response) => response,
        Err(XhrFailure::Stopped) => return Err(TusError::Stopped),
        Err(XhrFailure::Network | XhrFailure::TimedOut) => return Err(TusError::Transient),
    };
    match classify(response.status) {
        None => Ok(response),
        Some(TusError::Refused(_)) if gateway_turned_off(&response.text()) => {
            Err(TusError::Refused(GATEWAY_OFF.to_owned()))
        }
        Some(TusError::Refused(fallback)) => Err(TusError::Refused(
            serde_json::from_str::<ErrorBody>(&response.text())
                .map(|body| body.error.message)
                .unwrap_or(fallback),
        )),
        Some(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_what_the_engine_does_next() {
        assert_eq!(classify(201), None);
        assert_eq!(classify(204), None);
        assert_eq!(classify(401), Some(TusError::Unauthorized));
        assert_eq!(classify(404), Some(TusError::Gone));
        assert_eq!(classify(410), Some(TusError::Gone));
        assert_eq!(classify(409), Some(TusError::OffsetMismatch));
        for transient in [0, 423, 429, 460, 500, 502, 503] {
            assert_eq!(
                classify(transient),
                Some(TusError::Transient),
                "{transient}"
            );
        }
        assert!(matches!(classify(403), Some(TusError::Refused(_))));
        assert!(matches!(classify(413), Some(TusError::Refused(_))));
    }
}
