//! `ferry-desktop`, Ferry's open desktop client: sends and receives packages (folders included)
//! through the HTTP gateway with the same transfer specs, tus uploads and ranged downloads as the
//! web app, and resumes on its own after a crash.
//!
//! - [`cli`]: the command line (clap), one subcommand per file under [`commands`];
//! - [`credentials`] and [`api`]: the saved sign-in and the typed client of the package API;
//! - [`upload`] and [`download`]: the transfer engines; [`journal`]: what they remember on disk so
//!   that `resume` continues after a kill; [`report`]: progress bars or JSON lines;
//! - [`rate`] and [`retry`]: bandwidth cap and backoff, shared by both engines.
#![forbid(unsafe_code)]

pub mod api;
pub mod cli;
pub mod commands;
pub mod credentials;
pub mod download;
pub mod failure;
pub mod ids;
pub mod journal;
pub mod rate;
pub mod report;
pub mod retry;
pub mod upload;

use std::process::ExitCode;

pub use failure::{AuthExpired, exit_code};

/// Runs one command line to the end and says how it went.
pub fn run(cli: cli::Cli) -> ExitCode {
    let json = cli.global.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(commands::dispatch(cli));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = exit_code(&error);
            if json {
                report::print_json(&serde_json::json!({
                    "event": "error",
                    "message": format!("{error:#}"),
                    "exit_code": code,
                }));
            } else {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(code)
        }
    }
}
