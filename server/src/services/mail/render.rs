//! The text of notification emails: a subject, a plain-text part and an HTML part. Every
//! user-supplied string (titles, names) is escaped in the HTML part and flattened to one line in
//! the subject and names, so nothing a user types can add a header or markup.

use app::types::NotificationKind;

use crate::config::MailConfig;

/// Longest subject kept, in characters (a longer title is cut with "…").
const MAX_SUBJECT_CHARS: usize = 200;

/// One rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What an email is about.
pub struct About<'a> {
    pub kind: NotificationKind,
    pub package_id: i64,
    pub package_title: &'a str,
    /// The sender (received) or the recipient (downloaded).
    pub actor_name: &'a str,
    /// The addressee's display name.
    pub to_name: &'a str,
}

/// Renders the email about `about`; links start with the configured public URL.
pub fn render(config: &MailConfig, about: &About<'_>) -> Rendered {
    let title = one_line(about.package_title);
    let actor = one_line(about.actor_name);
    let link = config.link(&format!("/packages/{}", about.package_id));
    let (subject, sentence) = match about.kind {
        NotificationKind::PackageReceived => (
            format!("{actor} sent you a package: {title}"),
            format!("{actor} sent you a package, \u{201c}{title}\u{201d}."),
        ),
        NotificationKind::PackageDownloaded => (
            format!("{actor} downloaded your package: {title}"),
            format!("{actor} downloaded every file of your package \u{201c}{title}\u{201d}."),
        ),
        NotificationKind::FilesExpired => (
            format!("The files of your package expired: {title}"),
            format!(
                "The files of your package \u{201c}{title}\u{201d} were deleted by its expiration policy."
            ),
        ),
    };
    let greeting = format!("Hello {},", one_line(about.to_name));
    let footer = "You get this email because of your Ferry notification preferences.";
    let text = format!("{greeting}\n\n{sentence}\n\nOpen it in Ferry: {link}\n\n-- \n{footer}\n");
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{subject_html}</title></head>\
         <body style=\"font-family: sans-serif; line-height: 1.5\">\n<p>{greeting}</p>\n<p>{sentence}</p>\n\
         <p><a href=\"{link_html}\">Open the package in Ferry</a></p>\n\
         <p style=\"color: #666; font-size: 0.9em\">{footer}</p>\n</body></html>\n",
        subject_html = escape_html(&subject),
        greeting = escape_html(&greeting),
        sentence = escape_html(&sentence),
        link_html = escape_html(&link),
    );
    Rendered {
        subject: truncate(&subject, MAX_SUBJECT_CHARS),
        text,
        html,
    }
}

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `text` on one line: every control character (CR and LF included) becomes a space, runs of
/// spaces shrink to one. What a header or a name can safely hold.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_lines_are_flattened() {
        assert_eq!(
            escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(
            one_line("Hi\r\nBcc: evil@example.com\t x"),
            "Hi Bcc: evil@example.com x"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
