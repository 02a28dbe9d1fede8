//! Account rules: creating and changing users and their passwords. A user's own preferences, the
//! user directory and personal API tokens have modules of their own.

pub mod directory;
pub mod preferences;
pub mod tokens;

use app::types::{NewUser, PasswordChange, Role, UserUpdate};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
    sea_query::{Expr, ExprTrait, Func},
};

use crate::{
    auth::{
        password, session,
        throttle::{Attempt, ClientAddress},
        username,
    },
    db::entities::users::{self, Column},
    error::AppError,
};

/// Longest display name, in characters (the column's size).
pub const MAX_DISPLAY_NAME_LEN: usize = 128;
/// Longest email address (RFC 5321's limit, the column's size).
pub const MAX_EMAIL_LEN: usize = 254;

fn bad(message: String) -> AppError {
    AppError::BadRequest(message)
}

/// The display name to store: trimmed, without bidi controls, the username when blank, bounded.
fn display_name(given: &str, username: &str) -> Result<String, AppError> {
    let name = super::text::single_line(given);
    if name.is_empty() {
        return Ok(username.to_owned());
    }
    if name.chars().count() > MAX_DISPLAY_NAME_LEN {
        return Err(bad(format!(
            "The display name must be at most {MAX_DISPLAY_NAME_LEN} characters long."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(bad(
            "The display name must not contain control characters.".into()
        ));
    }
    Ok(name)
}

/// The email to store: trimmed, `None` when blank, and otherwise shaped like `name@example.com`.
fn email(given: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(email) = given.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let plausible = email.len() <= MAX_EMAIL_LEN
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !plausible {
        return Err(bad(format!(
            "The email address is not valid: it must look like name@example.com and be at most \
             {MAX_EMAIL_LEN} characters long."
        )));
    }
    Ok(Some(email.to_owned()))
}

fn check_password_policy(new_password: &str) -> Result<(), AppError> {
    password::check_policy(new_password).map_err(|why| bad(format!("The password {why}.")))
}

fn username_taken(name: &str) -> AppError {
    AppError::Conflict(format!("The username {name:?} is already taken."))
}

async fn ensure_username_free(db: &impl ConnectionTrait, name: &str) -> Result<(), AppError> {
    let clash = users::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(Column::Username))).eq(name.to_lowercase()))
        .one(db)
        .await?;
    match clash {
        Some(_) => Err(username_taken(name)),
        None => Ok(()),
    }
}

/// Emails are unique among users, ignoring case; `except` is the user being changed.
async fn ensure_email_free(
    db: &impl ConnectionTrait,
    email: &str,
    except: Option<i64>,
) -> Result<(), AppError> {
    let mut query = users::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(Column::Email))).eq(email.to_lowercase()));
    if let Some(id) = except {
        query = query.filter(Column::Id.ne(id));
    }
    match query.one(db).await? {
        Some(_) => Err(AppError::Conflict(format!(
            "The email address {email:?} is already used by another user."
        ))),
        None => Ok(()),
    }
}

/// Creates an enabled user (admins only; the caller checked that).
pub async fn create_user(db: &DatabaseConnection, new: NewUser) -> Result<users::Model, AppError> {
    username::check(&new.username).map_err(|why| bad(format!("The username {why}.")))?;
    let display_name = display_name(&new.display_name, &new.username)?;
    let email = email(new.email.as_deref())?;
    check_password_policy(&new.password)?;
    ensure_username_free(db, &new.username).await?;
    if let Some(email) = &email {
        ensure_email_free(db, email, None).await?;
    }
    let password_hash = password::hash(new.password).await?;
    let now = Utc::now();
    let inserted = users::ActiveModel {
        username: Set(new.username.clone()),
        display_name: Set(display_name),
        email: Set(email),
        role: Set(users::Role::from(new.role)),
        password_hash: Set(password_hash),
        disabled: Set(false),
        desktop_client_disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(username_taken(&new.username))
        }
        other => Ok(other?),
    }
}

/// Every user, ordered by username.
pub async fn list_users(db: &DatabaseConnection) -> Result<Vec<users::Model>, DbErr> {
    users::Entity::find()
        .order_by_asc(Column::Username)
        .all(db)
        .await
}

