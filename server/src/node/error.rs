//! `NodeError`: how the node API answers a failure, in Ferry's one error shape. Storage errors map
//! to statuses the client turns back into the same [`StorageError`]: 404 not found, 409 already
//! exists (or the upload was joined), 400 invalid input (a bad name or range), 500 anything else, with its message (the
//! node's only callers are gateways holding the node token, which log it).

use std::io;

use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::storage::StorageError;
use crate::storage::http::wire::{NodeErrorBody, NodeErrorCode, NodeErrorDetail};

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("The request has no valid node token (Authorization: Bearer).")]
    Unauthorized,
    #[error("{0}")]
    BadRequest(String),
    #[error("The node API has no such path.")]
    NoSuchPath,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl NodeError {
    fn status_and_code(&self) -> (StatusCode, NodeErrorCode) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, NodeErrorCode::Unauthorized),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, NodeErrorCode::InvalidInput),
            Self::NoSuchPath => (StatusCode::NOT_FOUND, NodeErrorCode::NoSuchPath),
            Self::Storage(StorageError::NotFound) => {
                (StatusCode::NOT_FOUND, NodeErrorCode::NotFound)
            }
            Self::Storage(StorageError::AlreadyExists) => {
                (StatusCode::CONFLICT, NodeErrorCode::AlreadyExists)
            }
            Self::Storage(StorageError::Joined) => (StatusCode::CONFLICT, NodeErrorCode::Joined),
            Self::Storage(StorageError::Io(e)) if e.kind() == io::ErrorKind::InvalidInput => {
                (StatusCode::BAD_REQUEST, NodeErrorCode::InvalidInput)
            }
            Self::Storage(StorageError::Io(_)) => {
                (StatusCode::INTERNAL_SERVER_ERROR, NodeErrorCode::Internal)
            }
        }
    }
}

impl IntoResponse for NodeError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "a node operation failed");
        }
        let body = NodeErrorBody {
            error: NodeErrorDetail {
                code,
                message: self.to_string(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<QueryRejection> for NodeError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(format!("Bad query: {}", rejection.body_text()))
    }
}

impl From<PathRejection> for NodeError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(format!("Bad path: {}", rejection.body_text()))
    }
}

impl From<JsonRejection> for NodeError {
    fn from(rejection: JsonRejection) -> Self {
        Self::BadRequest(format!("Bad JSON body: {}", rejection.body_text()))
    }
}
