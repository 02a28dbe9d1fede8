//! `/api/v1/session`: sign in, who am I, sign out.

use app::{
    limits::{MAX_PASSWORD_LEN, MAX_USERNAME_LEN},
    types::{ErrorBody, LoginRequest, SessionUser},
};
use axum::{extract::State, http::StatusCode};
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    auth::{
        CurrentUser, password, session,
        throttle::{Attempt, ClientAddress},
    },
    db::entities::users,
    error::AppError,
    http::respond::ApiJson,
    services::AppState,
};

fn to_dto(user: &users::Model) -> SessionUser {
    SessionUser {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role.into(),
    }
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    security((), ("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "Signed in", body = SessionUser),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn current(current: CurrentUser) -> ApiJson<SessionUser> {
    ApiJson(to_dto(&current.user))
}

/// Signs in: checks the password and starts a fresh session (any previous one from this browser
/// ends, so a planted session id is never promoted). Sets the session cookie (`ferry_session`, or
/// `__Host-ferry_session` over HTTPS). Too many failures for the account from the client's address,
/// or from that address for any account, are refused with 429 before the password is looked at,
/// the same way for unknown and existing users; an account guessed at from many addresses is
/// slowed, never refused (`auth::throttle`).
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionUser),
        (status = 400, description = "Username or password missing, or a malformed body", body = ErrorBody),
        (status = 401, description = "Wrong username or password (the same answer for an unknown user)", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or cross-site request", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    address: ClientAddress,
    jar: CookieJar,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<(CookieJar, ApiJson<SessionUser>), AppError> {
    if request.username.is_empty() || request.password.is_empty() {
        return Err(AppError::BadRequest(
            "Enter your username and password.".into(),
        ));
    }
    if request.username.len() > MAX_USERNAME_LEN || request.password.len() > MAX_PASSWORD_LEN {
        return Err(AppError::InvalidCredentials);
    }
    let attempt = Attempt::begin(&state.db, &request.username, address).await?;
    let user = users::Entity::find()
        .filter(users::Column::Username.eq(request.username.as_str()))
        .one(&state.db)
        .await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let password_ok = password::verify(request.password, stored).await?;
    let user = match user {
        Some(user) if password_ok && !user.disabled => user,
        _ => {
            // The request's span names the client's address.
            tracing::info!(
                username = %request.username,
                "sign-in failed: wrong username or password, or a disabled account"
            );
            return Err(AppError::InvalidCredentials);
        }
    };
    attempt.succeeded(&state.db).await?;
    if let Some(old) = jar.get(session::cookie_name(state.config.secure_cookies())) {
        session::delete(&state.db, old.value()).await?;
    }
    let token = session::create(&state.db, user.id).await?;
    tracing::info!(user.id = user.id, "signed in");
    Ok((
        jar.add(session_cookie(&state, token)),
        ApiJson(to_dto(&user)),
    ))
}

/// The session cookie carrying a new session's value: HttpOnly, SameSite=Lax, no longer-lived than
/// the session itself, and `Secure` with the `__Host-` prefix whenever browsers reach Ferry over
/// HTTPS (its own TLS, or a proxy's when `public_url` is `https://…`).
pub(super) fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let secure = state.config.secure_cookies();
    Cookie::build((session::cookie_name(secure), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_from(session::ABSOLUTE_TIMEOUT))
        .build()
}

/// Signs out: ends this browser's session. Succeeds even when already signed out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        (status = 403, description = "Missing CSRF header or cross-site request", body = ErrorBody),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), AppError> {
    let secure = state.config.secure_cookies();
    let name = session::cookie_name(secure);
    if let Some(cookie) = jar.get(name) {
        session::delete(&state.db, cookie.value()).await?;
    }
    let removal = Cookie::build((name, "")).path("/").secure(secure);
    Ok((jar.remove(removal), StatusCode::NO_CONTENT))
}

fn time_from(duration: chrono::Duration) -> time::Duration {
    time::Duration::seconds(duration.num_seconds())
}
