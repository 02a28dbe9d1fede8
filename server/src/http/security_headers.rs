//! Browser security headers on every answer of the web listener: a strict Content Security Policy
//! the WebAssembly app runs under, no framing (clickjacking), `nosniff`, `Referrer-Policy:
//! same-origin`, and HSTS when browsers reach Ferry over HTTPS.
//!
//! The policy allows scripts from this origin only, plus the one inline module script Trunk writes
//! into `index.html` to start the app, allowed by its SHA-256 (read once when the router is built),
//! and `'wasm-unsafe-eval'`, which compiling WebAssembly needs. The page may connect to its own
//! origin and to the gateway, which listens on another port.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{authority::SiteAuthority, client_config::gateway_url};
use crate::services::AppState;

/// HSTS for a year once a browser has seen Ferry over HTTPS.
const HSTS: &str = "max-age=31536000";

/// What the policy needs to know about the built web app.
#[derive(Clone, Debug, Default)]
pub struct WebAppScripts {
    /// `'sha256-…'` of each inline script in `index.html`.
    hashes: Vec<String>,
}

impl WebAppScripts {
    /// The inline scripts of `index.html` under `web_dir` (none when it is not built).
    pub fn read(web_dir: &std::path::Path) -> Self {
        let html = std::fs::read_to_string(web_dir.join("index.html")).unwrap_or_default();
        Self {
            hashes: inline_scripts(&html)
                .map(|script| {
                    let digest = Sha256::digest(script.as_bytes());
                    format!(
                        "'sha256-{}'",
                        base64::engine::general_purpose::STANDARD.encode(digest)
                    )
                })
                .collect(),
        }
    }
}

/// The text of each `<script>` element without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (tag, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!tag.contains("src=")).then_some(body)
    })
}

/// The policy for a page whose gateway is at `gateway` (an origin such as `https://host:4001`).
fn policy(scripts: &WebAppScripts, gateway: &str) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in &scripts.hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {gateway}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Adds the headers to `request`'s answer, keeping any a handler set itself.
pub async fn add(
    State((state, scripts)): State<(AppState, WebAppScripts)>,
    request: Request,
    next: Next,
) -> Response {
    let site =
        SiteAuthority(super::authority::of(request.uri(), request.headers()).map(str::to_owned));
    // A host Ferry does not answer for gets no gateway in the policy (its API calls answer 421).
    let gateway = gateway_url(&state, &site).unwrap_or_default();
    let csp = policy(&scripts, &gateway);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        set_default(headers, header::CONTENT_SECURITY_POLICY, csp);
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        set_default(headers, name, HeaderValue::from_static(value));
    }
    if state.config.secure_cookies() {
        set_default(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

fn set_default(headers: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
    headers.entry(name).or_insert(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<head><script type="module" src="/a.js"></script>
            <script type="module">import init from '/f.js';
await init();</script></head>"#;
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, ["import init from '/f.js';\nawait init();"]);
    }

    #[test]
    fn the_policy_names_the_gateway_and_the_scripts() {
        let scripts = WebAppScripts {
            hashes: vec!["'sha256-abc='".into()],
        };
        let csp = policy(&scripts, "https://ferry.example:4001");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; "));
        assert!(csp.contains("connect-src 'self' https://ferry.example:4001;"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
