//! Server-side browser sessions. The cookie carries 256 random bits; the database keeps only their
//! SHA-256, with idle and absolute expiry.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set,
};
use sha2::{Digest, Sha256};

use crate::db::entities::{sessions, users};

/// Name of the session cookie over plain HTTP.
pub const COOKIE_NAME: &str = "ferry_session";
/// Its name when the web app is reached over HTTPS: a browser accepts a `__Host-` cookie only when
/// it is `Secure`, has `Path=/` and no `Domain`, so no sibling host or plain-HTTP page can set or
/// shadow it.
pub const SECURE_COOKIE_NAME: &str = "__Host-ferry_session";

/// The session cookie's name: [`SECURE_COOKIE_NAME`] when cookies are `Secure`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}
/// A session unused for this long ends.
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// No session lives longer than this, however busy.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);
/// `last_seen_at` is written at most this often, so reads do not all become writes.
const TOUCH_INTERVAL: Duration = Duration::minutes(1);

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Starts a session for `user_id` and returns the cookie value (shown to nobody else).
pub async fn create(db: &impl ConnectionTrait, user_id: i64) -> Result<String, DbErr> {
    let token = new_token();
    let now = Utc::now();
    sessions::ActiveModel {
        id_hash: Set(hash_token(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + ABSOLUTE_TIMEOUT),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// A fingerprint of a session's stored id, for transfer tokens: it names the session without
/// revealing the key it is stored under.
pub fn fingerprint(id_hash: &str) -> String {
    let digest = hex::encode(Sha256::digest(id_hash.as_bytes()));
    digest[..32].to_owned()
}

/// Whether `user_id` has a live session whose [`fingerprint`] is `wanted`.
pub async fn is_live_for(
    db: &impl ConnectionTrait,
    user_id: i64,
    wanted: &str,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let sessions = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    Ok(sessions
        .iter()
        .any(|session| is_live(session, now) && fingerprint(&session.id_hash) == wanted))
}

fn is_live(session: &sessions::Model, now: DateTime<Utc>) -> bool {
    now < session.expires_at && now - session.last_seen_at < IDLE_TIMEOUT
}

/// The live session behind a cookie value and its (enabled) user. Expired sessions are removed.
pub async fn lookup(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<(sessions::Model, users::Model)>, DbErr> {
    let found = sessions::Entity::find_by_id(hash_token(token))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    let Some((session, Some(user))) = found else {
        return Ok(None);
    };
    let now = Utc::now();
    if !is_live(&session, now) || user.disabled {
        sessions::Entity::delete_by_id(session.id_hash.clone())
            .exec(db)
            .await?;
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_INTERVAL {
        let mut active: sessions::ActiveModel = session.clone().into();
        active.last_seen_at = Set(now);
        active.update(db).await?;
    }
    Ok(Some((session, user)))
}

/// Ends the session behind a cookie value, if any.
pub async fn delete(db: &DatabaseConnection, token: &str) -> Result<(), DbErr> {
    sessions::Entity::delete_by_id(hash_token(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user (password change, account disabled).
pub async fn delete_all_for(db: &impl ConnectionTrait, user_id: i64) -> Result<(), DbErr> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64");
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn idle_and_absolute_timeouts_end_a_session() {
        let now = Utc::now();
        let session = |last_seen: DateTime<Utc>, expires: DateTime<Utc>| sessions::Model {
            id_hash: String::new(),
            user_id: 1,
            created_at: now,
            last_seen_at: last_seen,
            expires_at: expires,
        };
        assert!(is_live(&session(now, now + Duration::hours(1)), now));
        assert!(!is_live(
            &session(now - IDLE_TIMEOUT, now + Duration::hours(1)),
            now
        ));
        assert!(!is_live(&session(now, now), now));
    }
}
