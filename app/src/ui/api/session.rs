//! Signing in and out, and what the web app needs to know before anyone signs in.

use gloo_net::http::Request;

use super::ApiError;
use super::transport::{check, decode, get, send, state_changing};
use crate::paths;
use crate::types::{ClientConfig, LoginRequest, SessionUser};

/// `GET /api/v1/session`: who is signed in. A 401 means nobody.
pub async fn get_session() -> Result<SessionUser, ApiError> {
    get(paths::SESSION, &[]).await
}

/// `POST /api/v1/session`: signs in; the server sets the session cookie.
pub async fn sign_in(credentials: &LoginRequest) -> Result<SessionUser, ApiError> {
    let request = state_changing(Request::post(paths::SESSION))
        .json(credentials)
        .map_err(|_| ApiError::Malformed)?;
    let response = check(request.send().await).await?;
    decode(response).await
}

/// `DELETE /api/v1/session`: signs out.
pub async fn sign_out() -> Result<(), ApiError> {
    send(state_changing(Request::delete(paths::SESSION)))
        .await
        .map(drop)
}

/// `GET /api/v1/config`: the server's version and the gateway URL, readable before sign-in.
pub async fn get_config() -> Result<ClientConfig, ApiError> {
    get(paths::CLIENT_CONFIG, &[]).await
}
