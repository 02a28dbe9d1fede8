//! `TusError`: a refused tus request, answered with the API's JSON error shape
//! (`{"error":{"code","message"}}`) and the tus headers that go with the status.

use app::types::{ErrorBody, ErrorDetail};
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{TUS_VERSION, TUS_VERSION_HEADER};
use crate::{error::ApiError, services::uploads::UploadError};

#[derive(Debug, thiserror::Error)]
pub enum TusError {
    #[error(transparent)]
    Upload(#[from] UploadError),
    /// No usable transfer token; the message says what to send.
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("This gateway speaks tus {TUS_VERSION}: send Tus-Resumable: {TUS_VERSION}.")]
    VersionMismatch,
    #[error("Send the bytes with Content-Type: application/offset+octet-stream.")]
    UnsupportedMediaType,
    #[error("The HTTP gateway is turned off by the administrator.")]
    GatewayOff,

    #[error(transparent)]
    Api(#[from] ApiError),
}

impl TusError {
    /// A 400 with a message saying what was wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::Upload(UploadError::BadRequest(message.into()))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Upload(error) => (error.status(), error.code()),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::VersionMismatch => (StatusCode::PRECONDITION_FAILED, "unsupported_version"),
            Self::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::GatewayOff => (StatusCode::FORBIDDEN, "gateway_disabled"),
            Self::Api(error) => (error.status(), "internal"),
        }
    }
}

impl IntoResponse for TusError {
    fn into_response(self) -> Response {
        if let Self::Api(error) = self {
            return error.into_response();
        }
        let (status, code) = self.status_and_code();
        let message = match &self {
            Self::Upload(error) => error.public_message(),
            other => other.to_string(),
        };
        if status.is_server_error() {
            tracing::error!(target: crate::gateway::LOG_TARGET, error = %self, "tus request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message,
            },
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            Self::VersionMismatch => {
                headers.insert(TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION));
            }
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}
