//! The client's address in every web and gateway request's span.

use axum::{extract::Request, middleware::Next, response::Response};
use tracing::Span;

use crate::auth::throttle::ClientAddress;

/// Records the request's client address (after `trusted_proxies`) in its span.
pub async fn record_client(client: ClientAddress, request: Request, next: Next) -> Response {
    if let Some(ip) = client.0 {
        Span::current().record("client.address", tracing::field::display(ip));
    }
    next.run(request).await
}
