//! The gateway's tus 1.0.0 server: core protocol plus the creation, creation-with-upload,
//! termination, checksum (sha1, sha256), expiration and concatenation extensions, and
//! `X-HTTP-Method-Override` for `PATCH` and `DELETE`. One file per method; the rules (who may upload what, completion) live in [`crate::services::uploads`].
//!
//! Every request but `OPTIONS` must send `Tus-Resumable: 1.0.0` (else 412) and the transfer
//! token (`Authorization: Bearer`); every answer carries `Tus-Resumable`. When an admin turned the
//! gateway off, every tus request is refused (403).

mod auth;
mod cors;
mod create;
mod head;
mod headers;
mod metadata;
mod options;
mod patch;
mod terminate;

use crate::error::AppError;
use app::paths;
use axum::{
    Router,
    extract::{Request, State},
    handler::Handler,
    http::{HeaderName, HeaderValue, Method},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{options, post},
};

pub use cors::{GatewayCors, cors};

use crate::services::AppState;

/// The tus version spoken.
pub const TUS_VERSION: &str = "1.0.0";
/// The extensions advertised by `OPTIONS`.
pub const EXTENSIONS: &str =
    "creation,creation-with-upload,termination,checksum,expiration,concatenation";
/// The chunk checksum algorithms accepted in `Upload-Checksum`.
pub const CHECKSUM_ALGORITHMS: &str = "sha1,sha256";
/// The content type of bytes sent to an upload.
pub const OFFSET_CONTENT_TYPE: &str = "application/offset+octet-stream";

pub const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
pub const TUS_VERSION_HEADER: HeaderName = HeaderName::from_static("tus-version");
pub const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
pub const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
pub const TUS_CHECKSUM_ALGORITHM: HeaderName = HeaderName::from_static("tus-checksum-algorithm");
/// The method a `POST` stands for (tus core).
pub const X_HTTP_METHOD_OVERRIDE: HeaderName = HeaderName::from_static("x-http-method-override");

/// The tus routes, guarded (gateway switch, protocol version) and tagged with `Tus-Resumable`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            paths::GATEWAY_TUS,
            post(create::create).options(options::options),
        )
        .route(
            paths::GATEWAY_TUS_UPLOAD,
            options(options::options)
                .head(head::head)
                .patch(patch::patch)
                .delete(terminate::terminate)
                .post(method_override),
        )
        .layer(middleware::from_fn(guard))
}

/// `POST /tus/{id}` with `X-HTTP-Method-Override: PATCH` or `DELETE` (tus core: for clients behind
/// proxies that pass only GET and POST) is that request.
async fn method_override(State(state): State<AppState>, mut request: Request) -> Response {
    let wanted = request
        .headers()
        .get(X_HTTP_METHOD_OVERRIDE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_ascii_uppercase());
    match wanted.as_deref() {
        Some("PATCH") => {
            *request.method_mut() = Method::PATCH;
            patch::patch.call(request, state).await
        }
        Some("DELETE") => {
            *request.method_mut() = Method::DELETE;
            terminate::terminate.call(request, state).await
        }
        _ => AppError::MethodNotAllowed.into_response(),
    }
}

/// Refuses tus requests of another protocol version (the gateway switch is checked before, for
/// every transfer: [`super::require_enabled`]), and adds
/// `Tus-Resumable` to every answer.
async fn guard(request: Request, next: Next) -> Response {
    let versioned = request.method() == Method::OPTIONS
        || request
            .headers()
            .get(TUS_RESUMABLE)
            .is_some_and(|v| v == TUS_VERSION);
    let mut response = if versioned {
        next.run(request).await
    } else {
        AppError::UnsupportedVersion {
            supported: TUS_VERSION,
        }
        .into_response()
    };
    response
        .headers_mut()
        .insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    response
}
