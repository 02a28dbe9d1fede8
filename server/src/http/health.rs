//! `GET /healthz`: the process answers and its database too.

use app::types::Health;
use axum::{Json, extract::State, http::StatusCode};

use crate::services::AppState;

/// Liveness: the process answers and so does its database.
#[utoipa::path(get, path = "/healthz", tag = "server",
    responses(
        (status = 200, description = "Healthy", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    ))]
pub async fn check(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (status, word) = match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    };
    (
        status,
        Json(Health {
            status: word.into(),
            version: crate::VERSION.into(),
        }),
    )
}
