//! Folder paths of files sent with the desktop client (`photos/2024/a.jpg`): checked against the
//! rules of [`app::types::DeclaredFile::path`] and NFC-normalized. A path is only ever shown and
//! handed back to clients, which check it again before they write anything: the server stores
//! bytes under its own keys, never under a path.

use app::types::DeclaredFile;
use unicode_normalization::UnicodeNormalization;

use super::text::is_bidi_control;

/// The NFC form of `raw`, checked: `/`-separated, relative, every segment a plain name, ending in
/// the file's `name`. Refusals name the path and the rule broken.
pub fn check(raw: &str, name: &str) -> Result<String, String> {
    let refuse = |rule: &str| Err(format!("The path {raw:?} {rule}."));
    if raw.is_empty() {
        return refuse("is empty: leave the path out for a file at the top of the package");
    }
    if raw.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return refuse("contains a control character");
    }
    if raw.contains('\\') {
        return refuse("contains a backslash: separate folders with '/'");
    }
    if raw.starts_with('/') {
        return refuse("starts with '/': paths are relative to the package");
    }
    let path: String = raw.nfc().collect();
    if path.len() > DeclaredFile::MAX_PATH_BYTES {
        return refuse(&format!(
            "is {} bytes long: at most {} are allowed",
            path.len(),
            DeclaredFile::MAX_PATH_BYTES
        ));
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() > DeclaredFile::MAX_PATH_DEPTH {
        return refuse(&format!(
            "has {} levels: at most {} are allowed",
            segments.len(),
            DeclaredFile::MAX_PATH_DEPTH
        ));
    }
    for segment in &segments {
        match *segment {
            "" => return refuse("has an empty folder name ('//' or a '/' at the end)"),
            "." | ".." => return refuse("has a '.' or '..' segment"),
            _ if is_drive(segment) => return refuse("names a drive letter (such as 'C:')"),
            _ => {}
        }
    }
    let name: String = name.nfc().collect();
    if segments.last() != Some(&name.as_str()) {
        return refuse(&format!("does not end in the file's name {name:?}"));
    }
    Ok(path)
}

/// `C:`, `c:foo`: a drive on Windows, whatever follows.
fn is_drive(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// The key two paths (or top-level names) collide on: the same letters ignoring case.
pub fn collision_key(path: &str) -> String {
    path.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn keeps_relative_paths_ending_in_the_name() {
        assert_eq!(
            check("photos/2024/a.jpg", "a.jpg").as_deref(),
            Ok("photos/2024/a.jpg")
        );
        assert_eq!(
            check("Über ünïcödé/数据.csv", "数据.csv").as_deref(),
            Ok("Über ünïcödé/数据.csv")
        );
    }

    #[test]
    fn normalizes_to_nfc() {
        // "é" as e + combining acute, in the path and in the name.
        let decomposed = "cafe\u{301}/menu.txt";
        assert_eq!(
            check(decomposed, "menu.txt").as_deref(),
            Ok("caf\u{e9}/menu.txt")
        );
        assert!(check("a/cafe\u{301}.txt", "caf\u{e9}.txt").is_ok());
    }

    #[test]
    fn refuses_each_rule_by_name() {
        let deep = format!("{}a.txt", "d/".repeat(32));
        let long = format!("{}/a.txt", "x".repeat(1020));
        for (path, rule) in [
            ("", "empty"),
            ("/etc/a.txt", "starts with '/'"),
            ("a\\b\\a.txt", "backslash"),
            ("C:/a.txt", "drive letter"),
            ("d/c:x/a.txt", "drive letter"),
            ("a//a.txt", "empty folder name"),
            ("a/a.txt/", "empty folder name"),
            ("./a.txt", "'.' or '..'"),
            ("a/../a.txt", "'.' or '..'"),
            ("a\u{7}/a.txt", "control character"),
            ("a\u{202E}/a.txt", "control character"),
            (deep.as_str(), "levels"),
            (long.as_str(), "bytes long"),
            ("a/b.txt", "does not end in"),
        ] {
            let error = check(path, "a.txt").expect_err(path);
            assert!(error.contains(rule), "{path:?}: {error}");
            assert!(error.contains("The path"), "{error}");
        }
    }
}
