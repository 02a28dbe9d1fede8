//! What the gateway's answer to a file `GET` means for the bytes already received: keep them and
//! append (`206` at our offset), drop them and start over (`200`: the first request, or `If-Range`
//! found the file changed), or stop with a reason people can act on.

/// A `Content-Range: bytes <first>-<last>/<total>` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub first: u64,
    pub last: u64,
    /// `None` for `*` (the gateway does not know the length).
    pub total: Option<u64>,
}

/// Parses a `Content-Range` header of a `206` answer; `None` when it is not one.
pub fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.trim().split_once('-')?;
    let (first, last) = (first.parse().ok()?, last.parse().ok()?);
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    (first <= last).then_some(ContentRange { first, last, total })
}

/// The `Range` and `If-Range` headers that resume after `received` bytes, when there is something
/// to resume: `If-Range` makes the gateway send the whole file (`200`) if it is not the same file.
pub fn resume_headers(received: u64, etag: Option<&str>) -> Vec<(&'static str, String)> {
    match etag {
        Some(etag) if received > 0 => vec![
            ("Range", format!("bytes={received}-")),
            ("If-Range", etag.to_owned()),
        ],
        _ => Vec::new(),
    }
}

/// Where the body of a successful answer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The whole file: drop whatever was received before.
    Over,
    /// The rest of the file, right after the bytes already received.
    Append,
}

/// Why an answer gives no usable body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 401: the token expired or was refused; get a fresh transfer spec and ask again.
    Unauthorized,
    /// A range other than the one asked for (or 416): ask again for the whole file.
    WrongRange,
    /// 410: the file was deleted; the gateway's own sentence when it sent one.
    Deleted,
    /// 5xx, 408, 429: the gateway had a problem; Retry may work.
    Transient,
    /// Refused for good (403, 404 …).
    Refused,
}

/// Reads the status (and `Content-Range` for a `206`) of an answer to a request sent after
/// `received` bytes.
pub fn classify(status: u16, content_range: Option<&str>, received: u64) -> Result<Start, Refusal> {
    match status {
        200 => Ok(Start::Over),
        206 => match content_range.and_then(parse_content_range) {
            Some(range) if range.first == received => Ok(Start::Append),
            _ => Err(Refusal::WrongRange),
        },
        401 => Err(Refusal::Unauthorized),
        410 => Err(Refusal::Deleted),
        416 => Err(Refusal::WrongRange),
        408 | 429 | 500..=599 => Err(Refusal::Transient),
        _ => Err(Refusal::Refused),
    }
}

/// The `ETag` to send back in `If-Range`: the answer's own, else the one the spec announces (the
/// file's SHA-256, quoted).
pub fn etag(header: Option<String>, sha256: Option<&str>) -> Option<String> {
    header
        .filter(|etag| !etag.trim().is_empty() && !etag.starts_with("W/"))
        .or_else(|| sha256.map(|sha| format!("\"{sha}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse_and_bad_ones_do_not() {
        assert_eq!(
            parse_content_range("bytes 100-199/200"),
            Some(ContentRange {
                first: 100,
                last: 199,
                total: Some(200)
            })
        );
        assert_eq!(
            parse_content_range("bytes 0-0/*"),
            Some(ContentRange {
                first: 0,
                last: 0,
                total: None
            })
        );
        assert_eq!(parse_content_range("bytes */200"), None);
        assert_eq!(parse_content_range("bytes 9-3/200"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }

    #[test]
    fn a_range_resumes_only_with_an_etag_and_bytes_to_keep() {
        assert!(resume_headers(0, Some("\"ab\"")).is_empty());
        assert!(resume_headers(10, None).is_empty());
        assert_eq!(
            resume_headers(10, Some("\"ab\"")),
            vec![
                ("Range", "bytes=10-".to_owned()),
                ("If-Range", "\"ab\"".to_owned())
            ]
        );
    }

    #[test]
    fn partial_content_appends_only_at_our_offset() {
        assert_eq!(classify(200, None, 500), Ok(Start::Over));
        assert_eq!(
            classify(206, Some("bytes 500-999/1000"), 500),
            Ok(Start::Append)
        );
        assert_eq!(
            classify(206, Some("bytes 0-999/1000"), 500),
            Err(Refusal::WrongRange)
        );
        assert_eq!(classify(206, None, 500), Err(Refusal::WrongRange));
        assert_eq!(classify(416, None, 500), Err(Refusal::WrongRange));
    }

    #[test]
    fn error_statuses_say_what_to_do() {
        assert_eq!(classify(401, None, 0), Err(Refusal::Unauthorized));
        assert_eq!(classify(410, None, 0), Err(Refusal::Deleted));
        assert_eq!(classify(503, None, 0), Err(Refusal::Transient));
        assert_eq!(classify(429, None, 0), Err(Refusal::Transient));
        assert_eq!(classify(404, None, 0), Err(Refusal::Refused));
    }

    #[test]
    fn the_etag_falls_back_to_the_announced_digest() {
        assert_eq!(
            etag(Some("\"x\"".into()), Some("ab")),
            Some("\"x\"".to_owned())
        );
        assert_eq!(etag(None, Some("ab")), Some("\"ab\"".to_owned()));
        assert_eq!(etag(Some("W/\"x\"".into()), None), None);
        assert_eq!(etag(None, None), None);
    }
}
