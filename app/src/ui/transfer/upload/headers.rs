//! The tus 1.0.0 header values the engine writes and reads: `Upload-Metadata`, `Upload-Concat`,
//! `Upload-Offset`, and `Location` resolved to an absolute URL. Pure, so tested on the host.

/// The tus protocol version sent as `Tus-Resumable` on every request.
pub const TUS_VERSION: &str = "1.0.0";

/// `Upload-Metadata` for one of Ferry's files: `file_id <base64 id>,filename <base64 name>`.
pub fn upload_metadata(file_id: i64, name: &str) -> String {
    format!(
        "file_id {},filename {}",
        base64(file_id.to_string().as_bytes()),
        base64(name.as_bytes())
    )
}

/// `Upload-Concat` of the final upload: the partial uploads' URLs, in file order.
pub fn concat_final(partial_urls: &[String]) -> String {
    format!("final;{}", partial_urls.join(" "))
}

/// An `Upload-Offset` header value, when it is a valid one.
pub fn parse_offset(value: Option<&str>) -> Option<u64> {
    value?.trim().parse().ok()
}

/// The absolute URL of an upload from the `Location` the gateway answered, which may be absolute,
/// scheme-relative, absolute-path or relative to the creation `endpoint` (RFC 3986 resolution,
/// without dot segments).
pub fn resolve_location(endpoint: &str, location: &str) -> String {
    let location = location.trim();
    if location.contains("://") {
        return location.to_owned();
    }
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("http", endpoint));
    if let Some(authority_and_path) = location.strip_prefix("//") {
        return format!("{scheme}://{authority_and_path}");
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let path = &rest[authority.len()..];
    let directory = path.rfind('/').map_or("/", |slash| &path[..=slash]);
    format!("{scheme}://{authority}{directory}{location}")
}

/// Standard base64 with padding, as tus metadata wants it.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= group.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn metadata_carries_the_id_and_the_utf8_name() {
        assert_eq!(
            upload_metadata(42, "résumé.pdf"),
            "file_id NDI=,filename csOpc3Vtw6kucGRm"
        );
    }

    #[test]
    fn final_concat_lists_partials_in_order() {
        let urls = ["http://g/tus/a".to_owned(), "http://g/tus/b".to_owned()];
        assert_eq!(concat_final(&urls), "final;http://g/tus/a http://g/tus/b");
    }

    #[test]
    fn offsets_parse_or_are_refused() {
        assert_eq!(parse_offset(Some("1024")), Some(1024));
        assert_eq!(parse_offset(Some(" 7 ")), Some(7));
        assert_eq!(parse_offset(Some("-1")), None);
        assert_eq!(parse_offset(None), None);
    }

    #[test]
    fn locations_resolve_against_the_endpoint() {
        let endpoint = "http://127.0.0.1:4001/tus/";
        assert_eq!(
            resolve_location(endpoint, "https://gw.example/tus/abc"),
            "https://gw.example/tus/abc"
        );
        assert_eq!(
            resolve_location(endpoint, "/tus/abc"),
            "http://127.0.0.1:4001/tus/abc"
        );
        assert_eq!(
            resolve_location(endpoint, "abc"),
            "http://127.0.0.1:4001/tus/abc"
        );
        assert_eq!(
            resolve_location(endpoint, "//other:9/tus/x"),
            "http://other:9/tus/x"
        );
        assert_eq!(
            resolve_location("https://gw.example", "tus/abc"),
            "https://gw.example/tus/abc"
        );
    }
}
