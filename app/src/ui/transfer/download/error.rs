//! Why a download stopped, worded for the person who pressed Download.

use crate::types::ErrorCode;
use crate::ui::api::ApiError;
use crate::ui::app_settings::AppSettings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadError {
    /// Worth a Retry, which continues from the bytes received: the connection broke, the body
    /// ended early, the gateway had a problem.
    Interrupted(String),
    /// The file was deleted on the server.
    Deleted(String),
    /// Refused for good, with the server's reason.
    Refused(String),
    /// An admin turned the gateway off: nothing to retry until it is on again.
    GatewayOff,
    /// The page is going away.
    Aborted,
    /// The person pressed Cancel.
    Cancelled,
}

impl DownloadError {
    pub const CONNECTION_LOST: &str = "The download was interrupted: the connection was lost.";
    pub const DELETED: &str = "This file was deleted from the server.";

    /// A failed request for the transfer spec.
    pub fn from_api(error: &ApiError) -> Self {
        if error.code() == Some(ErrorCode::GatewayDisabled) {
            AppSettings::gateway_refused();
            return DownloadError::GatewayOff;
        }
        match error.status() {
            Some(410) => DownloadError::Deleted(error.to_string()),
            None | Some(408 | 429 | 500..=599) => DownloadError::Interrupted(error.to_string()),
            Some(_) => DownloadError::Refused(error.to_string()),
        }
    }
}
