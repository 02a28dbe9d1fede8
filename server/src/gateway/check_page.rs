//! `GET /` on the gateway: a page that tells a person their browser can reach the gateway (and
//! whether an admin has turned it off), and how to keep a self-signed certificate's exception.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

use crate::{config::TlsMode, services::AppState, tls};

/// Where the self-signed certificate can be downloaded, to trust it for good.
pub const CERTIFICATE_PATH: &str = "/certificate.pem";

const PAGE_HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ferry HTTP gateway</title>
<style>
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f5f7fa}
main{max-width:40rem;margin:4rem auto;padding:2rem 2.5rem;background:#fff;border:1px solid #e4e7eb;border-radius:12px}
h1{font-size:1.5rem;margin:0 0 1rem;display:flex;gap:.6rem;align-items:center}
.ok,.off{display:inline-grid;place-items:center;width:2rem;height:2rem;border-radius:50%;background:#e3f9e5;color:#207227;font-size:1.1rem}
.off{background:#fffaeb;color:#93370d}
h2{font-size:1.1rem;margin:2rem 0 .5rem}
code{background:#f0f4f8;padding:.1rem .3rem;border-radius:4px}
.muted{color:#52606d;font-size:.9rem}
</style></head><body><main>
"#;

pub async fn show(State(state): State<AppState>) -> Html<String> {
    let mut page = String::from(PAGE_HEAD);
    // If the settings cannot be read, the transfers cannot be checked either: say it is off.
    let enabled = crate::services::settings::load(&state.db)
        .await
        .is_ok_and(|settings| settings.gateway_enabled);
    if enabled {
        page.push_str(
            r#"<h1><span class="ok" aria-hidden="true">✓</span> Connected to the Ferry HTTP gateway</h1>
<p>This browser has successfully connected to the Ferry HTTP gateway. Uploads and downloads will now
work from this browser: you can close this tab and go back to Ferry.</p>
"#,
        );
    } else {
        page.push_str(
            r#"<h1><span class="off" aria-hidden="true">!</span> The Ferry HTTP gateway is turned off</h1>
<p>This browser can reach the Ferry HTTP gateway, but an administrator has turned it off: uploads
and downloads in the browser do not work until it is turned on again.</p>
"#,
        );
    }
    match &state.config.tls {
        TlsMode::SelfSigned => page.push_str(&format!(
            r#"<h2>About the certificate warning</h2>
<p>This gateway uses a <strong>self-signed certificate</strong>, so your browser asked you to accept it
before showing this page. Browsers keep that exception for a while, then ask again. To keep it:</p>
<ul>
<li><strong>Firefox</strong>: when accepting, leave the exception stored permanently (the default after
<em>Advanced → Accept the Risk and Continue</em>).</li>
<li><strong>Chrome, Edge and others</strong>: download <a href="{CERTIFICATE_PATH}">the gateway's certificate</a>
and add it to your system's trusted certificates (or ask your administrator to install a certificate
from your organisation's authority with <code>--tls files</code>).</li>
</ul>
"#
        )),
        TlsMode::Files { .. } => page.push_str(
            "<p class=\"muted\">The connection to the gateway is encrypted with TLS.</p>\n",
        ),
        TlsMode::Off => page.push_str(
            "<p class=\"muted\">Transfers to this gateway go over plain HTTP, unencrypted.</p>\n",
        ),
    }
    page.push_str(&format!(
        "<p class=\"muted\">Ferry {} · <a href=\"/info\">gateway information</a></p>\n</main></body></html>\n",
        crate::VERSION
    ));
    Html(page)
}

/// The self-signed certificate (public), so a person can trust it; 404 in other TLS modes.
pub async fn certificate(State(state): State<AppState>) -> Response {
    if state.config.tls != TlsMode::SelfSigned {
        return StatusCode::NOT_FOUND.into_response();
    }
    match tokio::fs::read(tls::self_signed_paths(&state.config).0).await {
        Ok(pem) => (
            [
                (header::CONTENT_TYPE, "application/x-pem-file"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"ferry-gateway.pem\"",
                ),
            ],
            pem,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
