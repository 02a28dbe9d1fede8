//! File names as users give them: checked (files only, no paths) and cleaned for display. A name
//! is only ever shown to people; bytes are stored under server-made keys.

/// Longest stored name, in characters.
pub const MAX_NAME_CHARS: usize = 255;

pub(crate) use super::text::is_bidi_control;

/// The display name for a user-given file name, or a sentence saying why it is refused.
pub fn clean(raw: &str) -> Result<String, String> {
    if raw.contains(['/', '\\']) {
        return Err(format!(
            "{raw:?} is a path: only files can be sent, named without folders ('/' and '\\' are not allowed)."
        ));
    }
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return Err(format!("{raw:?} is not a usable file name."));
    }
    if cleaned.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "File names can be at most {MAX_NAME_CHARS} characters long: {:?}…",
            cleaned.chars().take(40).collect::<String>()
        ));
    }
    Ok(cleaned.to_owned())
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn keeps_ordinary_names() {
        assert_eq!(
            clean("report (final).pdf").as_deref(),
            Ok("report (final).pdf")
        );
        assert_eq!(clean("  spaced.txt ").as_deref(), Ok("spaced.txt"));
        assert_eq!(clean("Ünïcödé 数据.csv").as_deref(), Ok("Ünïcödé 数据.csv"));
    }

    #[test]
    fn refuses_paths_and_empty_names() {
        for bad in [
            "a/b.txt",
            "..\\evil.exe",
            "/etc/passwd",
            "",
            ".",
            "..",
            "\u{7}",
            &"x".repeat(256),
        ] {
            assert!(clean(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn removes_control_and_bidi_override_characters() {
        assert_eq!(
            clean("invoice\u{202E}fdp.exe").as_deref(),
            Ok("invoicefdp.exe")
        );
        assert_eq!(clean("tab\there\u{0}.txt").as_deref(), Ok("tabhere.txt"));
        assert_eq!(clean("\u{2066}name\u{2069}.txt").as_deref(), Ok("name.txt"));
    }
}
