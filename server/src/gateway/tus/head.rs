//! `HEAD /tus/{id}`: how far an upload got (only durable bytes count), so a client resumes there.

use crate::error::AppError;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
};

use super::{auth::SendToken, headers};
use crate::{db::entities::uploads, services::AppState, services::uploads as rules};

pub async fn head(
    State(state): State<AppState>,
    SendToken(claims): SendToken,
    Path(id): Path<String>,
) -> Result<(StatusCode, HeaderMap), AppError> {
    let upload = rules::find(&state, &claims, &id).await?;
    let mut out = HeaderMap::new();
    out.insert(
        headers::UPLOAD_OFFSET,
        headers::value(u64::try_from(upload.offset).unwrap_or_default()),
    );
    out.insert(
        headers::UPLOAD_LENGTH,
        headers::value(u64::try_from(upload.length).unwrap_or_default()),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if upload.completed_at.is_none() || upload.kind == uploads::Kind::Partial {
        out.insert(
            headers::UPLOAD_EXPIRES,
            headers::http_date(upload.expires_at),
        );
    }
    if let Some(concat) = concat_header(&state, &upload) {
        out.insert(headers::UPLOAD_CONCAT, concat);
    }
    if let Some(metadata) = upload
        .metadata
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
    {
        out.insert(headers::UPLOAD_METADATA, metadata);
    }
    Ok((StatusCode::OK, out))
}

/// `partial`, or `final;<url> <url>…` naming the parts.
fn concat_header(state: &AppState, upload: &uploads::Model) -> Option<HeaderValue> {
    match upload.kind {
        uploads::Kind::Partial => Some(HeaderValue::from_static("partial")),
        uploads::Kind::Final => {
            let urls: Vec<String> = upload
                .concat_parts
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(|part| headers::upload_url(&state.config, part))
                .collect();
            HeaderValue::from_str(&format!("final;{}", urls.join(" "))).ok()
        }
        _ => None,
    }
}
