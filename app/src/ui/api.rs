//! The typed client of Ferry's package API: one async function per endpoint, same origin as the page.
//!
//! A non-2xx answer becomes [`ApiError::Server`] carrying the server's own message (from its
//! `ErrorBody`), so views can show people exactly what the server said.

use std::fmt;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use crate::paths;
use crate::types::{ClientConfig, ErrorBody, LoginRequest, SessionUser};

/// Why a call to the API did not give the expected answer, worded for the person using the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status; `message` is its `ErrorBody` message when it sent one.
    Server {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// No answer at all: the server is down or the network is.
    Network,
    /// An answer that does not follow the API contract (e.g. a proxy's HTML error page).
    Malformed,
}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Server { status, .. } => Some(*status),
            ApiError::Network | ApiError::Malformed => None,
        }
    }

    /// The server says nobody is signed in (or the session has expired).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Server { message, .. } => f.write_str(message),
            ApiError::Network => f.write_str(
                "Could not reach the Ferry server. Check your connection and try again.",
            ),
            ApiError::Malformed => f.write_str(
                "The server sent an answer this page does not understand. Try reloading the page.",
            ),
        }
    }
}

impl std::error::Error for ApiError {}

/// `GET /api/v1/session`: who is signed in. A 401 means nobody.
pub async fn get_session() -> Result<SessionUser, ApiError> {
    let response = send(Request::get(paths::SESSION).header("Accept", "application/json")).await?;
    decode(response).await
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
    let response =
        send(Request::get(paths::CLIENT_CONFIG).header("Accept", "application/json")).await?;
    decode(response).await
}

/// Marks a request as coming from the web app (the server's CSRF defence requires it on every
/// POST, PUT, PATCH and DELETE).
fn state_changing(request: RequestBuilder) -> RequestBuilder {
    request
        .header(paths::CSRF_HEADER, "1")
        .header("Accept", "application/json")
}

async fn send(request: RequestBuilder) -> Result<Response, ApiError> {
    check(request.send().await).await
}

/// Passes a 2xx answer through; turns anything else into an [`ApiError`].
async fn check(sent: Result<Response, gloo_net::Error>) -> Result<Response, ApiError> {
    let response = sent.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    Err(match response.json::<ErrorBody>().await {
        Ok(body) => ApiError::Server {
            status,
            code: Some(body.error.code),
            message: body.error.message,
        },
        Err(_) => ApiError::Server {
            status,
            code: None,
            message: fallback_message(status),
        },
    })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response.json::<T>().await.map_err(|_| ApiError::Malformed)
}

/// What to say when an error answer carries no `ErrorBody` (e.g. from a proxy in front of Ferry).
fn fallback_message(status: u16) -> String {
    match status {
        401 => "Please sign in.".to_owned(),
        403 => "You are not allowed to do that.".to_owned(),
        404 => "Not found.".to_owned(),
        429 => "Too many attempts. Wait a moment and try again.".to_owned(),
        500..=599 => format!("The server had a problem (HTTP {status}). Try again later."),
        _ => format!("The request failed (HTTP {status})."),
    }
}
