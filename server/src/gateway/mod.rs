//! The HTTP gateway: its own listener, relaying transfers between browsers and the transfer node.
//! It serves its "connected" check page, `/info`, uploads over tus 1.0.0 ([`tus`]) and downloads
//! (`GET /files/{id}`, [`files`]).

mod check_page;
pub mod files;
pub mod tus;
mod unread_body;

use app::{paths, types::GatewayInfo};
use axum::{Json, Router, extract::State, routing::get};

use crate::{config::TlsMode, error::AppError, services::AppState};

/// Log target of everything the gateway does; these events also go to the gateway's own log file.
pub const LOG_TARGET: &str = crate::telemetry::GATEWAY_TARGET;

/// Protocols this gateway speaks (grows with the upload and download issues).
pub const PROTOCOLS: &[&str] = &["tus/1.0.0", "http-range-get"];

/// The gateway listener's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(check_page::show))
        .route(paths::GATEWAY_INFO, get(info))
        .route(check_page::CERTIFICATE_PATH, get(check_page::certificate))
        .merge(transfers(state.clone()))
        .layer(tus::cors())
        .layer(axum::middleware::from_fn(unread_body::close_when_unread))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::http::client::record_client,
        ))
        .layer(crate::telemetry::http::layer(
            crate::telemetry::http::Listener::Gateway,
        ))
        .with_state(state)
}

/// The routes that move bytes (tus uploads, file downloads): refused while the gateway is off.
fn transfers(state: AppState) -> Router<AppState> {
    tus::routes()
        .merge(files::routes())
        .layer(axum::middleware::from_fn_with_state(state, require_enabled))
}

/// Refuses every transfer request (403 `gateway_disabled`) while an admin has the gateway off,
/// before its token is looked at.
async fn require_enabled(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match crate::services::settings::load(&state.db).await {
        Ok(settings) if settings.gateway_enabled => next.run(request).await,
        Ok(_) => AppError::GatewayOff.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn info(State(state): State<AppState>) -> Json<GatewayInfo> {
    Json(GatewayInfo {
        name: "Ferry HTTP gateway".into(),
        version: crate::VERSION.into(),
        protocols: PROTOCOLS.iter().map(|p| (*p).to_owned()).collect(),
        tls: state.config.tls != TlsMode::Off,
    })
}
