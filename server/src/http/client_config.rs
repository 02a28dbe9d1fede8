//! `GET /api/v1/config`: public facts the web app needs before sign-in.

use app::types::ClientConfig;
use axum::{Json, extract::State};

use super::authority::SiteAuthority;
use crate::{error::AppError, services, services::AppState};

/// What the web app needs before sign-in: the version, the gateway URL (absent when an admin
/// turned the gateway off) and the SHA-256 of the desktop client offered for download (absent when
/// none is).
#[utoipa::path(get, path = "/api/v1/config", tag = "server",
    responses(
        (status = 200, description = "Public configuration", body = ClientConfig),
        (status = 421, description = "A host name this server does not answer for (see allowed_hosts)", body = app::types::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    site: SiteAuthority,
) -> Result<Json<ClientConfig>, AppError> {
    let settings = services::settings::load(&state.db).await?;
    Ok(Json(ClientConfig {
        version: crate::VERSION.into(),
        gateway_url: settings
            .gateway_enabled
            .then(|| gateway_url(&state, &site))
            .transpose()?,
        desktop_client_sha256: state
            .desktop_client
            .describe()
            .await?
            .map(|client| client.sha256),
    }))
}

/// The web app's base URL for links handed to another program (the device approval page):
/// `public_url` when set; otherwise the authority this request came by, when its host is one Ferry
/// answers for (an IP address, `localhost` or a name in `allowed_hosts`), as for [`gateway_url`].
/// Otherwise the request is misdirected (421): a `Host` header alone never chooses the link.
pub(crate) fn site_url(state: &AppState, site: &SiteAuthority) -> Result<String, AppError> {
    let config = &state.config;
    if let Some(url) = &config.public_url {
        return Ok(url.as_str().trim_end_matches('/').to_owned());
    }
    let allowed = site.0.as_deref().filter(|authority| {
        let Some(host) = url::Url::parse(&format!("http://{authority}"))
            .ok()
            .and_then(|u| u.host().map(|host| host.to_owned()))
        else {
            return false;
        };
        match host {
            url::Host::Ipv4(_) | url::Host::Ipv6(_) => true,
            url::Host::Domain(name) => name == "localhost" || config.allowed_hosts.contains(&name),
        }
    });
    match allowed {
        Some(authority) => Ok(format!("{}://{authority}", config.scheme())),
        None => Err(AppError::MisdirectedRequest(
            "This server does not answer for the host name in the request: the administrator \
             lists the names Ferry is reached by in allowed_hosts (or sets public_url)."
                .into(),
        )),
    }
}

/// Where browsers send file bytes: `gateway_public_url` when set; otherwise the gateway's port on
/// the host this browser used for the web app, but only when that host is one Ferry answers for (an
/// IP address, `localhost`, a name in `allowed_hosts`, or the host of `public_url`); otherwise on
/// `public_url`'s host, or the gateway's own bind address. A `Host` header alone never chooses where
/// tokens and bytes go: with none of those, the request is misdirected (421).
pub(crate) fn gateway_url(state: &AppState, site: &SiteAuthority) -> Result<String, AppError> {
    let config = &state.config;
    if let Some(url) = &config.gateway_public_url {
        return Ok(url.as_str().trim_end_matches('/').to_owned());
    }
    let port = config.gateway_addr.port();
    let scheme = config.scheme();
    let public_host = config.public_url.as_ref().and_then(|url| url.host_str());
    let asked = site
        .0
        .as_deref()
        .and_then(|h| url::Url::parse(&format!("http://{h}")).ok())
        .and_then(|u| u.host().map(|host| host.to_owned()));
    if let Some(host) = asked {
        let allowed = match &host {
            url::Host::Ipv4(_) | url::Host::Ipv6(_) => true,
            url::Host::Domain(name) => {
                name == "localhost"
                    || public_host == Some(name.as_str())
                    || config.allowed_hosts.iter().any(|allowed| allowed == name)
            }
        };
        if allowed {
            return Ok(format!("{scheme}://{host}:{port}"));
        }
    }
    if let Some(host) = public_host {
        return Ok(format!("{scheme}://{host}:{port}"));
    }
    let bound = config.gateway_addr.ip();
    if !bound.is_unspecified() {
        let host = match bound {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        return Ok(format!("{scheme}://{host}:{port}"));
    }
    Err(AppError::MisdirectedRequest(
        "This server does not answer for the host name in the request: the administrator lists \
         the names Ferry is reached by in allowed_hosts (or sets public_url)."
            .into(),
    ))
}
