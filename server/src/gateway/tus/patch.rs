//! `PATCH /tus/{id}`: bytes at `Upload-Offset`, streamed to the transfer node as they arrive (never
//! buffered whole); `204` with the new offset once they are durable.

use crate::error::AppError;
use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
};
use futures_util::TryStreamExt;

use super::{auth::SendToken, headers};
use crate::{
    services::AppState,
    services::uploads::{self, Chunk},
    storage::ByteStream,
};

pub async fn patch(
    State(state): State<AppState>,
    SendToken(claims): SendToken,
    Path(id): Path<String>,
    request_headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, HeaderMap), AppError> {
    headers::require_offset_stream(&request_headers)?;
    let offset = headers::number(&request_headers, &headers::UPLOAD_OFFSET)?.ok_or_else(|| {
        AppError::bad_request("Upload-Offset is required: where these bytes start.")
    })?;
    let chunk = Chunk {
        offset,
        content_length: headers::number(&request_headers, &header::CONTENT_LENGTH)?,
        checksum: headers::checksum(&request_headers)?,
    };
    let progress = uploads::append(&state, &claims, &id, chunk, stream_of(body)).await?;
    crate::telemetry::http::record_file(
        progress.file_id,
        Some(progress.offset.saturating_sub(offset)),
    );
    let mut out = HeaderMap::new();
    out.insert(headers::UPLOAD_OFFSET, headers::value(progress.offset));
    out.insert(
        headers::UPLOAD_EXPIRES,
        headers::http_date(progress.expires_at),
    );
    Ok((StatusCode::NO_CONTENT, out))
}

/// A request body as the node reads it.
pub fn stream_of(body: Body) -> ByteStream {
    Box::pin(body.into_data_stream().map_err(std::io::Error::other))
}
