//! User-supplied single-line text (package titles, display names, token names, file names): one rule
//! for the characters that would make it read differently on screen than it is.

/// Characters that reorder text on screen: with U+202E, `invoice<U+202E>fdp.exe` reads as
/// `invoiceexe.pdf`, and a title or display name can be made to read as someone else's.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `raw` without bidi-control characters and surrounding white space; what is left is for the
/// caller's own checks (length, control characters).
pub fn single_line(raw: &str) -> String {
    let kept: String = raw.chars().filter(|c| !is_bidi_control(*c)).collect();
    kept.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::single_line;

    #[test]
    fn bidi_controls_are_removed_and_the_rest_kept() {
        assert_eq!(single_line(" Invoice\u{202E}fdp.exe "), "Invoicefdp.exe");
        assert_eq!(single_line("\u{2066}Alice\u{2069}"), "Alice");
        assert_eq!(single_line("שלום Ferry"), "שלום Ferry");
        assert_eq!(single_line("\u{200F} "), "");
    }
}
