//! CORS for the gateway listener. Browsers upload and download from the web app's origin to the
//! gateway's: any origin may call, without credentials (the transfer token is the credential), send
//! the tus and range headers, and read the tus and download headers.
//!
//! tus uses `OPTIONS` itself, and tower-http's `CorsLayer` answers every `OPTIONS` as a preflight;
//! [`GatewayCors`] hands it only real preflights (with `Access-Control-Request-Method`), so a plain
//! tus `OPTIONS` reaches its handler.

use std::{
    task::{Context, Poll},
    time::Duration,
};

use axum::http::{HeaderName, HeaderValue, Method, Request, Response, header};
use futures_util::future::Either;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer};

use super::{
    TUS_CHECKSUM_ALGORITHM, TUS_EXTENSION, TUS_MAX_SIZE, TUS_RESUMABLE, TUS_VERSION_HEADER, headers,
};

/// How long browsers may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Headers a browser script may read from gateway answers.
pub const EXPOSED: [HeaderName; 16] = [
    header::LOCATION,
    headers::UPLOAD_OFFSET,
    headers::UPLOAD_LENGTH,
    headers::UPLOAD_EXPIRES,
    headers::UPLOAD_METADATA,
    headers::UPLOAD_CONCAT,
    TUS_RESUMABLE,
    TUS_VERSION_HEADER,
    TUS_EXTENSION,
    TUS_MAX_SIZE,
    TUS_CHECKSUM_ALGORITHM,
    header::CONTENT_LENGTH,
    header::CONTENT_RANGE,
    header::ETAG,
    header::CONTENT_DISPOSITION,
    header::ACCEPT_RANGES,
];

/// The gateway's CORS layer.
pub fn cors() -> GatewayCors {
    let request_headers = [
        header::AUTHORIZATION,
        header::CONTENT_TYPE,
        TUS_RESUMABLE,
        headers::UPLOAD_LENGTH,
        headers::UPLOAD_OFFSET,
        headers::UPLOAD_METADATA,
        headers::UPLOAD_CONCAT,
        headers::UPLOAD_CHECKSUM,
        headers::UPLOAD_DEFER_LENGTH,
        HeaderName::from_static("x-requested-with"),
        super::X_HTTP_METHOD_OVERRIDE,
        header::RANGE,
        header::IF_RANGE,
    ];
    GatewayCors(
        CorsLayer::new()
            .allow_origin(AllowOrigin::any())
            .allow_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers(request_headers)
            .expose_headers(EXPOSED)
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

/// The `Access-Control-Expose-Headers` value for answers that bypass the CORS layer.
pub fn exposed_value() -> HeaderValue {
    let exposed = EXPOSED;
    let names: Vec<&str> = exposed.iter().map(HeaderName::as_str).collect();
    HeaderValue::from_str(&names.join(",")).unwrap_or_else(|_| HeaderValue::from_static("*"))
}

/// [`CorsLayer`] for everything but plain (non-preflight) `OPTIONS` requests.
#[derive(Debug, Clone)]
pub struct GatewayCors(CorsLayer);

impl<S: Clone> Layer<S> for GatewayCors {
    type Service = GatewayCorsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GatewayCorsService {
            cors: self.0.layer(inner.clone()),
            inner,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GatewayCorsService<S> {
    cors: Cors<S>,
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for GatewayCorsService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Either<<Cors<S> as Service<Request<ReqBody>>>::Future, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match self.cors.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.inner.poll_ready(cx),
            other => other,
        }
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let plain_options = request.method() == Method::OPTIONS
            && !request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if plain_options {
            Either::Right(self.inner.call(request))
        } else {
            Either::Left(self.cors.call(request))
        }
    }
}
