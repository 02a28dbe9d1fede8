//! How a command failed, as its exit code: 1 for anything that went wrong, 3 when the server no
//! longer accepts the saved sign-in (so scripts can tell "log in again" from "try again"). Usage
//! errors (2) are clap's own.

/// The server refused the API token: expired, revoked, or never valid.
#[derive(Debug, thiserror::Error)]
#[error("Your sign-in to {server} is no longer valid; run `ferry-desktop login {server}`")]
pub struct AuthExpired {
    pub server: String,
}

/// No server or token is known: neither saved by `login` nor given.
#[derive(Debug, thiserror::Error)]
#[error(
    "You are not signed in: run `ferry-desktop login SERVER`, or give --server and --token \
     (FERRY_SERVER and FERRY_TOKEN)"
)]
pub struct NotSignedIn;

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_AUTH: u8 = 3;

/// The exit code for an error: [`EXIT_AUTH`] if sign-in is the cause anywhere in its chain.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let auth = error
        .chain()
        .any(|cause| cause.is::<AuthExpired>() || cause.is::<NotSignedIn>());
    if auth { EXIT_AUTH } else { EXIT_FAILED }
}
