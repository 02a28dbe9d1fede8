//! `Content-Disposition: attachment` for a file name (RFC 6266 with RFC 8187's `filename*`): a
//! plain-ASCII `filename` for old clients, with anything unsafe replaced, and the exact name as
//! percent-encoded UTF-8. Nothing in a name can end the header, add a parameter or reorder text.

use axum::http::HeaderValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::services::file_names::is_bidi_control;

/// Everything but RFC 8187's `attr-char` is percent-encoded.
const NOT_ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The name offered when a file's name has nothing usable left.
const FALLBACK_NAME: &str = "download";

/// The header value for a file called `name`.
pub fn attachment(name: &str) -> HeaderValue {
    let name = safe_name(name);
    let value = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(&name),
        utf8_percent_encode(&name, NOT_ATTR_CHAR)
    );
    // Only ASCII printable characters are left, so this cannot fail; stay safe regardless.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The name without control or bidi-override characters and path separators (stored names have
/// none; rows are not trusted to).
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.trim_matches('.').is_empty() {
        FALLBACK_NAME.to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// Printable ASCII only, without the characters a quoted string or a naive parser trips on.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '"' | '\\' | '%' | ';' => '_',
            c if c == ' ' || c.is_ascii_graphic() => c,
            _ => '_',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::attachment;

    fn header(name: &str) -> String {
        attachment(name).to_str().unwrap().to_owned()
    }

    #[test]
    fn a_plain_name_is_kept() {
        assert_eq!(
            header("report (final).pdf"),
            "attachment; filename=\"report (final).pdf\"; filename*=UTF-8''report%20%28final%29.pdf"
        );
    }

    #[test]
    fn quotes_and_semicolons_cannot_add_parameters() {
        let value = header("a\";x=.txt");
        assert_eq!(
            value,
            "attachment; filename=\"a__x=.txt\"; filename*=UTF-8''a%22%3Bx%3D.txt"
        );
        assert_eq!(value.matches('"').count(), 2);
    }

    #[test]
    fn line_breaks_and_controls_are_dropped() {
        let value = header("evil\r\nSet-Cookie: a=b\u{0}.txt");
        assert!(!value.contains(['\r', '\n', '\0']));
        assert!(
            value.contains("filename=\"evilSet-Cookie: a=b.txt\""),
            "{value}"
        );
    }

    #[test]
    fn paths_do_not_survive() {
        let value = header("../x");
        assert!(value.contains("filename=\".._x\""), "{value}");
        assert!(value.contains("filename*=UTF-8''.._x"), "{value}");
        assert!(header("..").contains("filename=\"download\""));
        assert!(header("a\\b").contains("filename=\"a_b\""));
    }

    #[test]
    fn bidi_overrides_are_removed_and_unicode_is_percent_encoded() {
        assert_eq!(
            header("invoice\u{202E}fdp.exe"),
            "attachment; filename=\"invoicefdp.exe\"; filename*=UTF-8''invoicefdp.exe"
        );
        assert_eq!(
            header("Ünïcödé 数据.csv"),
            "attachment; filename=\"_n_c_d_ __.csv\"; \
             filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%E6%95%B0%E6%8D%AE.csv"
        );
    }
}
