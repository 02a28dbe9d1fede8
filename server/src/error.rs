//! `ApiError`: every failure of the package API, with one status mapping and one JSON shape.

use app::types::{ErrorBody, ErrorDetail};
use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed or invalid input; the message says what was wrong and what is allowed.
    #[error("{0}")]
    BadRequest(String),
    #[error("Wrong username or password.")]
    InvalidCredentials,
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("Not found.")]
    NotFound,
    #[error("This method is not allowed here.")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    /// It existed but is gone for good (a package's deleted files); the message says what happened.
    #[error("{0}")]
    Gone(String),
    /// Too many attempts; the client may retry after this many seconds (sent as `Retry-After`).
    #[error("Too many attempts. Try again in {} minute(s).", retry_after_secs.div_ceil(60).max(1))]
    TooManyRequests { retry_after_secs: u64 },
    /// The request names a host this server does not answer for (`Host` not in `allowed_hosts`,
    /// and no configured address to fall back on).
    #[error("{0}")]
    MisdirectedRequest(String),
    #[error("This request must come from the Ferry web app (missing the {header} header or sent from another site).", header = app::paths::CSRF_HEADER)]
    CrossSiteRequest,
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::InvalidCredentials | Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::CrossSiteRequest => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::MisdirectedRequest(_) => StatusCode::MISDIRECTED_REQUEST,
            Self::Database(DbErr::RecordNotFound(_)) => StatusCode::NOT_FOUND,
            Self::Database(e)
                if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                StatusCode::CONFLICT
            }
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::CrossSiteRequest => "cross_site_request",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict(_) => "conflict",
            Self::Gone(_) => "gone",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::MisdirectedRequest(_) => "misdirected_request",
            Self::Database(_) | Self::Internal(_) => match self.status() {
                StatusCode::NOT_FOUND => "not_found",
                StatusCode::CONFLICT => "conflict",
                _ => "internal",
            },
        }
    }

    fn public_message(&self) -> String {
        match self.status() {
            StatusCode::INTERNAL_SERVER_ERROR => {
                "Something went wrong on the server. It has been logged.".into()
            }
            _ if matches!(self, Self::Database(_)) => match self.status() {
                StatusCode::NOT_FOUND => "Not found.".into(),
                _ => "That already exists.".into(),
            },
            _ => self.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.public_message(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Self::TooManyRequests { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::BadRequest(format!(
            "The request body is not valid: {}",
            rejection.body_text()
        ))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(format!("The URL is not valid: {}", rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(format!(
            "The query string is not valid: {}",
            rejection.body_text()
        ))
    }
}

/// `axum::extract::Path` whose rejections (an id that is not a number…) use the API's error shape.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Query` whose rejections use the API's error shape.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `axum::Json` whose rejections use the API's error shape.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
