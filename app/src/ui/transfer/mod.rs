//! The transfer engines, one folder each: [`upload`] sends a draft's files to the HTTP gateway,
//! [`download`] fetches a sent package's files from it (see each for how).
//!
//! Beside them, what both use: [`wait`] (waiting on the browser's single thread), [`stop`]
//! (stopping a file's requests and waits), [`shared_request`] (one spec request for concurrent
//! callers) and [`speed`] (speed and time left, in words).

pub mod download;
mod shared_request;
mod speed;
mod stop;
pub mod upload;
mod wait;

pub use wait::pause;

use leptos::serde_json;

use crate::types::{ErrorBody, ErrorCode};
use crate::ui::app_settings::AppSettings;

/// Why a transfer stopped when an admin turned the gateway off (`gateway_disabled`).
pub const GATEWAY_OFF: &str = "The HTTP gateway was turned off by an administrator.";

/// Whether the body of a refused gateway request is the `gateway_disabled` error; if so, the app
/// loads its settings again, so every page switches to its gateway-off state.
pub fn gateway_turned_off(body: &str) -> bool {
    let off = serde_json::from_str::<ErrorBody>(body)
        .is_ok_and(|body| body.error.code == ErrorCode::GatewayDisabled);
    if off {
        AppSettings::gateway_refused();
    }
    off
}
