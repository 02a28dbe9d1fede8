//! Which bytes a download request asks for: `Range` (one range: `bytes=a-b`, `bytes=a-` or
//! `bytes=-n`), honoured only when `If-Range` (if sent) names the file's current `ETag`. The syntax
//! is parsed by `http-range-header`; what it means for a file of a given size is decided here.

use axum::http::HeaderValue;
use http_range_header::{EndPosition, StartPosition};

/// The answer to a download request's `Range` and `If-Range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The whole file (no `Range`, an `If-Range` that does not match, or a unit other than bytes).
    Full,
    /// Bytes `[start, end)`.
    Part { start: u64, end: u64 },
    /// A range this server cannot serve: outside the file, several ranges, or malformed.
    Unsatisfiable,
}

/// The selection for a file of `size` bytes whose `ETag` is `etag` (with its quotes).
pub fn select(
    range: Option<&HeaderValue>,
    if_range: Option<&HeaderValue>,
    etag: &str,
    size: u64,
) -> Selection {
    let Some(range) = range else {
        return Selection::Full;
    };
    // RFC 9110 §13.1.5: a strong comparison; a date or a weak tag never matches (we have no
    // Last-Modified), so the client gets the whole current file.
    if if_range.is_some_and(|tag| tag.as_bytes() != etag.as_bytes()) {
        return Selection::Full;
    }
    match range.to_str() {
        Ok(text) => parse(text.trim(), size),
        Err(_) => Selection::Unsatisfiable,
    }
}

/// `text` (a `Range` value) for a file of `size` bytes.
fn parse(text: &str, size: u64) -> Selection {
    let Some((unit, ranges)) = text.split_once('=') else {
        return Selection::Unsatisfiable;
    };
    // A range unit the server does not know must be ignored (RFC 9110 §14.2).
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return Selection::Full;
    }
    let Ok(parsed) = http_range_header::parse_range_header(&format!("bytes={ranges}")) else {
        return Selection::Unsatisfiable;
    };
    let [range] = parsed.ranges.as_slice() else {
        return Selection::Unsatisfiable; // several ranges (multipart answers are not offered)
    };
    let (start, end) = match (range.start, range.end) {
        (StartPosition::Index(first), EndPosition::Index(last)) if last >= first => {
            (first, last.saturating_add(1).min(size))
        }
        (StartPosition::Index(_), EndPosition::Index(_)) => return Selection::Unsatisfiable,
        (StartPosition::Index(first), EndPosition::LastByte) => (first, size),
        // The last n bytes; more than the file means all of it (RFC 9110 §14.1.3).
        (StartPosition::FromLast(n), _) => (size - n.min(size), size),
    };
    if start >= size {
        return Selection::Unsatisfiable;
    }
    Selection::Part { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETAG: &str = "\"abc\"";

    fn sel(range: &str, size: u64) -> Selection {
        select(
            Some(&HeaderValue::from_str(range).unwrap()),
            None,
            ETAG,
            size,
        )
    }

    fn part(start: u64, end: u64) -> Selection {
        Selection::Part { start, end }
    }

    #[test]
    fn no_range_is_the_whole_file() {
        assert_eq!(select(None, None, ETAG, 10), Selection::Full);
        let tag = HeaderValue::from_static("\"abc\"");
        assert_eq!(select(None, Some(&tag), ETAG, 10), Selection::Full);
    }

    #[test]
    fn the_three_single_range_forms() {
        assert_eq!(sel("bytes=0-499", 1000), part(0, 500));
        assert_eq!(sel("bytes=500-999", 1000), part(500, 1000));
        assert_eq!(sel("bytes=500-", 1000), part(500, 1000));
        assert_eq!(sel("bytes=-100", 1000), part(900, 1000));
        assert_eq!(sel("bytes=0-0", 1000), part(0, 1));
        assert_eq!(sel("bytes=999-999", 1000), part(999, 1000));
    }

    #[test]
    fn ends_past_the_file_are_clamped() {
        assert_eq!(sel("bytes=0-5000", 1000), part(0, 1000));
        assert_eq!(sel("bytes=-5000", 1000), part(0, 1000));
        assert_eq!(sel("bytes=10-18446744073709551615", 20), part(10, 20));
    }

    #[test]
    fn unsatisfiable_ranges() {
        for range in [
            "bytes=1000-",
            "bytes=1000-1001",
            "bytes=5-3",
            "bytes=0-1,5-6",
            "bytes=0-1, 5-6",
            "bytes=-0",
            "bytes=abc",
            "bytes=",
            "bytes=--5",
            "bytes=1-2-3",
            "bytes=01-5",
            "nonsense",
        ] {
            assert_eq!(sel(range, 1000), Selection::Unsatisfiable, "{range}");
        }
        assert_eq!(sel("bytes=0-", 0), Selection::Unsatisfiable);
        assert_eq!(sel("bytes=-1", 0), Selection::Unsatisfiable);
    }

    #[test]
    fn units_are_case_insensitive_and_unknown_units_are_ignored() {
        assert_eq!(sel("Bytes=0-1", 10), part(0, 2));
        assert_eq!(sel("items=0-1", 10), Selection::Full);
    }

    #[test]
    fn if_range_must_match_the_etag_exactly() {
        let range = HeaderValue::from_static("bytes=5-");
        let same = HeaderValue::from_static("\"abc\"");
        assert_eq!(select(Some(&range), Some(&same), ETAG, 10), part(5, 10));
        for other in [
            "\"abd\"",
            "W/\"abc\"",
            "abc",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ] {
            let other = HeaderValue::from_str(other).unwrap();
            assert_eq!(
                select(Some(&range), Some(&other), ETAG, 10),
                Selection::Full
            );
        }
    }
}
