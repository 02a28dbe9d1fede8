//! `DownloadError`: why a download request was refused, with the status the gateway answers.

use axum::http::StatusCode;
use sea_orm::DbErr;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// No usable transfer token; the message says what to send.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The token does not allow this (another file, an upload token…).
    #[error("{0}")]
    Forbidden(String),
    /// No such file in the token's package (or not uploaded yet): the same answer, so nothing leaks.
    #[error("No such file.")]
    NotFound,
    #[error(
        "This file was deleted from the server (its package's files expired or an admin removed \
         them): it can no longer be downloaded."
    )]
    Deleted,
    /// The `Range` cannot be served for a file of `size` bytes.
    #[error(
        "The requested range cannot be served: this file has {size} bytes, and one range \
         (bytes=start-end, bytes=start- or bytes=-length) within them is supported."
    )]
    RangeNotSatisfiable { size: u64 },
    #[error("The HTTP gateway is turned off by the administrator.")]
    GatewayOff,
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl DownloadError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::GatewayOff => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Deleted => StatusCode::GONE,
            Self::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Database(_) | Self::Storage(_) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::GatewayOff => "gateway_disabled",
            Self::NotFound => "not_found",
            Self::Deleted => "gone",
            Self::RangeNotSatisfiable { .. } => "range_not_satisfiable",
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
