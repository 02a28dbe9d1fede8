//! One file per subcommand; [`dispatch`] picks it. Commands that talk to the server first continue
//! the transfers left unfinished on this computer ([`transfers::resume_first`]).

pub mod lists;
pub mod login;
pub mod logout;
pub mod receive;
pub mod send;
pub mod transfers;

use std::sync::Arc;

use crate::api::{Api, http_client};
use crate::cli::{Cli, Command, GlobalArgs};
use crate::credentials;
use crate::rate::RateLimit;
use crate::report::Reporter;

/// Runs the command line's subcommand.
pub async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let global = cli.global;
    match cli.command {
        Command::Login(args) => login::run(&global, args).await,
        Command::Logout => logout::run(&global).await,
        Command::Send(args) => send::run(&global, args).await,
        Command::Inbox(args) => lists::inbox(&global, args).await,
        Command::Sent(args) => lists::sent(&global, args).await,
        Command::Receive(args) => receive::run(&global, args).await,
        Command::Status => transfers::status(&global).await,
        Command::Resume => transfers::resume(&global).await,
        Command::Cancel(args) => transfers::cancel(&global, args).await,
    }
}

/// What a signed-in command works with.
pub struct Session {
    pub api: Api,
    pub reporter: Arc<Reporter>,
    pub rate: Option<Arc<RateLimit>>,
}

/// The signed-in session the options, the environment or the saved sign-in give.
pub fn session(global: &GlobalArgs) -> anyhow::Result<Session> {
    let sign_in = credentials::resolve(global)?;
    Ok(Session {
        api: Api::new(http_client()?, sign_in),
        reporter: Reporter::new(global.json),
        rate: global.limit_rate.map(|rate| Arc::new(RateLimit::new(rate))),
    })
}

/// `1 file`, `3 files`.
pub fn files(count: usize) -> String {
    match count {
        1 => "1 file".to_owned(),
        n => format!("{n} files"),
    }
}

/// Bytes for people: `1.5 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes_read_as_binary_units() {
        assert_eq!(super::human_bytes(0), "0 B");
        assert_eq!(super::human_bytes(1536), "1.5 KiB");
        assert_eq!(super::human_bytes(64 << 20), "64.0 MiB");
    }
}
