//! `GET` and `HEAD /packages/{package_id}/zip`: every complete file of a sent package as one ZIP
//! archive ([`crate::services::archive`]), for the holder of a receive token covering them all (a
//! transfer spec's token, or the package's archive link token as `?token=`).
//!
//! The archive's exact `Content-Length` and a strong `ETag` are known before the first byte, so it
//! is served like a file: one `Range` (206), `If-Range` honoured only for the current `ETag` (a
//! stale one gets the whole archive, never a mix of two), the same safe headers as a file, and
//! `Content-Disposition: attachment` with the package's title. What it carries of each file is
//! tracked as a download of those bytes of that file.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{ReceiveToken, disposition, header_value, range, range::Selection};
use crate::{error::AppError, services::AppState, services::archive, transfer::live};

pub(super) async fn serve(
    State(state): State<AppState>,
    method: Method,
    ReceiveToken(claims): ReceiveToken,
    Path(package_id): Path<String>,
    request: HeaderMap,
) -> Result<Response, AppError> {
    let package_id: i64 = package_id.parse().map_err(|_| AppError::NoSuchFile)?;
    if package_id != claims.pkg {
        return Err(AppError::Forbidden(format!(
            "This transfer token is for another package, not {package_id}: ask for this \
             package's archive link."
        )));
    }
    let archive = Arc::new(archive::open(&state, &claims).await?);
    let size = archive.layout.len();
    let selection = range::select(
        request.get(header::RANGE),
        request.get(header::IF_RANGE),
        &archive.etag,
        size,
    );
    let (status, start, end) = match selection {
        Selection::Full => (StatusCode::OK, 0, size),
        Selection::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        Selection::Unsatisfiable => return Err(AppError::RangeNotSatisfiable { size }),
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    headers.insert(header::ETAG, header_value(&archive.etag));
    headers.insert(
        header::CONTENT_DISPOSITION,
        disposition::attachment(&archive.file_name),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        let range = format!("bytes {start}-{}/{size}", end - 1);
        headers.insert(header::CONTENT_RANGE, header_value(&range));
    }
    if method == Method::HEAD {
        return Ok((status, headers).into_response());
    }
    let entries = archive.layout.entry_count();
    let bytes = archive::body(&state, archive, claims.uid, start, end);
    let bytes = live::until_revoked(bytes, state.db.clone(), claims);
    tracing::debug!(target: crate::gateway::LOG_TARGET, package_id, entries, start, end, "archive download started");
    Ok((status, headers, Body::from_stream(bytes)).into_response())
}
