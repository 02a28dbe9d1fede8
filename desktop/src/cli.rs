//! The command line: global options and one subcommand per action, with the help text a person
//! reads (`ferry-desktop help send`). Each subcommand runs in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::rate::parse_rate;

/// Send and receive Ferry packages, folders included, from your computer.
#[derive(Debug, Parser)]
#[command(
    name = "ferry-desktop",
    version,
    about,
    long_about = "Send and receive Ferry packages, folders included, from your computer.\n\n\
        ferry-desktop talks to a Ferry server with the same transfer specs as the web app: uploads \
        use tus, downloads use ranged GETs, and every file is checked end to end with SHA-256. \
        Transfers resume on their own: if the program is stopped or the computer restarts, run \
        `ferry-desktop resume` (every transfer command also finishes what was left first).",
    after_long_help = concat!(
        "Examples:\n",
        "  ferry-desktop login https://ferry.example.com\n",
        "  ferry-desktop send --to alice --title \"Q3 report\" report.pdf figures/\n",
        "  ferry-desktop inbox\n",
        "  ferry-desktop receive --new --dir ~/Downloads/ferry\n\n",
        "Environment:\n",
        "  FERRY_SERVER  The server to use instead of the one saved by `login`.\n",
        "  FERRY_TOKEN   An API token to use instead of the saved one (for scripts and CI).\n\n",
        "Exit status:\n",
        "  0  Done.\n",
        "  1  Failed (the message says why; unfinished transfers can be resumed).\n",
        "  2  Wrong usage (unknown option, missing argument).\n",
        "  3  Not signed in, or the sign-in is no longer valid: run `ferry-desktop login SERVER`.",
    )
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The Ferry server's URL, instead of the one saved by `login`.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "FERRY_SERVER",
        value_name = "URL",
        hide_env_values = true
    )]
    pub server: Option<String>,
    /// An API token (Preferences → API tokens), instead of the one saved by `login`.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "FERRY_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Print one JSON object per line (events, then the result) instead of text and progress bars.
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// Cap the bandwidth of transfers, in bytes per second; K, M and G multiply by 1024 (`10M`).
    #[arg(long, global = true, help_heading = "Global options", value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to a Ferry server by approving this computer in the web app.
    #[command(
        long_about = "Sign in to a Ferry server by approving this computer in the web app.\n\n\
            Prints a short code and a link. Open the link in a browser where you are signed in to \
            Ferry, check that the code matches, and approve. ferry-desktop then receives an API \
            token named after this computer (you see it, and can revoke it, with your other API \
            tokens in Preferences). The server and the token are saved in your config directory, \
            readable by you only. The code works for 10 minutes.",
        after_long_help = "Examples:\n  ferry-desktop login https://ferry.example.com\n  \
            ferry-desktop login            # the server saved last time, or FERRY_SERVER"
    )]
    Login(LoginArgs),
    /// Revoke this computer's sign-in on the server and forget it here.
    #[command(
        long_about = "Revoke this computer's sign-in on the server and forget it here.\n\n\
            The API token saved by `login` is revoked on the server (it stops working everywhere), \
            then the saved sign-in is deleted. With --token, that token is revoked instead.",
        after_long_help = "Examples:\n  ferry-desktop logout"
    )]
    Logout,
    /// Send files and folders to people as a new package.
    #[command(
        long_about = "Send files and folders to people as a new package.\n\n\
            Folders are sent with everything in them, keeping their layout: sending ~/photos gives \
            the recipients photos/2024/a.jpg and so on. Symbolic links are followed (a link that \
            leads back into its own folder is refused). The package reaches its recipients, who \
            are told, once every file is uploaded and verified; until then it is a draft only you \
            see. Several files go at once (with --parts, big files in parallel parts); a dropped connection is \
            retried, and a stopped upload continues with `ferry-desktop resume`.",
        after_long_help = concat!(
            "Examples:\n",
            "  ferry-desktop send --to alice --title \"Holiday\" ~/photos\n",
            "  ferry-desktop send --to alice --to bob@example.com --title \"Contract\" \\\n",
            "      --note \"Signed copy\" --expires after-all contract.pdf\n",
            "  ferry-desktop send --json --limit-rate 10M --to ci --title build out/*.tar.gz\n\n",
            "Expiry (--expires):\n",
            "  never      Keep the files until someone deletes them.\n",
            "  after-any  Delete them once any recipient has downloaded every file.\n",
            "  after-all  Delete them once every recipient has downloaded every file.\n",
            "  DAYS       Delete them this many days after sending (1 to 3650).\n",
            "  (absent)   The server's default policy."
        )
    )]
    Send(SendArgs),
    /// List the packages sent to you.
    #[command(
        long_about = "List the packages sent to you, newest first: id, title, sender, files, \
            size, when it was sent and whether you downloaded it.",
        after_long_help = "Examples:\n  ferry-desktop inbox\n  ferry-desktop inbox --limit 100 --json"
    )]
    Inbox(ListArgs),
    /// List the packages you sent (drafts included).
    #[command(
        long_about = "List the packages you sent, drafts included, newest first: id, title, \
            recipients, files, size and state.",
        after_long_help = "Examples:\n  ferry-desktop sent\n  ferry-desktop sent --json"
    )]
    Sent(ListArgs),
    /// Download packages sent to you.
    #[command(
        long_about = "Download packages sent to you.\n\n\
            Each file goes to NAME.part first, is checked against the SHA-256 the server recorded \
            when it was uploaded, and is then renamed. An existing file is never overwritten: the \
            new one is saved as NAME (1).ext. Folders in the package are created under --dir. Paths \
            from the server are checked again here: nothing is written outside --dir, and no \
            symbolic link is followed. A stopped download continues from the bytes already on disk.",
        after_long_help = "Examples:\n  ferry-desktop receive 42\n  \
            ferry-desktop receive 42 43 --dir ~/Downloads\n  ferry-desktop receive --new --json"
    )]
    Receive(ReceiveArgs),
    /// Show the transfers that are running or unfinished on this computer.
    #[command(
        long_about = "Show the transfers that are running or unfinished on this computer: their \
            id (for `cancel`), direction, package, and whether another ferry-desktop is running \
            them now.",
        after_long_help = "Examples:\n  ferry-desktop status\n  ferry-desktop status --json"
    )]
    Status,
    /// Continue every unfinished transfer.
    #[command(
        long_about = "Continue every unfinished transfer of this server: uploads from the bytes \
            the server already holds, downloads from the bytes already on disk. Each downloaded \
            file is verified again as a whole. `send` and `receive` do this first on their own.",
        after_long_help = "Examples:\n  ferry-desktop resume\n  ferry-desktop resume --limit-rate 2M"
    )]
    Resume,
    /// Stop an unfinished transfer for good.
    #[command(
        long_about = "Stop an unfinished transfer for good. An unfinished send deletes its draft \
            package on the server; an unfinished receive deletes its .part files. ID is a package \
            id, or a transfer id from `status` (send-42, receive-42).",
        after_long_help = "Examples:\n  ferry-desktop cancel 42\n  ferry-desktop cancel send-42"
    )]
    Cancel(CancelArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The Ferry server's URL, as you open it in a browser.
    #[arg(value_name = "URL")]
    pub server: Option<String>,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// A recipient: a username or an email address (repeat for several).
    #[arg(long = "to", value_name = "USER", required = true)]
    pub to: Vec<String>,
    /// The package's title.
    #[arg(long, value_name = "TITLE")]
    pub title: String,
    /// A note for the recipients.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub note: String,
    /// When the files are deleted: never, after-any, after-all, or a number of days.
    #[arg(long, value_name = "WHEN", value_parser = crate::commands::send::parse_expiry)]
    pub expires: Option<app::types::ExpirationPolicy>,
    /// Upload each big file in N parallel parts, joined on the server (tus concatenation).
    ///
    /// Helps where one connection cannot fill the link (long, lossy paths). Joining costs the
    /// server a copy of the file: to a server on the same machine, 200 MiB took about twice as long
    /// in 4 parts as in one upload. Files under two chunks (16 MiB) always go in one part.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub parts: u32,
    /// Files and folders to send.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// How many packages to list, newest first.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// Package ids (from `inbox`).
    #[arg(
        value_name = "ID",
        required_unless_present = "new",
        conflicts_with = "new"
    )]
    pub ids: Vec<i64>,
    /// Every package sent to you that you have not downloaded in full.
    #[arg(long)]
    pub new: bool,
    /// Where to save the files [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// A package id, or a transfer id from `status` (send-42, receive-42).
    #[arg(value_name = "ID")]
    pub id: String,
}
