//! `/api/v1/device/*`: signing in a device (`ferry-desktop login`) with the device authorization
//! flow of RFC 8628. The device's two calls carry no credentials (and so need no CSRF header); the
//! approval page's three need a signed-in browser session.

use app::{
    paths,
    types::{
        CreatedApiToken, DeviceAuthorization, DeviceAuthorizationInfo, DeviceAuthorizationRequest,
        DeviceTokenRequest, ErrorBody,
    },
};
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{authority::SiteAuthority, client_config::site_url, me::token_dto};
use crate::{
    auth::{CurrentUser, throttle::ClientAddress},
    error::AppError,
    http::respond::{ApiJson, ApiPath},
    services::{AppState, devices},
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(poll))
        .routes(routes!(show))
        .routes(routes!(approve))
        .routes(routes!(deny))
}

/// Starts signing in a device: answers a secret `device_code` to poll with and a `user_code` for
/// its user to approve at `verification_uri` (RFC 8628 §3.2). No credentials; limited per client
/// address.
#[utoipa::path(post, path = paths::DEVICE_AUTHORIZATIONS, tag = "session",
    operation_id = "start_device_authorization", request_body = DeviceAuthorizationRequest,
    responses(
        (status = 200, description = "A code pair; show user_code and verification_uri to the user", body = DeviceAuthorization),
        (status = 400, description = "An empty, too long or multi-line device name, or a malformed body", body = ErrorBody),
        (status = 421, description = "A host name this server does not answer for (see allowed_hosts)", body = ErrorBody),
        (status = 429, description = "Too many codes asked for from this address; see Retry-After", body = ErrorBody),
    ))]
pub async fn start(
    State(state): State<AppState>,
    address: ClientAddress,
    site: SiteAuthority,
    ApiJson(request): ApiJson<DeviceAuthorizationRequest>,
) -> Result<ApiJson<DeviceAuthorization>, AppError> {
    let site = site_url(&state, &site)?;
    let started = devices::start(&state.db, &request, address).await?;
    let verification_uri = format!("{site}{}", paths::DEVICE_APPROVAL_PAGE);
    Ok(ApiJson(DeviceAuthorization {
        verification_uri_complete: format!("{verification_uri}?code={}", started.user_code),
        verification_uri,
        device_code: started.device_code,
        user_code: started.user_code,
        expires_in: DeviceAuthorization::LIFETIME_SECS,
        interval: DeviceAuthorization::POLL_INTERVAL_SECS,
    }))
}

/// The device polls for its token every `interval` seconds. Approved: a personal API token of the
/// approver, named after the device, handed out this once. Otherwise a 400 whose code says why:
/// `authorization_pending` (poll again), `slow_down` (poll again, 5 seconds slower from now on),
/// `access_denied`, or `expired_token` (expired, unknown or already used: start again).
#[utoipa::path(post, path = paths::DEVICE_TOKEN, tag = "session",
    operation_id = "poll_device_token", request_body = DeviceTokenRequest,
    responses(
        (status = 200, description = "Approved: the token, shown this once", body = CreatedApiToken),
        (status = 400, description = "authorization_pending, slow_down, access_denied or expired_token; or a malformed body", body = ErrorBody),
        (status = 409, description = "The approver already holds the most API tokens allowed", body = ErrorBody),
    ))]
pub async fn poll(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<DeviceTokenRequest>,
) -> Result<ApiJson<CreatedApiToken>, AppError> {
    let (token, row) = devices::poll(&state.db, &request.device_code).await?;
    Ok(ApiJson(CreatedApiToken {
        token,
        details: token_dto(row),
    }))
}

/// A device authorization by its user code (case and dashes ignored): the device's name, when it
/// asked and where it stands. For the approval page; never shows the device code.
#[utoipa::path(get, path = paths::DEVICE_AUTHORIZATION, tag = "session",
    operation_id = "get_device_authorization",
    params(("user_code" = String, Path, description = "The code the device shows, e.g. BCDF-GHJK")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The device authorization", body = DeviceAuthorizationInfo),
        (status = 400, description = "Not a code of 8 letters", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with an API token: only a signed-in person approves devices", body = ErrorBody),
        (status = 404, description = "No such code", body = ErrorBody),
        (status = 429, description = "Too many codes looked up by this user; see Retry-After", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(user_code): ApiPath<String>,
) -> Result<ApiJson<DeviceAuthorizationInfo>, AppError> {
    require_session(&current)?;
    Ok(ApiJson(
        devices::info(&state.db, &current.user, &user_code).await?,
    ))
}

/// Approves the device: its next poll gets a personal API token of mine, named after it (working
/// for 90 days, listed and revocable with my other tokens).
#[utoipa::path(post, path = paths::DEVICE_AUTHORIZATION_APPROVE, tag = "session",
    operation_id = "approve_device_authorization",
    params(("user_code" = String, Path, description = "The code the device shows")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Approved", body = DeviceAuthorizationInfo),
        (status = 400, description = "Not a code of 8 letters", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with an API token, a missing CSRF header or a cross-site request", body = ErrorBody),
        (status = 404, description = "No such code", body = ErrorBody),
        (status = 409, description = "Already approved or denied, or I hold the most API tokens allowed", body = ErrorBody),
        (status = 410, description = "The code expired", body = ErrorBody),
        (status = 429, description = "Too many codes looked up by this user; see Retry-After", body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(user_code): ApiPath<String>,
) -> Result<ApiJson<DeviceAuthorizationInfo>, AppError> {
    require_session(&current)?;
    Ok(ApiJson(
        devices::decide(&state.db, &current.user, &user_code, true).await?,
    ))
}

/// Denies the device: its next poll gets `access_denied`.
#[utoipa::path(post, path = paths::DEVICE_AUTHORIZATION_DENY, tag = "session",
    operation_id = "deny_device_authorization",
    params(("user_code" = String, Path, description = "The code the device shows")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Denied", body = DeviceAuthorizationInfo),
        (status = 400, description = "Not a code of 8 letters", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with an API token, a missing CSRF header or a cross-site request", body = ErrorBody),
        (status = 404, description = "No such code", body = ErrorBody),
        (status = 409, description = "Already approved or denied", body = ErrorBody),
        (status = 410, description = "The code expired", body = ErrorBody),
        (status = 429, description = "Too many codes looked up by this user; see Retry-After", body = ErrorBody),
    ))]
pub async fn deny(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(user_code): ApiPath<String>,
) -> Result<ApiJson<DeviceAuthorizationInfo>, AppError> {
    require_session(&current)?;
    Ok(ApiJson(
        devices::decide(&state.db, &current.user, &user_code, false).await?,
    ))
}

/// Devices are approved by a person in the web app, not by another device's token.
fn require_session(current: &CurrentUser) -> Result<(), AppError> {
    if !current.credential.is_session() {
        return Err(AppError::Forbidden(
            "Devices are approved in the web app, signed in: an API token cannot approve one."
                .into(),
        ));
    }
    Ok(())
}
