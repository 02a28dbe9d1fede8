//! `NodeError`: how the node API answers a failure, in Ferry's one error shape. Storage errors map
//! to statuses the client turns back into the same [`StorageError`]: 404 not found, 409 already
//! exists (or the upload was joined), 400 invalid input (a bad name or range), 500 anything else, with its message (the
//! node's only callers are gateways holding the node token, which log it).

use std::io;

use app::types::{ErrorBody, ErrorDetail};
use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::wire;
use crate::storage::StorageError;

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
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, wire::CODE_UNAUTHORIZED),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, wire::CODE_INVALID_INPUT),
            Self::NoSuchPath => (StatusCode::NOT_FOUND, wire::CODE_NO_SUCH_PATH),
            Self::Storage(StorageError::NotFound) => (StatusCode::NOT_FOUND, wire::CODE_NOT_FOUND),
            Self::Storage(StorageError::AlreadyExists) => {
                (StatusCode::CONFLICT, wire::CODE_ALREADY_EXISTS)
            }
            Self::Storage(StorageError::Joined) => (StatusCode::CONFLICT, wire::CODE_JOINED),
            Self::Storage(StorageError::Io(e)) if e.kind() == io::ErrorKind::InvalidInput => {
                (StatusCode::BAD_REQUEST, wire::CODE_INVALID_INPUT)
            }
            Self::Storage(StorageError::Io(_)) => {
                (StatusCode::INTERNAL_SERVER_ERROR, wire::CODE_INTERNAL)
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
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.into(),
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
