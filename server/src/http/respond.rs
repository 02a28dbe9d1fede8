//! The one place an [`AppError`] becomes a response: its code's status, the JSON error body, the
//! headers some errors carry, and a log line for every 5xx. Also the extractors whose rejections
//! (a malformed body, an id that is not a number…) are answered the same way.

use app::types::{ErrorBody, ErrorDetail};
use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::error::AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.public_message(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            AppError::MissingToken(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            AppError::Locked => {
                // Another request is writing to the upload, or one that was cut is still being
                // committed: worth asking again shortly.
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            AppError::RangeNotSatisfiable { size } => {
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
                headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            }
            AppError::UnsupportedVersion { supported } => {
                headers.insert(
                    HeaderName::from_static("tus-version"),
                    HeaderValue::from_static(supported),
                );
            }
            _ => {}
        }
        response
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        Self::BadRequest(format!(
            "The request body is not valid: {}",
            rejection.body_text()
        ))
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(format!("The URL is not valid: {}", rejection.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(format!(
            "The query string is not valid: {}",
            rejection.body_text()
        ))
    }
}

/// `axum::extract::Path` whose rejections (an id that is not a number…) use the API's error shape.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Query` whose rejections use the API's error shape.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// `axum::Json` whose rejections use the API's error shape, taking a JSON object only: serde would
/// also fill a struct's fields from an array by position (`["admin","secret"]` as a sign-in).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        let Json(value) = Json::<serde_json::Value>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(AppError::BadRequest(
                "The request body must be a JSON object ({...}).".into(),
            ));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|error| {
            AppError::BadRequest(format!(
                "The request body is not valid: Failed to deserialize the JSON body into the \
                 target type: {error}"
            ))
        })
    }
}

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
