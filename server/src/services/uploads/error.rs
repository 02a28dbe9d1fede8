//! `UploadError`: why an upload request was refused, with the status the gateway answers.

use axum::http::StatusCode;
use sea_orm::DbErr;

use crate::storage::StorageError;

/// tus's "checksum mismatch" status (not in the HTTP registry).
pub const CHECKSUM_MISMATCH: u16 = 460;

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Malformed or invalid input; the message says what was wrong and what is allowed.
    #[error("{0}")]
    BadRequest(String),
    /// The token does not allow this (another file, another user's package…).
    #[error("{0}")]
    Forbidden(String),
    /// No such upload, or not one of the token's package: the same answer, so nothing leaks.
    #[error("No such upload.")]
    NotFound,
    /// The upload or its package is not in a state that allows this (wrong offset, already sent…).
    #[error("{0}")]
    Conflict(String),
    #[error("This upload expired; its bytes are being removed. Start a new upload.")]
    Gone,
    #[error(
        "Another request is writing to this upload (or completing its file). Try again when it ends."
    )]
    Locked,
    /// Longer than allowed (the upload, the file, or the request body).
    #[error("{0}")]
    TooLarge(String),
    /// A chunk's or the whole file's digest differs from the declared one.
    #[error("{0}")]
    ChecksumMismatch(String),
    /// The request body stopped arriving; the message says what was kept.
    #[error("{0}")]
    Stalled(String),
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl UploadError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone => StatusCode::GONE,
            Self::Locked => StatusCode::LOCKED,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::ChecksumMismatch(_) => {
                StatusCode::from_u16(CHECKSUM_MISMATCH).unwrap_or(StatusCode::BAD_REQUEST)
            }
            Self::Stalled(_) => StatusCode::REQUEST_TIMEOUT,
            Self::Database(_) | Self::Storage(_) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Gone => "gone",
            Self::Locked => "locked",
            Self::TooLarge(_) => "too_large",
            Self::ChecksumMismatch(_) => "checksum_mismatch",
            Self::Stalled(_) => "request_timeout",
            Self::Database(_) | Self::Storage(_) | Self::Internal(_) => "internal",
        }
    }

    /// What the client is told: internal details stay in the log.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            "Something went wrong on the server. It has been logged.".into()
        } else {
            self.to_string()
        }
    }
}
