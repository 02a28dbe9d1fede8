//! `GET /api/v1/users?q=`: the user directory, for picking recipients.

use app::{
    paths,
    types::{ErrorBody, UserQuery, UserSummary},
};
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::CurrentUser,
    db::entities::users,
    error::AppError,
    http::respond::{ApiJson, ApiQuery},
    services::AppState,
    services::{self, accounts},
};

/// The routes of this module, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

fn to_dto(user: users::Model) -> UserSummary {
    UserSummary {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
    }
}

/// Enabled users whose username or display name starts with `q` (ignoring case), at most ten,
/// ordered by username. A whole email address finds its user only when the admin setting
/// `directory_exact_email` is on; no part of an address ever matches, and none is shown.
#[utoipa::path(get, path = paths::USERS, tag = "accounts", operation_id = "search_users", params(UserQuery),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "Matching users", body = Vec<UserSummary>),
        (status = 400, description = "A malformed query string", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    _current: CurrentUser,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<ApiJson<Vec<UserSummary>>, AppError> {
    let exact_email = services::settings::load(&state.db)
        .await?
        .directory_exact_email;
    let found = accounts::directory::search(&state.db, &query.q, exact_email).await?;
    Ok(ApiJson(found.into_iter().map(to_dto).collect()))
}
