//! `/api/v1/me/*`: the signed-in user's own password, preferences and personal API tokens.

use app::{
    paths,
    types::{
        ApiToken, CreatedApiToken, ErrorBody, NewApiToken, PasswordChange, Preferences,
        PreferencesUpdate,
    },
};
use axum::{extract::State, http::StatusCode};
use axum_extra::extract::CookieJar;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::{Credential, CurrentUser, throttle::ClientAddress},
    db::entities::api_tokens,
    error::AppError,
    http::respond::{ApiJson, ApiPath},
    services::AppState,
    services::accounts::{self, tokens},
};

/// The routes of this module, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(preferences, set_preferences))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// The API's view of a token row (never its secret or hash).
pub(super) fn token_dto(token: api_tokens::Model) -> ApiToken {
    ApiToken {
        id: token.id,
        name: token.name,
        prefix: token.prefix,
        created_at: token.created_at,
        last_used_at: token.last_used_at,
        expires_at: token.expires_at,
    }
}

/// Changes my password. Every one of my sessions ends; a browser that asked with its session
/// cookie gets a fresh session in the answer, so it stays signed in.
#[utoipa::path(put, path = paths::ME_PASSWORD, tag = "accounts", operation_id = "change_my_password", request_body = PasswordChange,
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 204, description = "Changed; other sessions ended, every API token revoked, this browser's session cookie renewed"),
        (status = 400, description = "Wrong current password, a new password outside the policy, or a malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or cross-site request", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords for this account; see Retry-After", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    current: CurrentUser,
    address: ClientAddress,
    jar: CookieJar,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<(CookieJar, StatusCode), AppError> {
    let browser = current.credential.is_session();
    let session =
        accounts::change_password(&state.db, &current.user, address, change, browser).await?;
    let jar = match session {
        Some(token) => jar.add(super::session::session_cookie(&state, token)),
        None => jar,
    };
    Ok((jar, StatusCode::NO_CONTENT))
}

/// My preferences, and whether I may change them.
#[utoipa::path(get, path = paths::ME_PREFERENCES, tag = "accounts", operation_id = "get_my_preferences",
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "My preferences", body = Preferences),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn preferences(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<ApiJson<Preferences>, AppError> {
    Ok(ApiJson(
        accounts::preferences::read(&state.db, &current.user, state.config.mail.is_some()).await?,
    ))
}

/// Changes my preferences (refused when an admin reserves them to admins).
#[utoipa::path(put, path = paths::ME_PREFERENCES, tag = "accounts", operation_id = "set_my_preferences",
    request_body = PreferencesUpdate,
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The preferences as saved", body = Preferences),
        (status = 400, description = "A malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The administrator manages this preference, or a missing CSRF header", body = ErrorBody),
    ))]
pub async fn set_preferences(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(update): ApiJson<PreferencesUpdate>,
) -> Result<ApiJson<Preferences>, AppError> {
    Ok(ApiJson(
        accounts::preferences::update(
            &state.db,
            &current.user,
            update,
            state.config.mail.is_some(),
        )
        .await?,
    ))
}

/// My personal API tokens (without their secrets), oldest first.
#[utoipa::path(get, path = paths::ME_TOKENS, tag = "accounts", operation_id = "list_my_tokens",
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "My tokens", body = Vec<ApiToken>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn list_tokens(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<ApiJson<Vec<ApiToken>>, AppError> {
    let list = tokens::list(&state.db, current.user.id).await?;
    Ok(ApiJson(list.into_iter().map(token_dto).collect()))
}

/// Creates a personal API token for non-browser clients. Its secret is in this answer only; send it
/// as `Authorization: Bearer <token>`. It works for 90 days unless `expires_in_days` says otherwise
/// (`null`: until revoked). Only a signed-in person makes tokens: a token cannot make another.
#[utoipa::path(post, path = paths::ME_TOKENS, tag = "accounts", operation_id = "create_my_token", request_body = NewApiToken,
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = CreatedApiToken),
        (status = 400, description = "A name that is empty or too long, a lifetime out of range, or a malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with an API token, a missing CSRF header or a cross-site request", body = ErrorBody),
        (status = 409, description = "Too many tokens already; revoke one first", body = ErrorBody),
    ))]
pub async fn create_token(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(new): ApiJson<NewApiToken>,
) -> Result<(StatusCode, ApiJson<CreatedApiToken>), AppError> {
    if matches!(current.credential, Credential::ApiToken { .. }) {
        return Err(AppError::Forbidden(
            "An API token cannot create tokens: sign in to the web app to make one.".into(),
        ));
    }
    let (token, row) =
        tokens::create(&state.db, current.user.id, &new.name, new.expires_in_days).await?;
    let created = CreatedApiToken {
        token,
        details: token_dto(row),
    };
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// Revokes one of my API tokens: it stops working at once.
#[utoipa::path(delete, path = paths::ME_TOKEN, tag = "accounts", operation_id = "revoke_my_token",
    params(("id" = i64, Path, description = "The token's id")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or cross-site request", body = ErrorBody),
        (status = 404, description = "No such token among mine", body = ErrorBody),
    ))]
pub async fn revoke_token(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    tokens::revoke(&state.db, current.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
