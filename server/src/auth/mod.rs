//! Who is calling: passwords, usernames, browser sessions, API tokens, sign-in throttling and the
//! `CurrentUser` / `CurrentAdmin` extractors.

pub mod extract;
pub mod password;
pub mod session;
pub mod throttle;
pub mod token;
pub mod username;

pub use extract::{Credential, CurrentAdmin, CurrentUser};
