//! `/api/v1/me/notifications*`: my in-app notifications (the bell's count, the list, marking
//! read); `/api/v1/admin/mail`: the emails not delivered yet, for admins.

use app::{
    paths,
    types::{ErrorBody, NotificationPage, OutboxReport, PageQuery, UnreadCount},
};
use axum::{extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::packages::Paging;
use crate::{
    auth::{CurrentAdmin, CurrentUser},
    error::AppError,
    http::respond::{ApiJson, ApiPath},
    services::AppState,
    services::{mail, notifications},
};

/// The routes of this module, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
        .routes(routes!(outbox))
}

/// My notifications, newest first, with how many are unread.
#[utoipa::path(get, path = paths::ME_NOTIFICATIONS, tag = "notifications", operation_id = "list_my_notifications",
    params(PageQuery),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "One page of notifications", body = NotificationPage),
        (status = 400, description = "page below 1, per_page outside 1 to 100, or not numbers", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    Paging(query): Paging,
) -> Result<ApiJson<NotificationPage>, AppError> {
    Ok(ApiJson(
        notifications::list(&state.db, current.user.id, query).await?,
    ))
}

/// How many of my notifications are unread (what the bell shows; cheap enough to poll).
#[utoipa::path(get, path = paths::ME_NOTIFICATIONS_UNREAD, tag = "notifications", operation_id = "count_my_unread_notifications",
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The unread count", body = UnreadCount),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn unread(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<ApiJson<UnreadCount>, AppError> {
    let unread = notifications::unread(&state.db, current.user.id).await?;
    Ok(ApiJson(UnreadCount { unread }))
}

/// Marks one of my notifications read (marking it again changes nothing).
#[utoipa::path(post, path = paths::ME_NOTIFICATION_READ, tag = "notifications", operation_id = "mark_my_notification_read",
    params(("id" = i64, Path, description = "The notification's id")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 204, description = "Read"),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or cross-site request", body = ErrorBody),
        (status = 404, description = "No such notification among mine", body = ErrorBody),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    notifications::mark_read(&state.db, current.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks all my notifications read.
#[utoipa::path(post, path = paths::ME_NOTIFICATIONS_READ_ALL, tag = "notifications", operation_id = "mark_all_my_notifications_read",
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 204, description = "All read"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or cross-site request", body = ErrorBody),
    ))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<StatusCode, AppError> {
    notifications::mark_all_read(&state.db, current.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether email is on, and the notification emails not delivered yet (pending a retry, or given
/// up on) with their last error, most recent first.
#[utoipa::path(get, path = paths::ADMIN_MAIL, tag = "admin", operation_id = "list_undelivered_mail",
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "Undelivered mail", body = OutboxReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
pub async fn outbox(
    State(state): State<AppState>,
    _admin: CurrentAdmin,
) -> Result<ApiJson<OutboxReport>, AppError> {
    let report = mail::outbox::report(&state.db, state.config.mail.is_some()).await?;
    Ok(ApiJson(report))
}
