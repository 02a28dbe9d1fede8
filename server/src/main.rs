//! The `ferry` binary: parse the command line, load the configuration, start logging, run.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use ferry_server::{
    Listeners, admin_cli,
    cli::{Cli, Command},
    config::{Config, NodeConfig},
    connections, data_dir, node, run, shutdown_signal, telemetry,
};

#[tokio::main]
async fn main() -> ExitCode {
    // Before anything is written: the data dir, the logs and the database are the user's alone.
    data_dir::restrict_new_files();
    // The connection limits, not the soft open-file limit (often 1,024), decide who is refused.
    connections::raise_open_file_limit();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            let config = match Config::load(&args) {
                Ok(config) => config,
                Err(error) => return fail(&error),
            };
            let _logs = match telemetry::init(&config) {
                Ok(guard) => guard,
                Err(error) => return fail(&format!("{error:#}")),
            };
            let listeners = match Listeners::bind(&config) {
                Ok(listeners) => listeners,
                Err(error) => return fail(&format!("{error:#}")),
            };
            match run(config, listeners, shutdown_signal()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail(&format!("{error:#}")),
            }
        }
        Command::Node(args) => {
            let config = match NodeConfig::load(&args) {
                Ok(config) => config,
                Err(error) => return fail(&error),
            };
            if let Err(error) = telemetry::init_console(&config.log) {
                return fail(&format!("{error:#}"));
            }
            let listener = match node::bind(&config) {
                Ok(listener) => listener,
                Err(error) => return fail(&format!("{error:#}")),
            };
            match node::run(config, listener, shutdown_signal()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail(&format!("{error:#}")),
            }
        }
        Command::Admin(args) => match admin_cli::run(&args).await {
            Ok(answer) => {
                println!("{answer}");
                ExitCode::SUCCESS
            }
            Err(error) => fail(&format!("{error:#}")),
        },
    }
}

fn fail(message: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("ferry: {message}");
    ExitCode::FAILURE
}
