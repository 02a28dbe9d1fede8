//! The one shape of every error the API and the HTTP gateway return, and the closed list of its
//! machine-readable codes. Clients (the web app, `ferry-desktop`) match on [`ErrorCode`], never on
//! strings; the status that goes with each code is fixed here too, so both sides agree on it.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "..."}}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable machine-readable `code` and a sentence for people.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// Why a request failed, as a client can act on it. Serialized in snake_case (`"not_found"`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed or invalid input; the message says what was wrong and what is allowed.
    BadRequest,
    /// Wrong username or password (the same answer for an unknown user).
    InvalidCredentials,
    /// Nobody is signed in, the session ended, or no usable token was sent.
    Unauthenticated,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// A state-changing request without the web app's CSRF header, or from another site.
    CrossSiteRequest,
    /// The gateway is turned off by the administrator.
    GatewayDisabled,
    /// No such thing, or not one the caller may see (the same answer).
    NotFound,
    MethodNotAllowed,
    /// The request body stopped arriving; the message says what was kept.
    RequestTimeout,
    /// The thing is not in a state that allows this (already sent, wrong offset, already exists…).
    Conflict,
    /// It existed but is gone for good (deleted files, an expired upload).
    Gone,
    /// Longer than allowed (the upload, the file or the request body).
    TooLarge,
    /// The client speaks a tus version this gateway does not (`Tus-Resumable`).
    UnsupportedVersion,
    UnsupportedMediaType,
    /// The `Range` cannot be served for this file.
    RangeNotSatisfiable,
    /// A host name this server does not answer for (see `allowed_hosts`).
    MisdirectedRequest,
    /// Another request is writing to this upload; try again when it ends.
    Locked,
    /// Too many attempts; see `Retry-After`.
    TooManyRequests,
    /// A chunk's or a file's digest differs from the declared one (tus checksum extension).
    ChecksumMismatch,
    /// Device sign-in: the user has not approved or denied the code yet; poll again.
    AuthorizationPending,
    /// Device sign-in: polling too often; wait 5 seconds longer between polls from now on.
    SlowDown,
    /// Device sign-in: the user denied the device.
    AccessDenied,
    /// Device sign-in: the code expired or was already used; start again.
    ExpiredToken,
    /// Something went wrong on the server; it was logged.
    Internal,
    /// A code this client does not know yet (sent by a newer server).
    #[serde(other)]
    Unknown,
}

/// tus's "checksum mismatch" status (not in the HTTP registry).
pub const CHECKSUM_MISMATCH_STATUS: u16 = 460;

impl ErrorCode {
    /// The HTTP status every answer with this code has.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest
            | Self::AuthorizationPending
            | Self::SlowDown
            | Self::AccessDenied
            | Self::ExpiredToken => 400,
            Self::InvalidCredentials | Self::Unauthenticated => 401,
            Self::Forbidden | Self::CrossSiteRequest | Self::GatewayDisabled => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::RequestTimeout => 408,
            Self::Conflict => 409,
            Self::Gone => 410,
            Self::UnsupportedVersion => 412,
            Self::TooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RangeNotSatisfiable => 416,
            Self::MisdirectedRequest => 421,
            Self::Locked => 423,
            Self::TooManyRequests => 429,
            Self::ChecksumMismatch => CHECKSUM_MISMATCH_STATUS,
            Self::Internal | Self::Unknown => 500,
        }
    }

    /// The code as it travels on the wire (`"not_found"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::CrossSiteRequest => "cross_site_request",
            Self::GatewayDisabled => "gateway_disabled",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RequestTimeout => "request_timeout",
            Self::Conflict => "conflict",
            Self::Gone => "gone",
            Self::TooLarge => "too_large",
            Self::UnsupportedVersion => "unsupported_version",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::MisdirectedRequest => "misdirected_request",
            Self::Locked => "locked",
            Self::TooManyRequests => "too_many_requests",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::AccessDenied => "access_denied",
            Self::ExpiredToken => "expired_token",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }

    /// Every code a server sends (not [`ErrorCode::Unknown`]).
    pub const ALL: [ErrorCode; 24] = [
        Self::BadRequest,
        Self::InvalidCredentials,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::CrossSiteRequest,
        Self::GatewayDisabled,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::RequestTimeout,
        Self::Conflict,
        Self::Gone,
        Self::TooLarge,
        Self::UnsupportedVersion,
        Self::UnsupportedMediaType,
        Self::RangeNotSatisfiable,
        Self::MisdirectedRequest,
        Self::Locked,
        Self::TooManyRequests,
        Self::ChecksumMismatch,
        Self::AuthorizationPending,
        Self::SlowDown,
        Self::AccessDenied,
        Self::ExpiredToken,
        Self::Internal,
    ];
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::NotFound,
                message: "No such package.".into(),
            },
        };
        let json = serde_json::to_value(&body).expect("serialises");
        assert_eq!(json["error"]["code"], "not_found");
        assert_eq!(json["error"]["message"], "No such package.");
    }

    #[test]
    fn every_code_travels_as_its_name_and_back() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).expect("serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, code);
            assert!(code.status() >= 400, "{code} has an error status");
        }
    }

    #[test]
    fn a_code_from_a_newer_server_is_unknown_not_a_failure() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"quota_exceeded","message":"Full."}}"#)
                .expect("parses");
        assert_eq!(body.error.code, ErrorCode::Unknown);
        assert_eq!(body.error.message, "Full.");
    }
}
