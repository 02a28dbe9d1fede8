//! `DELETE /tus/{id}` (termination): the upload's bytes and record go; its file stays declared and
//! pending, to be uploaded again.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};

use super::{auth::SendToken, error::TusError};
use crate::{services::uploads, state::AppState};

pub async fn terminate(
    State(state): State<AppState>,
    SendToken(claims): SendToken,
    Path(id): Path<String>,
) -> Result<StatusCode, TusError> {
    uploads::terminate(&state, &claims, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
