//! The typed client of Ferry's package API: one async function per endpoint, same origin as the page.
//!
//! A non-2xx answer becomes [`ApiError::Server`] carrying the server's own message (from its
//! `ErrorBody`), so views can show people exactly what the server said. A 401 that means "your
//! session has ended" also tells the app (see [`on_session_ended`]), which returns to the login page.

mod accounts;
mod admin;
mod devices;
mod notifications;
mod packages;
mod session;
mod transport;

pub use accounts::*;
pub use admin::*;
pub use devices::*;
pub use notifications::*;
pub use packages::*;
pub use session::*;
pub use transport::on_session_ended;

use std::fmt;

use crate::types::ErrorCode;

/// Why a call to the API did not give the expected answer, worded for the person using the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status; `message` is its `ErrorBody` message when it sent one.
    Server {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    /// No answer at all: the server is down or the network is.
    Network,
    /// An answer that does not follow the API contract (e.g. a proxy's HTML error page).
    Malformed,
}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Server { status, .. } => Some(*status),
            ApiError::Network | ApiError::Malformed => None,
        }
    }

    /// The server's error code, when it sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Server { code, .. } => *code,
            ApiError::Network | ApiError::Malformed => None,
        }
    }

    /// The server says nobody is signed in (or the session has expired).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// The server says there is no such thing (or that this user may not know it exists).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// A 401 that means the session is over, as opposed to a wrong password typed into a form.
    fn ends_session(&self) -> bool {
        match self {
            ApiError::Server {
                status: 401, code, ..
            } => *code != Some(ErrorCode::InvalidCredentials),
            _ => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Server { message, .. } => f.write_str(message),
            ApiError::Network => f.write_str(
                "Could not reach the Ferry server. Check your connection and try again.",
            ),
            ApiError::Malformed => f.write_str(
                "The server sent an answer this page does not understand. Try reloading the page.",
            ),
        }
    }
}

impl std::error::Error for ApiError {}
