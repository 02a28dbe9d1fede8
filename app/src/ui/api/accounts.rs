//! The signed-in user's own account: preferences, password, API tokens; and finding other users.

use super::ApiError;
use super::transport::{delete, get, post, put, put_ignoring_answer};
use crate::paths::{self, with_id};
use crate::types::{
    ApiToken, CreatedApiToken, NewApiToken, PasswordChange, Preferences, PreferencesUpdate,
    UserSummary,
};

/// `GET /api/v1/me/preferences`.
pub async fn get_preferences() -> Result<Preferences, ApiError> {
    get(paths::ME_PREFERENCES, &[]).await
}

/// `PUT /api/v1/me/preferences` (403 when an admin does not let users change it).
pub async fn update_preferences(update: &PreferencesUpdate) -> Result<Preferences, ApiError> {
    put(paths::ME_PREFERENCES, update).await
}

/// `PUT /api/v1/me/password`; this browser stays signed in.
pub async fn change_password(change: &PasswordChange) -> Result<(), ApiError> {
    put_ignoring_answer(paths::ME_PASSWORD, change).await
}

/// `GET /api/v1/me/tokens`.
pub async fn list_tokens() -> Result<Vec<ApiToken>, ApiError> {
    get(paths::ME_TOKENS, &[]).await
}

/// `POST /api/v1/me/tokens`: the answer holds the secret, which is never shown again.
pub async fn create_token(token: &NewApiToken) -> Result<CreatedApiToken, ApiError> {
    post(paths::ME_TOKENS, token).await
}

/// `DELETE /api/v1/me/tokens/{id}`.
pub async fn revoke_token(id: i64) -> Result<(), ApiError> {
    delete(&with_id(paths::ME_TOKEN, id)).await
}

/// `GET /api/v1/users?q=`: up to ten users whose username, display name or email starts with `q`.
pub async fn find_users(q: &str) -> Result<Vec<UserSummary>, ApiError> {
    get(paths::USERS, &[("q", q.to_owned())]).await
}
