//! `GET /api/v1/settings` (every signed-in user) and `PUT /api/v1/admin/settings` (admins).

use app::{
    paths,
    types::{ErrorBody, Settings},
};
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::{CurrentAdmin, CurrentUser},
    error::AppError,
    http::respond::ApiJson,
    services,
    services::AppState,
};

/// The routes of this module, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(update))
}

/// The admin settings, which shape what the web app offers to everyone.
#[utoipa::path(get, path = paths::SETTINGS, tag = "accounts", operation_id = "get_settings",
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The current settings", body = Settings),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    _current: CurrentUser,
) -> Result<ApiJson<Settings>, AppError> {
    Ok(ApiJson(services::settings::load(&state.db).await?))
}

/// Replaces the admin settings.
#[utoipa::path(put, path = paths::ADMIN_SETTINGS, tag = "admin", operation_id = "update_settings", request_body = Settings,
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The settings as saved", body = Settings),
        (status = 400, description = "A setting out of bounds (the message names it), or a malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF header", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    CurrentAdmin(admin): CurrentAdmin,
    ApiJson(new): ApiJson<Settings>,
) -> Result<ApiJson<Settings>, AppError> {
    let saved = services::settings::save(&state.db, new).await?;
    tracing::info!(user.id = admin.user.id, "changed the admin settings");
    Ok(ApiJson(saved))
}
