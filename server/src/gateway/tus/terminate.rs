//! `DELETE /tus/{id}` (termination): the upload's bytes and record go; its file stays declared and
//! pending, to be uploaded again.

use crate::error::AppError;
use axum::{
    extract::{Path, State},
    http::StatusCode,
};

use super::auth::SendToken;
use crate::{services::AppState, services::uploads};

pub async fn terminate(
    State(state): State<AppState>,
    SendToken(claims): SendToken,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    uploads::terminate(&state, &claims, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
