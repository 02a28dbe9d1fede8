//! Personal API tokens: listing, creating and revoking a user's own tokens. How a token looks and
//! how a request is authenticated by one is in [`crate::auth::token`].

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use app::types::ApiToken;

use crate::{
    auth::token::NewToken,
    db::entities::api_tokens::{self, Column},
    error::AppError,
};

/// Longest token name, in characters (the column's size).
pub const MAX_NAME_LEN: usize = 100;
/// Most tokens one user may hold: plenty for every machine and script, few enough to review.
pub const MAX_TOKENS_PER_USER: u64 = 50;

/// A user's tokens, oldest first.
pub async fn list(db: &DatabaseConnection, user_id: i64) -> Result<Vec<api_tokens::Model>, DbErr> {
    api_tokens::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Creates a token for `user_id`, working for `lifetime_days` (`None`: until revoked), and returns
/// its secret (to show once) with the stored row.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    lifetime_days: Option<u32>,
) -> Result<(String, api_tokens::Model), AppError> {
    let max = ApiToken::MAX_LIFETIME_DAYS;
    if lifetime_days.is_some_and(|days| !(1..=max).contains(&days)) {
        return Err(AppError::BadRequest(format!(
            "A token can work for 1 to {max} days (expires_in_days), or until revoked (null)."
        )));
    }
    let name = crate::services::text::single_line(name);
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(AppError::BadRequest(format!(
            "The token name must be 1 to {MAX_NAME_LEN} characters long."
        )));
    }
    check_room(db, user_id).await?;
    let token = NewToken::generate();
    let now = Utc::now();
    let row = api_tokens::ActiveModel {
        user_id: Set(user_id),
        name: Set(name),
        token_hash: Set(token.hash),
        prefix: Set(token.prefix),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(lifetime_days.map(|days| now + chrono::Duration::days(i64::from(days)))),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(user.id = user_id, token.id = row.id, "created an API token");
    Ok((token.secret, row))
}

/// Refuses when `user_id` already holds [`MAX_TOKENS_PER_USER`] tokens.
pub async fn check_room(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    let held = api_tokens::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .count(db)
        .await?;
    if held >= MAX_TOKENS_PER_USER {
        return Err(AppError::Conflict(format!(
            "You already have {MAX_TOKENS_PER_USER} API tokens: revoke one before creating another."
        )));
    }
    Ok(())
}

/// Revokes one of `user_id`'s tokens; another user's token is "not found", like a missing one.
pub async fn revoke(db: &DatabaseConnection, user_id: i64, token_id: i64) -> Result<(), AppError> {
    let deleted = api_tokens::Entity::delete_many()
        .filter(Column::Id.eq(token_id))
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    tracing::info!(
        user.id = user_id,
        token.id = token_id,
        "revoked an API token"
    );
    Ok(())
}

/// Revokes every token of `user_id` (their password changed or was reset: a token taken with the
/// old one must not outlive it). Answers how many there were.
pub async fn revoke_all_for(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    let revoked = api_tokens::Entity::delete_many()
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(revoked.rows_affected)
}
