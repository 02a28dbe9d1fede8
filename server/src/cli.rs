//! The `ferry` command line: subcommands and their settings.
//!
//! A setting is declared once, as a field of [`ServeArgs`], [`NodeArgs`] or [`StorageArgs`]: its
//! name is the `--config` file's key, the flag is that name in kebab case (`data_dir` →
//! `--data-dir`) and the environment variable is [`env_name`] of it (`FERRY_DATA_DIR`); the doc
//! comment is the `--help` text, with the default. Every value stays text here, as given;
//! [`crate::config`] checks it and applies the default.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};
use merge::Merge;
use serde::Deserialize;

use crate::config::switch;

/// Ferry: send packages of files to people, from the browser.
#[derive(Debug, Args)]
#[command(version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The derived command, with every setting of every subcommand also read from the environment.
impl CommandFactory for Cli {
    fn command() -> clap::Command {
        Self::augment_args(clap::Command::new("ferry")).mut_subcommands(settings_from_env)
    }

    fn command_for_update() -> clap::Command {
        Self::augment_args_for_update(clap::Command::new("ferry"))
            .mut_subcommands(settings_from_env)
    }
}

impl Parser for Cli {}

/// The environment variable of the setting `key`: `FERRY_` and the key in upper case.
pub fn env_name(key: &str) -> String {
    format!("FERRY_{}", key.to_ascii_uppercase())
}

