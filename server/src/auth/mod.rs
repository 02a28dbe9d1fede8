//! Who is calling: passwords, usernames, browser sessions and the `CurrentUser` extractor.

pub mod extract;
pub mod password;
pub mod session;
pub mod username;

pub use extract::CurrentUser;
