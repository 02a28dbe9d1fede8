//! Approving a desktop client (device sign-in): what the approval page reads and does. The device's
//! own calls (start, poll) are `ferry-desktop`'s, not the web app's.

use super::ApiError;
use super::transport::{get, post_empty};
use crate::paths;
use crate::types::DeviceAuthorizationInfo;

fn path(pattern: &str, user_code: &str) -> String {
    pattern.replace("{user_code}", user_code)
}

/// `GET /api/v1/device/authorizations/{user_code}`.
pub async fn get_device_authorization(
    user_code: &str,
) -> Result<DeviceAuthorizationInfo, ApiError> {
    get(&path(paths::DEVICE_AUTHORIZATION, user_code), &[]).await
}

/// `POST …/{user_code}/approve`: the device gets an API token of mine.
pub async fn approve_device(user_code: &str) -> Result<DeviceAuthorizationInfo, ApiError> {
    post_empty(&path(paths::DEVICE_AUTHORIZATION_APPROVE, user_code)).await
}

/// `POST …/{user_code}/deny`.
pub async fn deny_device(user_code: &str) -> Result<DeviceAuthorizationInfo, ApiError> {
    post_empty(&path(paths::DEVICE_AUTHORIZATION_DENY, user_code)).await
}
