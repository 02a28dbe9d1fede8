//! What a valid new package is: its title, its note, and recipients that name enabled users.

use std::collections::HashSet;

use app::types::NewPackage;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};

use crate::{db::entities::users, error::AppError};

/// The title without surrounding spaces and bidi controls, if it is a valid one.
pub(super) fn check_title(title: &str) -> Result<String, AppError> {
    let title = crate::services::text::single_line(title);
    if title.is_empty() {
        return Err(AppError::BadRequest(
            "Enter a title for the package.".into(),
        ));
    }
    if title.chars().count() > NewPackage::MAX_TITLE_LEN {
        return Err(AppError::BadRequest(format!(
            "The title can be at most {} characters long.",
            NewPackage::MAX_TITLE_LEN
        )));
    }
    if title.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "The title cannot contain control characters such as line breaks or tabs.".into(),
        ));
    }
    Ok(title)
}

/// Notes may span lines; other control characters (NUL, which PostgreSQL cannot store, escapes)
/// are refused.
pub(super) fn check_note(note: &str) -> Result<(), AppError> {
    if note.chars().count() > NewPackage::MAX_NOTE_LEN {
        return Err(AppError::BadRequest(format!(
            "The note can be at most {} characters long.",
            NewPackage::MAX_NOTE_LEN
        )));
    }
    if note
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::BadRequest(
            "The note cannot contain control characters other than line breaks and tabs.".into(),
        ));
    }
    Ok(())
}

/// The ids of the enabled users that `entries` name, each once. An entry with an `@` is an email
/// address, matched ignoring ASCII case (the same on SQLite and PostgreSQL); any other entry is a
/// username, matched exactly (usernames cannot contain `@`). Refuses the whole list, naming every
/// entry that matches nobody; a disabled user matches nobody.
pub(super) async fn resolve_recipients(
    db: &impl ConnectionTrait,
    entries: &[String],
) -> Result<Vec<i64>, AppError> {
    if entries.len() > NewPackage::MAX_RECIPIENTS {
        return Err(AppError::BadRequest(format!(
            "A package can have at most {} recipients.",
            NewPackage::MAX_RECIPIENTS
        )));
    }
    let is_email = |entry: &str| entry.contains('@');
    let mut seen = HashSet::new();
    let wanted: Vec<&str> = entries
        .iter()
        .map(|entry| entry.trim())
        .filter(|entry| !entry.is_empty())
        .filter(|entry| {
            let key = if is_email(entry) {
                entry.to_ascii_lowercase()
            } else {
                (*entry).to_owned()
            };
            seen.insert(key)
        })
        .collect();
    if wanted.is_empty() {
        return Err(AppError::BadRequest(
            "Add at least one recipient: a username or an email address.".into(),
        ));
    }

    let usernames: Vec<&str> = wanted.iter().copied().filter(|e| !is_email(e)).collect();
    let emails: Vec<String> = wanted
        .iter()
        .filter(|e| is_email(e))
        .map(|e| e.to_ascii_lowercase())
        .collect();
    let candidates: Vec<(i64, String, Option<String>)> = users::Entity::find()
        .select_only()
        .columns([
            users::Column::Id,
            users::Column::Username,
            users::Column::Email,
        ])
        .filter(users::Column::Disabled.eq(false))
        .filter(
            Condition::any()
                .add(users::Column::Username.is_in(usernames))
                .add(Expr::expr(Func::lower(Expr::col(users::Column::Email))).is_in(emails)),
        )
        .into_tuple()
        .all(db)
        .await?;

    let mut ids = Vec::with_capacity(wanted.len());
    let mut unknown = Vec::new();
    let mut ambiguous = Vec::new();
    for entry in wanted {
        let matches: Vec<i64> = candidates
            .iter()
            .filter(|(_, username, email)| {
                if is_email(entry) {
                    email
                        .as_deref()
                        .is_some_and(|email| email.eq_ignore_ascii_case(entry))
                } else {
                    username == entry
                }
            })
            .map(|(id, _, _)| *id)
            .collect();
        match matches.as_slice() {
            [] => unknown.push(entry),
            [id] if !ids.contains(id) => ids.push(*id),
            [_] => {}
            _ => ambiguous.push(entry),
        }
    }
    if !unknown.is_empty() {
        return Err(AppError::BadRequest(format!(
            "No user matches: {}",
            unknown.join(", ")
        )));
    }
    if !ambiguous.is_empty() {
        return Err(AppError::BadRequest(format!(
            "More than one user has the email address {}: enter their usernames instead.",
            ambiguous.join(", ")
        )));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded_by_characters_not_bytes() {
        assert_eq!(
            check_title("  Q3 report \t").ok().as_deref(),
            Some("Q3 report")
        );
        assert_eq!(
            check_title("Invoice \u{202E}fdp.exe").ok().as_deref(),
            Some("Invoice fdp.exe")
        );
        assert!(check_title("\u{202E}").is_err());
        assert!(check_title("   ").is_err());
        assert!(check_title(&"é".repeat(NewPackage::MAX_TITLE_LEN)).is_ok());
        assert!(check_title(&"é".repeat(NewPackage::MAX_TITLE_LEN + 1)).is_err());
        assert!(check_title("two\nlines").is_err());
        assert!(check_title("nul\0").is_err());
    }

    #[test]
    fn notes_keep_line_breaks_but_not_other_control_characters() {
        assert!(check_note("").is_ok());
        assert!(check_note("line one\r\nline two\tindented").is_ok());
        assert!(check_note("nul\0").is_err());
        assert!(check_note("escape\u{1b}[31m").is_err());
        assert!(check_note(&"x".repeat(NewPackage::MAX_NOTE_LEN)).is_ok());
        assert!(check_note(&"x".repeat(NewPackage::MAX_NOTE_LEN + 1)).is_err());
    }
}