/// Each option of `serve`, `node` and `admin` is a setting, also read from its [`env_name`] (the
/// admin tasks' own arguments, one level down, are not).
fn settings_from_env(command: clap::Command) -> clap::Command {
    command.mut_args(|setting| {
        let env = env_name(setting.get_id().as_str());
        setting.env(env)
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app, the package API, the HTTP gateway and (unless `--node-url` names a
    /// separate one) the in-process transfer node.
    Serve(Box<ServeArgs>),
    /// Serve the transfer node alone, for gateways that reach it over HTTP (`--node-url`).
    Node(Box<NodeArgs>),
    /// Operator tasks on the database `ferry serve` uses (same settings): unlock an account, reset
    /// a password.
    Admin(Box<AdminArgs>),
}

/// `ferry admin`: a task, and the settings that say where the database is.
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub task: AdminTask,
    #[command(flatten)]
    pub settings: ServeArgs,
}

/// What `ferry admin` does.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminTask {
    /// Forget the failed sign-ins counted against USER, from every address.
    Unlock {
        /// The account's username.
        username: String,
    },
    /// Give USER a new password (generated and printed, or read from standard input with
    /// `--password-stdin`); ends the user's sessions and unlocks the account.
    ResetPassword {
        /// The account's username.
        username: String,
        /// Read the new password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Settings of `ferry serve`. Each flag can also come from its `FERRY_*` environment variable or
/// from the `--config` TOML file (same name in snake_case); flags win over the environment, which
/// wins over the file.
#[derive(Debug, Default, Clone, Args, Deserialize, Merge)]
#[merge(strategy = merge::option::overwrite_none)]
pub struct ServeArgs {
    /// A TOML file with settings.
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Where Ferry keeps its database, files, certificates and logs [default: ./data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite:PATH or postgres://… [default: a SQLite file in the data dir].
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Address of the web app and package API [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub http_addr: Option<String>,
    /// Address of the HTTP gateway's own listener [default: 127.0.0.1:4001].
    #[arg(long, value_name = "ADDR")]
    pub gateway_addr: Option<String>,
    /// The gateway's URL as browsers reach it [default: derived from the gateway address].
    #[arg(long, value_name = "URL")]
    pub gateway_public_url: Option<String>,
    /// The built web app (Trunk's output) [default: ./dist].
    #[arg(long, value_name = "DIR")]
    pub web_dir: Option<PathBuf>,
    /// Username of the admin account created on first start [default: admin].
    #[arg(long, value_name = "NAME")]
    pub admin_username: Option<String>,
    /// Password of that first admin [default: random, printed once].
    #[arg(long, value_name = "PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// TLS on both listeners: off, self-signed, or files [default: off; files when a cert is set].
    #[arg(long, value_name = "MODE")]
    pub tls: Option<String>,
    /// PEM certificate chain (with --tls files).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (with --tls files).
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// The gateway's own log file, rotated daily [default: <data dir>/logs/gateway.log].
    #[arg(long, value_name = "FILE")]
    pub gateway_log: Option<PathBuf>,
    /// Secret that signs transfer tokens, at least 32 characters; every instance of one Ferry must
    /// share it [default: generated once into <data dir>/secrets/].
    #[arg(long, value_name = "SECRET", hide_env_values = true)]
    pub token_secret: Option<String>,
    /// Largest file accepted, in bytes or with a unit (e.g. 500MiB, 100GiB) [default: 100GiB].
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Reverse proxies whose X-Forwarded-For is believed for the client address (sign-in
    /// throttling), comma-separated IP addresses [default: none].
    #[arg(long, value_name = "IPS")]
    pub trusted_proxies: Option<String>,
    /// Host names browsers may reach Ferry by, comma-separated; the gateway address given to a
    /// browser uses the name it came by only when it is listed (or is an IP address, or localhost)
    /// [default: the host names of public_url and gateway_public_url].
    #[arg(long, value_name = "NAMES")]
    pub allowed_hosts: Option<String>,
    /// A separate transfer node (`ferry node`) to keep files on, instead of the in-process one
    /// [default: none: files go under <data dir>/storage].
    #[arg(long, value_name = "URL")]
    pub node_url: Option<String>,
    /// Token that authorizes requests to the separate transfer node, at least 32 characters; the
    /// node must have the same one. Required with --node-url.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub node_token: Option<String>,
    /// SMTP server that notification emails go through [default: none: email is off].
    #[arg(long, value_name = "HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port [default: 587 with starttls, 465 with tls, 25 with none].
    #[arg(long, value_name = "PORT")]
    pub smtp_port: Option<String>,
    /// SMTP encryption: none, starttls or tls [default: starttls].
    #[arg(long, value_name = "MODE")]
    pub smtp_tls: Option<String>,
    /// SMTP user name, when the server wants one.
    #[arg(long, value_name = "NAME")]
    pub smtp_username: Option<String>,
    /// SMTP password (with --smtp-username).
    #[arg(long, value_name = "PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender of notification emails, such as "Ferry <ferry@example.com>". Required with
    /// --smtp-host.
    #[arg(long, value_name = "MAILBOX")]
    pub smtp_from: Option<String>,
    /// The web app's URL as people reach it, used for links in emails (never the request's Host).
    /// Required with --smtp-host.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// The `ferry-desktop` binary offered for download on the web listener [default:
    /// ferry-desktop next to the running ferry executable; none offered when it is not there].
    #[arg(long, value_name = "FILE")]
    pub desktop_client: Option<PathBuf>,
    /// Log filter, in tracing's EnvFilter syntax [default: info,sqlx=warn,sea_orm=warn].
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,
    #[command(flatten)]
    #[serde(skip)] // read from the file on its own: see `FileConfig`
    #[merge(strategy = Merge::merge)]
    pub storage: StorageArgs,
}

/// Settings of `ferry node`, from flags, `FERRY_*` environment variables or the `--config` TOML file
/// (the same file `ferry serve` reads; settings only `ferry serve` uses are ignored).
#[derive(Debug, Default, Clone, Args, Deserialize, Merge)]
#[merge(strategy = merge::option::overwrite_none)]
pub struct NodeArgs {
    /// A TOML file with settings.
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Where the node keeps files, under storage/ [default: ./data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address of the node's HTTP API [default: 127.0.0.1:4002].
    #[arg(long, value_name = "ADDR")]
    pub node_addr: Option<String>,
    /// Token every request must carry (`Authorization: Bearer`), at least 32 characters; gateways
    /// use the same one. Required.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub node_token: Option<String>,
    /// Log filter, in tracing's EnvFilter syntax [default: info].
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,
    #[command(flatten)]
    #[serde(skip)] // read from the file on its own: see `FileConfig`
    #[merge(strategy = Merge::merge)]
    pub storage: StorageArgs,
}

/// Where the transfer node keeps files, shared by `ferry serve` (its in-process node) and `ferry node`.
#[derive(Debug, Default, Clone, Args, Deserialize, Merge)]
#[merge(strategy = merge::option::overwrite_none)]
pub struct StorageArgs {
    /// local (files under <data dir>/storage) or s3 (an S3-compatible bucket) [default: local].
    #[arg(long, value_name = "KIND")]
    pub storage: Option<String>,
    /// URL of the S3-compatible store, e.g. https://minio.example:9000 [default: AWS S3].
    #[arg(long, value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// The bucket that holds Ferry's files (it must exist). Required with --storage s3.
    #[arg(long, value_name = "NAME")]
    pub s3_bucket: Option<String>,
    /// The bucket's region [default: us-east-1].
    #[arg(long, value_name = "REGION")]
    pub s3_region: Option<String>,
    /// Access key id [default: from the environment's AWS credentials].
    #[arg(long, value_name = "ID")]
    pub s3_access_key_id: Option<String>,
    /// Secret access key (with --s3-access-key-id).
    #[arg(long, value_name = "KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
    /// true: path-style URLs (host/bucket/key), as MinIO and Ceph expect [default: false].
    #[arg(long, value_name = "BOOL")]
    #[serde(default, deserialize_with = "switch")]
    pub s3_path_style: Option<String>,
    /// true: allow a plain http:// endpoint (a store on loopback or a trusted network) [default: false].
    #[arg(long, value_name = "BOOL")]
    #[serde(default, deserialize_with = "switch")]
    pub s3_allow_http: Option<String>,
}

#[cfg(test)]
mod tests;
