//! Request spans and response lines that carry the matched route, for the web and gateway listeners
//! and the separate transfer node's.
//! The gateway's lines use [`super::GATEWAY_TARGET`], so they also reach its own log file.
//!
//! Every web and gateway span also names the client (`client.address`, after `trusted_proxies`:
//! `crate::http::client::record_client`) and, once a request is authenticated, the user (`user.id`), so a log can
//! support an investigation. Gateway spans also carry the package, the file and the bytes a PATCH
//! stored (`package.id`, `file.id`, `bytes`); a download logs what it sent when its body ends
//! (`services::downloads`). Tokens, passwords and bodies are never recorded.

use std::time::Duration;

use axum::{
    extract::MatchedPath,
    http::{Request, Response},
};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::{MakeSpan, OnResponse, TraceLayer},
};
use tracing::{Span, field::Empty};

/// Which listener a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    Web,
    Gateway,
    /// `ferry node`'s API.
    Node,
}

/// Spans with method and matched route (never the raw URI, whose query may carry tokens).
#[derive(Debug, Clone, Copy)]
pub struct RouteSpan(Listener);

impl<B> MakeSpan<B> for RouteSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("<unmatched>", MatchedPath::as_str);
        let method = request.method();
        match self.0 {
            Listener::Gateway => tracing::info_span!(
                target: super::GATEWAY_TARGET,
                "gateway_request",
                %method,
                route,
                client.address = Empty,
                user.id = Empty,
                package.id = Empty,
                file.id = Empty,
                bytes = Empty
            ),
            Listener::Web => tracing::info_span!(
                "request",
                %method,
                route,
                client.address = Empty,
                user.id = Empty
            ),
            Listener::Node => tracing::info_span!("node_request", %method, route),
        }
    }
}

/// One INFO line per response with its status and latency.
#[derive(Debug, Clone, Copy)]
pub struct ResponseLine(Listener);

impl<B> OnResponse<B> for ResponseLine {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        let status = response.status().as_u16();
        let latency_ms = latency.as_millis() as u64;
        match self.0 {
            Listener::Gateway => {
                tracing::info!(target: super::GATEWAY_TARGET, status, latency_ms, "response")
            }
            Listener::Web | Listener::Node => tracing::info!(status, latency_ms, "response"),
        }
    }
}

/// The `TraceLayer` of a listener.
pub fn layer(
    listener: Listener,
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan, (), ResponseLine> {
    TraceLayer::new_for_http()
        .make_span_with(RouteSpan(listener))
        .on_request(())
        .on_response(ResponseLine(listener))
}

/// Records the authenticated user in the request's span.
pub fn record_user(id: i64) {
    Span::current().record("user.id", id);
}

/// Records in a gateway request's span the package its token is for.
pub fn record_package(id: i64) {
    Span::current().record("package.id", id);
}

/// Records in a gateway request's span the file it moved bytes of, and how many (a PATCH's stored
/// bytes; a download's line of its own, at the end of its body, says what went out).
pub fn record_file(id: i64, bytes: Option<u64>) {
    let span = Span::current();
    span.record("file.id", id);
    if let Some(bytes) = bytes {
        span.record("bytes", bytes);
    }
}
