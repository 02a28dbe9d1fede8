//! CSRF defence for cookie-authenticated requests: anything that may change state must carry the
//! `x-ferry-request` header (which a cross-site form cannot set) and must not come from another site.
//! Requests with `Authorization: Bearer` are exempt: no other site can make a browser send one, and
//! `CurrentUser` authenticates them by the token alone, never by a cookie riding along.

use app::paths::CSRF_HEADER;
use axum::{
    extract::Request,
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{auth::token, error::ApiError};

/// Refuses state-changing requests that could have been forged by another site.
pub async fn require_same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let token_client = token::bearer(request.headers()).is_some();
    if safe || token_client || is_same_origin(request.headers()) {
        next.run(request).await
    } else {
        ApiError::CrossSiteRequest.into_response()
    }
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    if !headers.contains_key(CSRF_HEADER) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return false;
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
            Some(origin_host) == host.to_str().ok()
        }
        (Some(_), None) => false,
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

    #[test]
    fn needs_the_custom_header_and_a_matching_origin() {
        assert!(is_same_origin(&headers(&[(CSRF_HEADER, "1")])));
        assert!(is_same_origin(&headers(&[
            (CSRF_HEADER, "1"),
            ("origin", "http://ferry.example:8080"),
            ("host", "ferry.example:8080"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(!is_same_origin(&headers(&[])));
        assert!(!is_same_origin(&headers(&[
            (CSRF_HEADER, "1"),
            ("origin", "http://evil.example"),
            ("host", "ferry.example:8080"),
        ])));
        assert!(!is_same_origin(&headers(&[
            (CSRF_HEADER, "1"),
            ("sec-fetch-site", "cross-site")
        ])));
    }
}
