//! `GET` and `HEAD /files/{file_id}`: a sent package's file, for the holder of a receive token.
//!
//! The token is verified on every request and must cover the file: a transfer spec's token as
//! `Authorization: Bearer`, or a link token (one file, one user, minutes long) as `?token=`, for the
//! browser's own downloads, which cannot send a header. Request logs name the matched route only,
//! never the URI, so a token in the query is never written down ([`crate::http::trace`]). The
//! file must be complete (a deleted one answers 410). The bytes stream from the transfer node in
//! large reads, never held whole; one `Range` is served (206), anything else that asks for part of
//! the file is 416. The answer always says what it is to a browser: `application/octet-stream`,
//! `Content-Disposition: attachment`, `nosniff`, a `sandbox` CSP, and no caching. What the body
//! actually delivered is recorded for download tracking ([`crate::services::downloads`]).
//! `GET`/`HEAD /packages/{package_id}/zip` serves all of a package's files as one ZIP archive in
//! the same manner ([`archive`]).

mod archive;
mod disposition;
mod range;

use crate::error::AppError;
use app::{paths, types::TransferDirection};
use axum::{
    Router,
    body::Body,
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use tower_http::set_header::SetResponseHeaderLayer;

pub use disposition::attachment;
pub use range::Selection;

use crate::{
    services::AppState,
    services::downloads::{self, Servable},
    storage::StorageError,
    transfer::live,
    transfer::token::TransferClaims,
};

/// The download routes, with the headers every answer of theirs carries.
pub fn routes() -> Router<AppState> {
    let always = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, "sandbox"),
        (header::CACHE_CONTROL, "private, no-store"),
    ];
    let mut router = Router::new()
        .route(paths::GATEWAY_FILE, get(serve).head(serve))
        .route(
            paths::GATEWAY_PACKAGE_ZIP,
            get(archive::serve).head(archive::serve),
        );
    for (name, value) in always {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// The verified claims of a receive token.
#[derive(Debug, Clone)]
pub struct ReceiveToken(pub TransferClaims);

/// `?token=`: a link token.
#[derive(serde::Deserialize)]
struct LinkQuery {
    token: Option<String>,
}

impl FromRequestParts<AppState> for ReceiveToken {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = crate::auth::token::bearer(&parts.headers);
        let in_query = match bearer {
            Some(_) => None,
            None => Query::<LinkQuery>::try_from_uri(&parts.uri)
                .ok()
                .and_then(|Query(query)| query.token),
        };
        let token = bearer.or(in_query.as_deref()).ok_or(AppError::MissingToken(
            "Send the transfer spec's token as Authorization: Bearer <token>, or use a file link.",
        ))?;
        let claims = state.transfer_keys.verify(token).map_err(|error| {
            tracing::debug!(target: crate::gateway::LOG_TARGET, %error, "transfer token refused");
            AppError::MissingToken(
                "The transfer token is invalid or expired: ask for a new transfer spec.",
            )
        })?;
        if in_query.is_some() && !claims.link {
            return Err(AppError::MissingToken(
                "Only a file link's token works in the URL: send a transfer spec's token as \
                 Authorization: Bearer <token>.",
            ));
        }
        if claims.dir != TransferDirection::Receive {
            return Err(AppError::Forbidden(
                "This transfer token is for uploading, not downloading: ask for a download \
                 transfer spec."
                    .into(),
            ));
        }
        if !live::is_live(&state.db, &claims).await? {
            return Err(AppError::MissingToken(live::REVOKED));
        }
        crate::telemetry::http::record_user(claims.uid);
        crate::telemetry::http::record_package(claims.pkg);
        Ok(Self(claims))
    }
}

async fn serve(
    State(state): State<AppState>,
    method: Method,
    ReceiveToken(claims): ReceiveToken,
    Path(file_id): Path<String>,
    request: HeaderMap,
) -> Result<Response, AppError> {
    let file_id: i64 = file_id.parse().map_err(|_| AppError::NoSuchFile)?;
    crate::telemetry::http::record_file(file_id, None);
    let file = downloads::open(&state, &claims, file_id).await?;
    let etag = format!("\"{}\"", file.sha256);
    let selection = range::select(
        request.get(header::RANGE),
        request.get(header::IF_RANGE),
        &etag,
        file.size,
    );
    let (status, start, end) = match selection {
        Selection::Full => (StatusCode::OK, 0, file.size),
        Selection::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        Selection::Unsatisfiable => {
            return Err(AppError::RangeNotSatisfiable { size: file.size });
        }
    };
    let mut headers = file_headers(&file, &etag, end - start);
    if status == StatusCode::PARTIAL_CONTENT {
        let range = format!("bytes {start}-{}/{}", end - 1, file.size);
        headers.insert(header::CONTENT_RANGE, header_value(&range));
    }
    if method == Method::HEAD {
        return Ok((status, headers).into_response());
    }
    let bytes = state
        .node
        .read_object(&file.file.storage_key, start, end - start)
        .await
        .map_err(|error| match error {
            // Deleted between the check and the read (or lost behind Ferry's back).
            StorageError::NotFound => {
                tracing::warn!(target: crate::gateway::LOG_TARGET, file_id, "a complete file has no bytes on the transfer node");
                AppError::FileDeleted
            }
            other => other.into(),
        })?;
    let bytes = live::until_revoked(bytes, state.db.clone(), claims.clone());
    let body = downloads::deliver(&state, &file, claims.uid, start, end - start, bytes);
    tracing::debug!(target: crate::gateway::LOG_TARGET, file_id, start, end, "download started");
    Ok((status, headers, Body::from_stream(body)).into_response())
}

/// The headers of a `200` or `206` sending `len` bytes of `file`.
fn file_headers(file: &Servable, etag: &str, len: u64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let fixed: [(HeaderName, &'static str); 2] = [
        (header::CONTENT_TYPE, "application/octet-stream"),
        (header::ACCEPT_RANGES, "bytes"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(header::ETAG, header_value(etag));
    headers.insert(
        header::CONTENT_DISPOSITION,
        disposition::attachment(&file.file.name),
    );
    headers
}

/// A value made of digits, hex and punctuation only.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}
