//! `CurrentUser`: the signed-in user behind a request, or a 401; `CurrentAdmin`: the same, or a 403
//! for everyone but admins.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum_extra::extract::CookieJar;

use super::{session, token};
use crate::{db::entities::users, error::AppError, services::AppState};

/// How a request proved who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The browser's session cookie; `id_hash` is the stored session's key.
    Session { id_hash: String },
    /// A personal API token (`Authorization: Bearer`).
    ApiToken { id: i64 },
}

impl Credential {
    /// Whether the request came with the browser's session cookie.
    pub fn is_session(&self) -> bool {
        matches!(self, Self::Session { .. })
    }

    /// The issuer recorded in the transfer tokens this credential asks for.
    pub fn issuer(&self) -> crate::transfer::token::Issuer {
        use crate::transfer::token::Issuer;
        match self {
            Self::Session { id_hash } => Issuer::Session(session::fingerprint(id_hash)),
            Self::ApiToken { id } => Issuer::ApiToken(*id),
        }
    }
}

/// The signed-in, enabled user of a request. A request with an `Authorization` header is
/// authenticated by its bearer token alone, never by a cookie it also carries: such requests skip
/// the CSRF check, so a cookie must not ride along on them.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: users::Model,
    pub credential: Credential,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.user.is_admin()
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let secret = token::bearer(&parts.headers).ok_or(AppError::Unauthenticated)?;
            return match token::authenticate(&state.db, secret).await? {
                Some((token, user)) => {
                    crate::telemetry::http::record_user(user.id);
                    Ok(CurrentUser {
                        user,
                        credential: Credential::ApiToken { id: token.id },
                    })
                }
                None => Err(AppError::Unauthenticated),
            };
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar
            .get(session::cookie_name(state.config.secure_cookies()))
            .ok_or(AppError::Unauthenticated)?;
        match session::lookup(&state.db, cookie.value()).await? {
            Some((session, user)) => {
                crate::telemetry::http::record_user(user.id);
                Ok(CurrentUser {
                    user,
                    credential: Credential::Session {
                        id_hash: session.id_hash,
                    },
                })
            }
            None => Err(AppError::Unauthenticated),
        }
    }
}

/// The signed-in user of a request to an admin-only route: 401 when not signed in, 403 when
/// signed in without the admin role.
#[derive(Debug, Clone)]
pub struct CurrentAdmin(pub CurrentUser);

impl FromRequestParts<AppState> for CurrentAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if !current.is_admin() {
            return Err(AppError::Forbidden(
                "Only administrators may do this.".into(),
            ));
        }
        Ok(Self(current))
    }
}