/// Changes a user as `actor` (an admin) asked. Admins cannot disable or demote themselves, and the
/// last enabled admin stays one. Disabling a user ends their sessions (their API tokens stop
/// working too: authentication refuses disabled users).
pub async fn update_user(
    db: &DatabaseConnection,
    actor: &users::Model,
    id: i64,
    update: UserUpdate,
) -> Result<users::Model, AppError> {
    let txn = db.begin().await?;
    let target = users::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut row: users::ActiveModel = target.clone().into();
    if let Some(given) = &update.display_name {
        row.display_name = Set(display_name(given, &target.username)?);
    }
    if let Some(given) = &update.email {
        let email = email(given.as_deref())?;
        if let Some(email) = &email {
            ensure_email_free(&txn, email, Some(target.id)).await?;
        }
        row.email = Set(email);
    }
    let role = update.role.unwrap_or(target.role.into());
    let disabled = update.disabled.unwrap_or(target.disabled);
    let was_enabled_admin = target.is_admin() && !target.disabled;
    if was_enabled_admin && (role != Role::Admin || disabled) {
        ensure_an_admin_remains(&txn, actor, &target, disabled).await?;
    }
    row.role = Set(users::Role::from(role));
    row.disabled = Set(disabled);
    if let Some(desktop_client_disabled) = update.desktop_client_disabled {
        row.desktop_client_disabled = Set(desktop_client_disabled);
    }
    row.updated_at = Set(Utc::now());
    let updated = row.update(&txn).await?;
    if disabled && !target.disabled {
        session::delete_all_for(&txn, target.id).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Refuses a change that takes the admin role (or the account) away from `target`, an enabled
/// admin, when it is the actor themself or the last enabled admin. Locks the enabled admins' rows
/// (PostgreSQL), so two admins demoting each other at once cannot both succeed.
async fn ensure_an_admin_remains(
    txn: &impl ConnectionTrait,
    actor: &users::Model,
    target: &users::Model,
    disabling: bool,
) -> Result<(), AppError> {
    if target.id == actor.id {
        return Err(AppError::Conflict(if disabling {
            "You cannot disable your own account; ask another administrator.".into()
        } else {
            "You cannot remove your own administrator role; ask another administrator.".into()
        }));
    }
    let enabled_admins = users::Entity::find()
        .filter(Column::Role.eq(users::Role::Admin))
        .filter(Column::Disabled.eq(false))
        .lock_exclusive()
        .all(txn)
        .await?;
    if enabled_admins.iter().all(|admin| admin.id == target.id) {
        return Err(AppError::Conflict(format!(
            "{} is the last enabled administrator: make someone else an administrator first.",
            target.username
        )));
    }
    Ok(())
}

/// An admin sets a user's password; the user's sessions end and their API tokens are revoked.
pub async fn reset_password(
    db: &DatabaseConnection,
    id: i64,
    new_password: String,
) -> Result<(), AppError> {
    check_password_policy(&new_password)?;
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let password_hash = password::hash(new_password).await?;
    let txn = db.begin().await?;
    let changed = users::Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::value(password_hash))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    session::delete_all_for(&txn, id).await?;
    tokens::revoke_all_for(&txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// A user changes their own password, proving they know the current one (a guess counts against
/// the sign-in throttle). Every session of the user ends and every API token is revoked (a token
/// taken with the old password must not outlive it); with `new_session` the caller gets a fresh
/// session (its value) so this browser stays signed in.
pub async fn change_password(
    db: &DatabaseConnection,
    user: &users::Model,
    address: ClientAddress,
    change: PasswordChange,
    new_session: bool,
) -> Result<Option<String>, AppError> {
    check_password_policy(&change.new_password)?;
    let attempt = Attempt::begin(db, &user.username, address).await?;
    let stored = Some(user.password_hash.clone());
    if !password::verify(change.current_password, stored).await? {
        return Err(bad("Your current password is not correct.".into()));
    }
    attempt.succeeded(db).await?;
    let password_hash = password::hash(change.new_password).await?;
    let txn = db.begin().await?;
    users::Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::value(password_hash))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    session::delete_all_for(&txn, user.id).await?;
    tokens::revoke_all_for(&txn, user.id).await?;
    let session = if new_session {
        Some(session::create(&txn, user.id).await?)
    } else {
        None
    };
    txn.commit().await?;
    tracing::info!(user.id = user.id, "changed their password");
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_default_to_the_username_and_are_bounded() {
        assert_eq!(display_name("  ", "alice").ok(), Some("alice".into()));
        assert_eq!(
            display_name(" Alice A. ", "alice").ok(),
            Some("Alice A.".into())
        );
        assert!(display_name(&"é".repeat(128), "alice").is_ok());
        assert!(display_name(&"é".repeat(129), "alice").is_err());
        assert!(display_name("a\u{7}b", "alice").is_err());
        assert_eq!(
            display_name("Bob\u{202E}nimda", "bob").ok(),
            Some("Bobnimda".into())
        );
        assert_eq!(display_name("\u{2067}", "bob").ok(), Some("bob".into()));
    }

    #[test]
    fn emails_are_optional_but_must_look_like_one() {
        assert_eq!(email(None).ok(), Some(None));
        assert_eq!(email(Some("  ")).ok(), Some(None));
        assert_eq!(
            email(Some(" Alice@Example.com ")).ok(),
            Some(Some("Alice@Example.com".into()))
        );
        for bad in [
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "alice@@example.com",
            "alice@.example.com",
            "alice@example.com.",
        ] {
            assert!(email(Some(bad)).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@example.com", "a".repeat(MAX_EMAIL_LEN));
        assert!(email(Some(&long)).is_err());
    }
}
