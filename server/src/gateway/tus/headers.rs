//! tus request headers read into values (each refusal says what was expected), and the values the
//! gateway writes back: upload URLs and RFC 7231 dates.

use crate::error::AppError;
use app::paths;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use base64::Engine as _;
use chrono::{DateTime, Utc};

use super::OFFSET_CONTENT_TYPE;
use crate::{config::Config, services::uploads::Checksum, storage::DigestKind};

pub const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
pub const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
pub const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
pub const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
pub const UPLOAD_CONCAT: HeaderName = HeaderName::from_static("upload-concat");
pub const UPLOAD_CHECKSUM: HeaderName = HeaderName::from_static("upload-checksum");
pub const UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");

/// A header as text, if present; refused when sent twice with different values (which one the
/// client meant cannot be told, and taking the first would be a guess).
pub fn text<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Result<Option<&'a str>, AppError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.any(|other| other != first) {
        return Err(AppError::bad_request(format!(
            "The {name} header was sent more than once, with different values: send it once."
        )));
    }
    first
        .to_str()
        .map(|text| Some(text.trim()))
        .map_err(|_| AppError::bad_request(format!("The {name} header is not text.")))
}

/// A header holding a non-negative integer, if present.
pub fn number(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, AppError> {
    text(headers, name)?
        .map(|raw| {
            raw.parse::<u64>().map_err(|_| {
                AppError::bad_request(format!(
                    "The {name} header must be a number of bytes, not {raw:?}."
                ))
            })
        })
        .transpose()
}

/// Whether the request carries bytes: a non-zero `Content-Length`, or a chunked body.
pub fn has_body(headers: &HeaderMap) -> Result<bool, AppError> {
    Ok(
        number(headers, &header::CONTENT_LENGTH)?.is_some_and(|len| len > 0)
            || headers.contains_key(header::TRANSFER_ENCODING),
    )
}

/// Refuses bytes sent as anything but `application/offset+octet-stream` (415).
pub fn require_offset_stream(headers: &HeaderMap) -> Result<(), AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    match content_type {
        Some(t) if t.eq_ignore_ascii_case(OFFSET_CONTENT_TYPE) => Ok(()),
        _ => Err(AppError::UnsupportedMediaType(
            "Send the bytes with Content-Type: application/offset+octet-stream.",
        )),
    }
}

/// `Upload-Checksum: <sha1|sha256> <base64 digest>`, if sent.
pub fn checksum(headers: &HeaderMap) -> Result<Option<Checksum>, AppError> {
    let Some(raw) = text(headers, &UPLOAD_CHECKSUM)? else {
        return Ok(None);
    };
    let (algorithm, encoded) = raw.split_once(' ').ok_or_else(|| {
        AppError::bad_request("Upload-Checksum must be \"<algorithm> <base64 digest>\".")
    })?;
    let (kind, len) = match algorithm.to_ascii_lowercase().as_str() {
        "sha1" => (DigestKind::Sha1, 20),
        "sha256" => (DigestKind::Sha256, 32),
        other => {
            return Err(AppError::bad_request(format!(
                "Upload-Checksum algorithm {other:?} is not supported: use sha1 or sha256."
            )));
        }
    };
    let expected = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .filter(|digest| digest.len() == len)
        .ok_or_else(|| {
            AppError::bad_request(format!(
                "Upload-Checksum must carry a base64 {algorithm} digest ({len} bytes)."
            ))
        })?;
    Ok(Some(Checksum { kind, expected }))
}

/// The URL of upload `id`: under the configured public gateway URL, else relative (`/tus/<id>`,
/// which tus clients resolve against the creation URL).
pub fn upload_url(config: &Config, id: &str) -> String {
    let path = paths::GATEWAY_TUS_UPLOAD.replace("{upload_id}", id);
    match &config.gateway_public_url {
        Some(base) => format!("{}{path}", base.as_str().trim_end_matches('/')),
        None => path,
    }
}

/// The upload id in an upload URL, absolute or relative (`http://host/tus/<id>`, `/tus/<id>`).
pub fn upload_id_of(url: &str) -> Result<String, AppError> {
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let id = path
        .trim_end_matches('/')
        .rsplit_once(paths::GATEWAY_TUS)
        .map(|(_, id)| id)
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        })
        .ok_or_else(|| {
            AppError::bad_request(format!(
                "{url:?} is not an upload URL of this gateway (…/tus/<id>)."
            ))
        })?;
    Ok(id.to_owned())
}

/// An RFC 7231 date (`Sun, 06 Nov 1994 08:49:37 GMT`), as `Upload-Expires` wants.
pub fn http_date(at: DateTime<Utc>) -> HeaderValue {
    let text = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A header value from a number.
pub fn value(n: u64) -> HeaderValue {
    HeaderValue::from(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_urls_absolute_or_relative() {
        assert_eq!(upload_id_of("/tus/abc123").unwrap(), "abc123");
        assert_eq!(upload_id_of("http://h:4001/tus/abc123").unwrap(), "abc123");
        assert_eq!(upload_id_of("https://h/gw/tus/abc123/").unwrap(), "abc123");
        for bad in ["/tus/", "/other/abc", "/tus/ABC", "/tus/a/../b", "abc"] {
            assert!(upload_id_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn checksums_name_a_supported_algorithm_and_a_digest() {
        let mut headers = HeaderMap::new();
        headers.insert(
            UPLOAD_CHECKSUM,
            HeaderValue::from_static("sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0="),
        );
        let parsed = checksum(&headers).unwrap().unwrap();
        assert_eq!(parsed.kind, DigestKind::Sha1);
        assert_eq!(parsed.expected.len(), 20);
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("md5 abc="));
        assert!(checksum(&headers).is_err());
        headers.insert(UPLOAD_CHECKSUM, HeaderValue::from_static("sha256 qZk+"));
        assert!(checksum(&headers).is_err());
    }

    #[test]
    fn a_header_sent_twice_counts_only_if_both_agree() {
        let mut headers = HeaderMap::new();
        headers.append(UPLOAD_OFFSET, HeaderValue::from_static("5"));
        headers.append(UPLOAD_OFFSET, HeaderValue::from_static("5"));
        assert_eq!(number(&headers, &UPLOAD_OFFSET).unwrap(), Some(5));
        headers.append(UPLOAD_OFFSET, HeaderValue::from_static("0"));
        assert!(number(&headers, &UPLOAD_OFFSET).is_err());
    }

    #[test]
    fn dates_are_rfc_7231() {
        let at = DateTime::from_timestamp(784_111_777, 0).unwrap();
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
