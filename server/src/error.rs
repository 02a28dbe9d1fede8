//! `AppError`: every way a request can fail, in the words of the domain. Services and the HTTP
//! layers share this one type; it knows nothing of HTTP. Each error has an [`ErrorCode`] (which
//! fixes its status) and a message for people; [`crate::http::respond`] is the one place that turns
//! it into a response.

use app::types::ErrorCode;
use sea_orm::{DbErr, SqlErr};

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed or invalid input; the message says what was wrong and what is allowed.
    #[error("{0}")]
    BadRequest(String),
    #[error("Wrong username or password.")]
    InvalidCredentials,
    /// No one is signed in (the web app and API tokens).
    #[error("Sign in to continue.")]
    Unauthenticated,
    /// The gateway got no usable transfer token; the message says what to send. Answered with
    /// `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    MissingToken(&'static str),
    /// Not allowed (another user's package, an upload token used to download…).
    #[error("{0}")]
    Forbidden(String),
    #[error("This request must come from the Ferry web app (missing the {header} header or sent from another site).", header = app::paths::CSRF_HEADER)]
    CrossSiteRequest,
    #[error("The HTTP gateway is turned off by the administrator.")]
    GatewayOff,
    #[error("Not found.")]
    NotFound,
    /// No such upload, or not one of the token's package: the same answer, so nothing leaks.
    #[error("No such upload.")]
    NoSuchUpload,
    /// No such file in the token's package (or not uploaded yet): the same answer.
    #[error("No such file.")]
    NoSuchFile,
    #[error("This method is not allowed here.")]
    MethodNotAllowed,
    /// The request body stopped arriving; the message says what was kept.
    #[error("{0}")]
    Stalled(String),
    /// Not in a state that allows this (wrong offset, already sent…).
    #[error("{0}")]
    Conflict(String),
    /// It existed but is gone for good; the message says what happened.
    #[error("{0}")]
    Gone(String),
    #[error("This upload expired; its bytes are being removed. Start a new upload.")]
    UploadExpired,
    #[error(
        "This file was deleted from the server (its package's files expired or an admin removed \
         them): it can no longer be downloaded."
    )]
    FileDeleted,
    /// Longer than allowed (the upload, the file, or the request body).
    #[error("{0}")]
    TooLarge(String),
    /// The client speaks another tus version; `supported` is the one this gateway speaks.
    #[error("This gateway speaks tus {supported}: send Tus-Resumable: {supported}.")]
    UnsupportedVersion { supported: &'static str },
    /// The body's media type is not the one expected; the message names it.
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// The `Range` cannot be served for a file of `size` bytes.
    #[error(
        "The requested range cannot be served: this file has {size} bytes, and one range \
         (bytes=start-end, bytes=start- or bytes=-length) within them is supported."
    )]
    RangeNotSatisfiable { size: u64 },
    /// The request names a host this server does not answer for (`Host` not in `allowed_hosts`,
    /// and no configured address to fall back on).
    #[error("{0}")]
    MisdirectedRequest(String),
    #[error(
        "Another request is writing to this upload (or completing its file). Try again when it ends."
    )]
    Locked,
    /// Too many attempts; the client may retry after this many seconds (sent as `Retry-After`).
    #[error("Too many attempts. Try again in {} minute(s).", retry_after_secs.div_ceil(60).max(1))]
    TooManyRequests { retry_after_secs: u64 },
    /// A chunk's or the whole file's digest differs from the declared one.
    #[error("{0}")]
    ChecksumMismatch(String),
    /// Device sign-in: the user has not decided yet; poll again after the interval.
    #[error("Waiting for the user to approve this device in the web app.")]
    AuthorizationPending,
    /// Device sign-in: polled sooner than the interval allows.
    #[error("Polling too often: wait 5 seconds longer between polls from now on.")]
    SlowDown,
    /// Device sign-in: the user denied the device.
    #[error("The user denied this device.")]
    AccessDenied,
    /// Device sign-in: the code expired, is unknown, or already gave its token.
    #[error("This code expired or was already used: start signing in again.")]
    ExpiredToken,
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A 400 whose message says what was wrong and what is allowed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::Unauthenticated | Self::MissingToken(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::CrossSiteRequest => ErrorCode::CrossSiteRequest,
            Self::GatewayOff => ErrorCode::GatewayDisabled,
            Self::NotFound | Self::NoSuchUpload | Self::NoSuchFile => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::Stalled(_) => ErrorCode::RequestTimeout,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Gone(_) | Self::UploadExpired | Self::FileDeleted => ErrorCode::Gone,
            Self::TooLarge(_) => ErrorCode::TooLarge,
            Self::UnsupportedVersion { .. } => ErrorCode::UnsupportedVersion,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::RangeNotSatisfiable { .. } => ErrorCode::RangeNotSatisfiable,
            Self::MisdirectedRequest(_) => ErrorCode::MisdirectedRequest,
            Self::Locked => ErrorCode::Locked,
            Self::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            Self::ChecksumMismatch(_) => ErrorCode::ChecksumMismatch,
            Self::AuthorizationPending => ErrorCode::AuthorizationPending,
            Self::SlowDown => ErrorCode::SlowDown,
            Self::AccessDenied => ErrorCode::AccessDenied,
            Self::ExpiredToken => ErrorCode::ExpiredToken,
            Self::Database(DbErr::RecordNotFound(_)) => ErrorCode::NotFound,
            Self::Database(e) if is_unique_violation(e) => ErrorCode::Conflict,
            Self::Database(_) | Self::Storage(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// A failure of the server itself (5xx), not a refusal of the request.
    pub fn is_internal(&self) -> bool {
        self.code() == ErrorCode::Internal
    }

    /// What the client is told: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self.code() {
            ErrorCode::Internal => "Something went wrong on the server. It has been logged.".into(),
            ErrorCode::NotFound if matches!(self, Self::Database(_)) => "Not found.".into(),
            ErrorCode::Conflict if matches!(self, Self::Database(_)) => {
                "That already exists.".into()
            }
            _ => self.to_string(),
        }
    }
}

fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
