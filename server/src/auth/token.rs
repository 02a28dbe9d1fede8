//! Personal API tokens: their format, how they are stored, and authenticating a request by one.
//! A token is `ferry_pat_` and 256 random bits in unpadded base64url; the database keeps only its
//! SHA-256 and its first characters (to tell tokens apart in a list).

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr};
use sha2::{Digest, Sha256};

use crate::db::entities::{api_tokens, users};

/// What every token starts with, so secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "ferry_pat_";
/// Length of the random part: 32 bytes in unpadded base64url.
const SECRET_LEN: usize = 43;
/// How many leading characters of a token are kept in clear to tell tokens apart.
pub const DISPLAY_PREFIX_LEN: usize = 12;
/// `last_used_at` is written at most this often, so token use does not make every read a write.
const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// A freshly made token: the secret (shown once) and what is stored about it.
pub struct NewToken {
    pub secret: String,
    pub hash: String,
    pub prefix: String,
}

impl NewToken {
    /// A new random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        );
        Self {
            hash: hash(&secret),
            prefix: secret.chars().take(DISPLAY_PREFIX_LEN).collect(),
            secret,
        }
    }
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn is_well_formed(token: &str) -> bool {
    token.strip_prefix(TOKEN_PREFIX).is_some_and(|secret| {
        secret.len() == SECRET_LEN
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The token of an `Authorization: Bearer <token>` header. Such requests are authenticated by the
/// token alone and need no CSRF header (another site cannot make a browser send one).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The token behind a secret and its user, when both are valid (the token not expired) and the
/// user is enabled. Records the use (at most once per [`TOUCH_INTERVAL`]).
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(api_tokens::Model, users::Model)>, DbErr> {
    if !is_well_formed(token) {
        return Ok(None);
    }
    let found = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(hash(token)))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    let Some((row, Some(user))) = found else {
        return Ok(None);
    };
    let now = Utc::now();
    if user.disabled || row.expires_at.is_some_and(|expiry| expiry <= now) {
        return Ok(None);
    }
    if row
        .last_used_at
        .is_none_or(|used| now - used >= TOUCH_INTERVAL)
    {
        api_tokens::Entity::update_many()
            .col_expr(api_tokens::Column::LastUsedAt, Expr::value(now))
            .filter(api_tokens::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Some((row, user)))
}

/// Whether API token `token_id` of `user_id` still works (not revoked, not expired).
pub async fn is_live(
    db: &impl ConnectionTrait,
    user_id: i64,
    token_id: i64,
) -> Result<bool, DbErr> {
    let token = api_tokens::Entity::find_by_id(token_id)
        .filter(api_tokens::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    Ok(token.is_some_and(|token| token.expires_at.is_none_or(|expiry| expiry > Utc::now())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_have_the_documented_shape() {
        let token = NewToken::generate();
        assert!(token.secret.starts_with("ferry_pat_"));
        assert_eq!(token.secret.len(), TOKEN_PREFIX.len() + SECRET_LEN);
        assert!(is_well_formed(&token.secret));
        assert_eq!(token.prefix, token.secret[..12]);
        assert_eq!(token.hash, hash(&token.secret));
        assert_eq!(token.hash.len(), 64);
        assert_ne!(token.secret, NewToken::generate().secret);
    }

    #[test]
    fn malformed_tokens_are_refused_before_any_lookup() {
        let good = NewToken::generate().secret;
        assert!(!is_well_formed(&good[1..]));
        assert!(!is_well_formed(&format!("{good}x")));
        assert!(!is_well_formed(&good.replace("ferry_pat_", "ferry_xyz_")));
        assert!(!is_well_formed(&format!("{}!", &good[..good.len() - 1])));
    }

    #[test]
    fn reads_bearer_credentials_only() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            headers
        };
        assert_eq!(bearer(&with("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&with("bearer abc")), Some("abc"));
        assert_eq!(bearer(&with("Basic YWxpY2U6cHc=")), None);
        assert_eq!(bearer(&with("Bearer ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
