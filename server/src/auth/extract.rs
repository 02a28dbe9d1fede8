//! `CurrentUser`: the signed-in user behind a request, or a 401.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use super::session;
use crate::{db::entities::users, error::ApiError, state::AppState};

/// The signed-in user of a request, resolved from the session cookie.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: users::Model,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.user.role() == app::types::Role::Admin
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(session::COOKIE_NAME)
            .ok_or(ApiError::Unauthenticated)?;
        match session::lookup(&state.db, token.value()).await? {
            Some((_, user)) => Ok(CurrentUser { user }),
            None => Err(ApiError::Unauthenticated),
        }
    }
}
