//! `GET /downloads/ferry-desktop-linux-x86_64` and its `.sha256`: the desktop client, for anyone
//! (no sign-in: it is open software, and people fetch it before they have a token), streamed from
//! the file the server was given. 404 in the API's error shape when there is none.

use app::paths;
use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{error::AppError, services::AppState};

/// The name a browser saves the binary as, and the one its checksum line names.
const SAVED_NAME: &str = "ferry-desktop-linux-x86_64";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::DESKTOP_CLIENT_LINUX_X86_64, get(binary))
        .route(paths::DESKTOP_CLIENT_LINUX_X86_64_SHA256, get(checksum))
}

async fn binary(State(state): State<AppState>) -> Result<Response, AppError> {
    let (file, described) = state
        .desktop_client
        .open()
        .await?
        .ok_or(AppError::NotFound)?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 1 << 20));
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        ),
        (header::CONTENT_LENGTH, HeaderValue::from(described.len)),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"ferry-desktop-linux-x86_64\""),
        ),
        (header::ETAG, etag(&described.sha256)?),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    Ok((headers, body).into_response())
}

/// One line as `sha256sum` prints it, so `sha256sum -c` checks the saved file.
async fn checksum(State(state): State<AppState>) -> Result<Response, AppError> {
    let described = state
        .desktop_client
        .describe()
        .await?
        .ok_or(AppError::NotFound)?;
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    Ok((headers, format!("{}  {SAVED_NAME}\n", described.sha256)).into_response())
}

fn etag(sha256: &str) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&format!("\"{sha256}\"")).map_err(|e| AppError::Internal(e.into()))
}
