//! Signing in a device (`ferry-desktop login`) with the device authorization flow of RFC 8628,
//! carried as JSON in the package API's own shapes.
//!
//! 1. The device asks for a code: `POST` [`crate::paths::DEVICE_AUTHORIZATIONS`] with a
//!    [`DeviceAuthorizationRequest`] (no credentials) and gets a [`DeviceAuthorization`].
//! 2. It shows `user_code` and `verification_uri` to its user, who signs in to the web app, opens the
//!    page, checks the code and the device's name ([`DeviceAuthorizationInfo`]) and approves or denies.
//! 3. Meanwhile the device polls `POST` [`crate::paths::DEVICE_TOKEN`] with a [`DeviceTokenRequest`]
//!    every `interval` seconds. Until the user decides, the answer is an error with code
//!    [`ErrorCode::AuthorizationPending`](super::ErrorCode::AuthorizationPending) (or
//!    [`SlowDown`](super::ErrorCode::SlowDown): add 5 seconds to the interval). Approved, it is a
//!    [`CreatedApiToken`](super::CreatedApiToken): a personal API token named after the device,
//!    listed and revocable with the user's other tokens. Denied:
//!    [`AccessDenied`](super::ErrorCode::AccessDenied); too late or already used:
//!    [`ExpiredToken`](super::ErrorCode::ExpiredToken).
//!
//! Codes live [`DeviceAuthorization::LIFETIME_SECS`] and give at most one token.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/device/authorizations`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceAuthorizationRequest {
    /// What the user will see on the approval page and in their token list, e.g.
    /// `"ferry-desktop on build-box"`; 1 to [`DeviceAuthorizationRequest::MAX_NAME_LEN`] characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub device_name: String,
}

impl DeviceAuthorizationRequest {
    pub const MAX_NAME_LEN: usize = 100;
}

/// The answer to [`DeviceAuthorizationRequest`] (RFC 8628 §3.2).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuthorization {
    /// The device's secret for polling; never shown to anyone.
    pub device_code: String,
    /// What the user types or checks on the approval page: 8 letters as `ABCD-EFGH`, from an
    /// alphabet without vowels or look-alikes. Case and the dash are ignored when typed.
    pub user_code: String,
    /// The web app's approval page.
    pub verification_uri: String,
    /// The approval page with the code filled in.
    pub verification_uri_complete: String,
    /// Seconds until the code stops working.
    pub expires_in: u32,
    /// Seconds the device waits between polls.
    pub interval: u32,
}

impl DeviceAuthorization {
    /// Ten minutes.
    pub const LIFETIME_SECS: u32 = 600;
    pub const POLL_INTERVAL_SECS: u32 = 5;
}

/// `POST /api/v1/device/token`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceTokenRequest {
    pub device_code: String,
}

/// Where a device authorization stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceAuthorizationState {
    /// Waiting for the user.
    Pending,
    /// Approved; the device gets (or got) its token.
    Approved,
    Denied,
    /// Not decided in time.
    Expired,
}

/// `GET /api/v1/device/authorizations/{user_code}` (signed in): what the approval page shows; also
/// the answer to approving or denying.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuthorizationInfo {
    /// Normalized: `ABCD-EFGH`.
    pub user_code: String,
    pub device_name: String,
    pub state: DeviceAuthorizationState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}
