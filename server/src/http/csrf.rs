//! CSRF defence for cookie-authenticated requests: anything that may change state must carry the
//! `x-ferry-request` header (which a cross-site form cannot set) and must not come from another site.
//! Requests with `Authorization: Bearer` are exempt: no other site can make a browser send one, and
//! `CurrentUser` authenticates them by the token alone, never by a cookie riding along.
//!
//! "This site" is the authority the request was sent to: over HTTP/2 (what browsers speak to Ferry's
//! own TLS) that is the `:authority` pseudo-header, which hyper puts in the request URI, and there is
//! no `Host` header at all; over HTTP/1.1 it is `Host`.

use app::paths::CSRF_HEADER;
use axum::{
    extract::Request,
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::authority;
use crate::{auth::token, error::AppError};

/// Refuses state-changing requests that could have been forged by another site.
pub async fn require_same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let token_client = token::bearer(request.headers()).is_some() || is_device_call(&request);
    let site = authority::of(request.uri(), request.headers());
    if safe || token_client || is_same_origin(request.headers(), site) {
        next.run(request).await
    } else {
        AppError::CrossSiteRequest.into_response()
    }
}

/// A device signing in (`POST` to start or poll): these read no cookie and change nothing of any
/// signed-in user, so a forged one gains nothing.
fn is_device_call(request: &Request) -> bool {
    request.method() == Method::POST && is_exempt_path(request.uri().path())
}

/// The paths whose `POST` needs no `x-ferry-request` header: a device starting and polling its
/// sign-in.
pub fn is_exempt_path(path: &str) -> bool {
    matches!(
        path,
        app::paths::DEVICE_AUTHORIZATIONS | app::paths::DEVICE_TOKEN
    )
}

/// Whether the request carries the custom header and comes from `site`, the authority it was sent
/// to.
fn is_same_origin(headers: &HeaderMap, site: Option<&str>) -> bool {
    if !headers.contains_key(CSRF_HEADER) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let origin = origin.to_str().unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    match (origin_host, site) {
        (Some(origin_host), Some(site)) => origin_host.eq_ignore_ascii_case(site),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    /// The check as the middleware makes it, for a request to `uri` with `pairs` as headers.
    fn allowed(uri: &str, pairs: &[(&'static str, &'static str)]) -> bool {
        let headers = headers(pairs);
        let uri: axum::http::Uri = uri.parse().unwrap();
        is_same_origin(&headers, authority::of(&uri, &headers))
    }

    #[test]
    fn needs_the_custom_header_and_a_matching_origin() {
        assert!(allowed("/api", &[(CSRF_HEADER, "1")]));
        assert!(allowed(
            "/api",
            &[
                (CSRF_HEADER, "1"),
                ("origin", "http://ferry.example:8080"),
                ("host", "ferry.example:8080"),
                ("sec-fetch-site", "same-origin"),
            ]
        ));
        assert!(!allowed("/api", &[]));
        assert!(!allowed(
            "/api",
            &[
                (CSRF_HEADER, "1"),
                ("origin", "http://evil.example"),
                ("host", "ferry.example:8080"),
            ]
        ));
        assert!(!allowed(
            "/api",
            &[(CSRF_HEADER, "1"), ("sec-fetch-site", "cross-site")]
        ));
        // An Origin with no site to compare it with is refused.
        assert!(!allowed(
            "/api",
            &[(CSRF_HEADER, "1"), ("origin", "http://ferry.example")]
        ));
    }

    /// HTTP/2 names the site in `:authority` (hyper puts it in the request URI) and sends no `Host`.
    #[test]
    fn over_http2_the_uri_authority_is_the_site() {
        let h2 = "https://ferry.example:8443/api/v1/session";
        let from = |origin| {
            [
                (CSRF_HEADER, "1"),
                ("origin", origin),
                ("sec-fetch-site", "same-origin"),
            ]
        };
        assert!(allowed(h2, &from("https://ferry.example:8443")));
        assert!(allowed(h2, &from("https://FERRY.example:8443")));
        assert!(!allowed(h2, &from("https://evil.example")));
        assert!(!allowed(h2, &from("https://ferry.example")));
    }
}
