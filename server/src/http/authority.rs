//! The site a request was sent to (`host[:port]`), whichever HTTP version carried it: HTTP/2 and
//! HTTP/3 name it in the `:authority` pseudo-header, which hyper puts in the request URI, and send
//! no `Host` header (Chromium never does over Ferry's own TLS); HTTP/1.1 names it in `Host`.

use std::convert::Infallible;

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, Uri, header, request::Parts},
};

/// The request's authority: the URI's when it has one, else the `Host` header's.
pub fn of<'a>(uri: &'a Uri, headers: &'a HeaderMap) -> Option<&'a str> {
    uri.authority()
        .map(|authority| authority.as_str())
        .or_else(|| headers.get(header::HOST)?.to_str().ok())
}

/// [`of`] as an extractor, for handlers that build URLs for the site the browser used.
#[derive(Debug, Clone, Default)]
pub struct SiteAuthority(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SiteAuthority {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(SiteAuthority(
            of(&parts.uri, &parts.headers).map(str::to_owned),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_uri_authority_comes_before_host() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("host.example"));
        let h2: Uri = "https://ferry.example:8443/api/v1/session".parse().unwrap();
        let h1: Uri = "/api/v1/session".parse().unwrap();
        assert_eq!(of(&h2, &headers), Some("ferry.example:8443"));
        assert_eq!(of(&h1, &headers), Some("host.example"));
        assert_eq!(of(&h1, &HeaderMap::new()), None);
    }
}
