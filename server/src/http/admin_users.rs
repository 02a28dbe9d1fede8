//! `/api/v1/admin/users`: admins list, create and change users and set their passwords.

use app::{
    paths,
    types::{AdminUser, ErrorBody, NewUser, PasswordReset, UserUpdate},
};
use axum::{extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::CurrentAdmin,
    db::entities::users,
    error::AppError,
    http::respond::{ApiJson, ApiPath},
    services::AppState,
    services::accounts,
};

/// The routes of this module, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
        .routes(routes!(reset_password))
}

fn to_dto(user: users::Model) -> AdminUser {
    AdminUser {
        id: user.id,
        role: user.role.into(),
        username: user.username,
        display_name: user.display_name,
        email: user.email,
        disabled: user.disabled,
        desktop_client_disabled: user.desktop_client_disabled,
        created_at: user.created_at,
    }
}

/// Every user, ordered by username.
#[utoipa::path(get, path = paths::ADMIN_USERS, tag = "admin", operation_id = "list_users",
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "Every user", body = Vec<AdminUser>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _admin: CurrentAdmin,
) -> Result<ApiJson<Vec<AdminUser>>, AppError> {
    let users = accounts::list_users(&state.db).await?;
    Ok(ApiJson(users.into_iter().map(to_dto).collect()))
}

/// Creates a user. The display name defaults to the username; the email is optional.
#[utoipa::path(post, path = paths::ADMIN_USERS, tag = "admin", operation_id = "create_user", request_body = NewUser,
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 201, description = "Created", body = AdminUser),
        (status = 400, description = "An invalid username, display name, email or password (the message says which), or a malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF header", body = ErrorBody),
        (status = 409, description = "The username or the email is already used", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    CurrentAdmin(admin): CurrentAdmin,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, ApiJson<AdminUser>), AppError> {
    let user = accounts::create_user(&state.db, new).await?;
    tracing::info!(user.id = user.id, by = admin.user.id, "created a user");
    Ok((StatusCode::CREATED, ApiJson(to_dto(user))))
}

/// Changes a user: only the fields present change. Disabling a user ends their sessions and stops
/// their API tokens.
#[utoipa::path(patch, path = paths::ADMIN_USER, tag = "admin", operation_id = "update_user", request_body = UserUpdate,
    params(("id" = i64, Path, description = "The user's id")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The user as changed", body = AdminUser),
        (status = 400, description = "An invalid display name or email, a malformed body, or an id that is not a number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF header", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The email is used by another user, or the change would disable or demote yourself or the last enabled admin", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    CurrentAdmin(admin): CurrentAdmin,
    ApiPath(id): ApiPath<i64>,
    ApiJson(update): ApiJson<UserUpdate>,
) -> Result<ApiJson<AdminUser>, AppError> {
    let user = accounts::update_user(&state.db, &admin.user, id, update).await?;
    tracing::info!(user.id = user.id, by = admin.user.id, "changed a user");
    Ok(ApiJson(to_dto(user)))
}

/// Sets a user's password; their sessions end.
#[utoipa::path(put, path = paths::ADMIN_USER_PASSWORD, tag = "admin", operation_id = "reset_user_password",
    request_body = PasswordReset,
    params(("id" = i64, Path, description = "The user's id")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 204, description = "Set; the user's sessions ended and API tokens revoked"),
        (status = 400, description = "A password outside the policy, a malformed body, or an id that is not a number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF header", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    CurrentAdmin(admin): CurrentAdmin,
    ApiPath(id): ApiPath<i64>,
    ApiJson(reset): ApiJson<PasswordReset>,
) -> Result<StatusCode, AppError> {
    accounts::reset_password(&state.db, id, reset.new_password).await?;
    tracing::info!(user.id = id, by = admin.user.id, "reset a password");
    Ok(StatusCode::NO_CONTENT)
}
