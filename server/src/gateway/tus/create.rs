//! `POST /tus/` (creation, creation-with-upload, concatenation): a new upload of a declared file,
//! `201` with its `Location`. With `Upload-Concat: partial` it is one piece of the file; with
//! `Upload-Concat: final;<url> <url>…` it joins finished pieces and completes the file.

use crate::error::AppError;
use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
};

use super::{auth::SendToken, headers, metadata, patch::stream_of};
use crate::{
    db::entities::uploads as rows,
    services::AppState,
    services::uploads::{self, Chunk, NewFinal, NewUpload},
};

/// What `Upload-Concat` asked for.
enum Concat {
    None,
    Partial,
    Final(Vec<String>),
}

pub async fn create(
    State(state): State<AppState>,
    SendToken(claims): SendToken,
    request_headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, HeaderMap), AppError> {
    let meta = metadata::parse(headers::text(&request_headers, &headers::UPLOAD_METADATA)?)?;
    if request_headers.contains_key(headers::UPLOAD_DEFER_LENGTH) {
        return Err(AppError::bad_request(
            "Upload-Defer-Length is not supported: send Upload-Length, the declared size.",
        ));
    }
    // Bytes with the creation request (creation-with-upload): announced by the content type, or
    // sent anyway (then the content type must be right).
    let with_body = headers::has_body(&request_headers)?
        || headers::require_offset_stream(&request_headers).is_ok();
    let upload = match concat(&request_headers)? {
        Concat::Final(urls) => {
            if with_body {
                return Err(AppError::bad_request(
                    "A final upload is joined from its parts: send it without a body.",
                ));
            }
            let parts = urls
                .iter()
                .map(|url| headers::upload_id_of(url))
                .collect::<Result<Vec<_>, _>>()?;
            let new = NewFinal {
                file_id: meta.file_id,
                parts,
                metadata: meta.raw,
                declared_sha256: meta.sha256,
            };
            uploads::create_final(&state, &claims, new).await?
        }
        concat => {
            let length =
                headers::number(&request_headers, &headers::UPLOAD_LENGTH)?.ok_or_else(|| {
                    AppError::bad_request(
                        "Upload-Length is required: the exact size of the file (or part).",
                    )
                })?;
            let file_id = meta.file_id.ok_or_else(|| {
                AppError::bad_request(
                    "Upload-Metadata must carry file_id: the id of the file in the transfer spec.",
                )
            })?;
            let content_length = headers::number(&request_headers, &header::CONTENT_LENGTH)?;
            if with_body {
                headers::require_offset_stream(&request_headers)?;
                if let Some(sent) = content_length.filter(|&sent| sent > length) {
                    return Err(AppError::TooLarge(format!(
                        "The request body ({sent} bytes) is longer than Upload-Length ({length})."
                    )));
                }
            }
            let new = NewUpload {
                file_id,
                length,
                partial: matches!(concat, Concat::Partial),
                metadata: meta.raw,
                declared_sha256: meta.sha256,
            };
            let created = uploads::create(&state, &claims, new).await?;
            // An empty file is complete on creation: there is nothing to append.
            if with_body && created.completed_at.is_none() {
                let chunk = Chunk {
                    offset: 0,
                    content_length,
                    checksum: headers::checksum(&request_headers)?,
                };
                let progress =
                    uploads::append(&state, &claims, &created.id, chunk, stream_of(body)).await?;
                crate::telemetry::http::record_file(progress.file_id, Some(progress.offset));
                uploads::find(&state, &claims, &created.id).await?
            } else {
                created
            }
        }
    };
    Ok((StatusCode::CREATED, created_headers(&state, &upload)))
}

fn concat(request_headers: &HeaderMap) -> Result<Concat, AppError> {
    let Some(raw) = headers::text(request_headers, &headers::UPLOAD_CONCAT)? else {
        return Ok(Concat::None);
    };
    if raw == "partial" {
        return Ok(Concat::Partial);
    }
    match raw.strip_prefix("final;") {
        Some(urls) => Ok(Concat::Final(
            urls.split_whitespace().map(str::to_owned).collect(),
        )),
        None => Err(AppError::bad_request(
            "Upload-Concat must be \"partial\" or \"final;<url> <url>…\".",
        )),
    }
}

fn created_headers(state: &AppState, upload: &rows::Model) -> HeaderMap {
    let mut out = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&headers::upload_url(&state.config, &upload.id)) {
        out.insert(header::LOCATION, location);
    }
    out.insert(
        headers::UPLOAD_OFFSET,
        headers::value(u64::try_from(upload.offset).unwrap_or_default()),
    );
    if upload.completed_at.is_none() {
        out.insert(
            headers::UPLOAD_EXPIRES,
            headers::http_date(upload.expires_at),
        );
    }
    out
}
