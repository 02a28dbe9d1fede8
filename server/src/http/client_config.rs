//! `GET /api/v1/config`: public facts the web app needs before sign-in.

use app::types::ClientConfig;
use axum::{Json, extract::State};

use super::authority::SiteAuthority;
use crate::{error::ApiError, services, state::AppState};

/// What the web app needs before sign-in: the version and the gateway URL (absent when an admin
/// turned the gateway off).
#[utoipa::path(get, path = "/api/v1/config", tag = "server",
    responses((status = 200, description = "Public configuration", body = ClientConfig)))]
pub async fn show(
    State(state): State<AppState>,
    site: SiteAuthority,
) -> Result<Json<ClientConfig>, ApiError> {
    let settings = services::settings::load(&state.db).await?;
    Ok(Json(ClientConfig {
        version: crate::VERSION.into(),
        gateway_url: settings.gateway_enabled.then(|| gateway_url(&state, &site)),
    }))
}

/// The configured public URL, else the host name this browser used for the web app with the
/// gateway's port (so a server reached by name or LAN address points browsers at the same host).
pub(crate) fn gateway_url(state: &AppState, site: &SiteAuthority) -> String {
    let config = &state.config;
    if let Some(url) = &config.gateway_public_url {
        return url.as_str().trim_end_matches('/').to_owned();
    }
    let port = config.gateway_addr.port();
    let host = site
        .0
        .as_deref()
        .and_then(|h| url::Url::parse(&format!("http://{h}")).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| match config.gateway_addr.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        });
    format!("{}://{host}:{port}", config.scheme())
}
