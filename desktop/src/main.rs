//! `ferry-desktop`: parses the command line and hands it to the library; the exit code says how it
//! ended (0 done, 1 failed, 2 usage, 3 sign-in no longer valid).
#![forbid(unsafe_code)]

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = desktop::cli::Cli::parse();
    desktop::run(cli)
}
