//! Ferry's typed configuration, loaded once at start-up.
//!
//! Precedence, lowest first: built-in defaults → the TOML file given by `--config` → `FERRY_*`
//! environment variables → command-line flags (clap reads the last two). Every value is checked here,
//! and a bad one stops start-up with a message that names the setting.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use serde::Deserialize;
use url::Url;

pub use self::{
    mail::{MailConfig, MailSettings, SmtpTls},
    node::{DEFAULT_NODE_ADDR, MIN_NODE_TOKEN_LEN, NodeConfig, RemoteNode},
    storage::{DEFAULT_S3_REGION, S3Settings, Storage},
};
use crate::cli::{ServeArgs, env_name};

/// A configuration value that must never appear in logs or `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How the web and gateway listeners speak TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain HTTP (the default: put a TLS-terminating proxy in front, or pick another mode).
    Off,
    /// A certificate generated once and kept in `<data dir>/tls/`.
    SelfSigned,
    /// A certificate chain and private key in PEM files.
    Files { cert: PathBuf, key: PathBuf },
}

impl TlsMode {
    pub fn is_enabled(&self) -> bool {
        *self != TlsMode::Off
    }

    fn scheme(&self) -> &'static str {
        if self.is_enabled() { "https" } else { "http" }
    }
}

/// Everything `ferry serve` needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub http_addr: SocketAddr,
    pub gateway_addr: SocketAddr,
    /// The gateway's base URL as browsers reach it, when it differs from its bind address.
    pub gateway_public_url: Option<Url>,
    /// Where people reach the web app (email links; `https://…` makes cookies `Secure`).
    pub public_url: Option<Url>,
    pub web_dir: PathBuf,
    pub admin_username: String,
    pub admin_password: Option<Secret>,
    pub tls: TlsMode,
    pub gateway_log: PathBuf,
    pub log: String,
    /// Signs transfer tokens; `None` means the key kept in the data dir.
    pub token_secret: Option<Secret>,
    /// Largest file accepted, in bytes.
    pub max_file_size: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Host names (lower case) a browser's `Host` may name for Ferry to use it in the gateway
    /// address; IP addresses and `localhost` always may.
    pub allowed_hosts: Vec<String>,
    /// A separate transfer node to reach over HTTP; `None` means the in-process one.
    pub remote_node: Option<RemoteNode>,
    /// Where the in-process transfer node keeps files (unused with `remote_node`).
    pub storage: Storage,
    /// The SMTP server notifications are emailed through; `None`: email is off.
    pub mail: Option<MailConfig>,
}

/// The optional TOML file: the same settings as the flags, in snake_case. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub http_addr: Option<String>,
    pub gateway_addr: Option<String>,
    pub gateway_public_url: Option<String>,
    pub web_dir: Option<PathBuf>,
    pub admin_username: Option<String>,
    pub admin_password: Option<String>,
    pub tls: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub gateway_log: Option<PathBuf>,
    pub log: Option<String>,
    pub token_secret: Option<String>,
    pub max_file_size: Option<String>,
    pub trusted_proxies: Option<String>,
    pub allowed_hosts: Option<String>,
    pub node_url: Option<String>,
    pub node_token: Option<String>,
    pub node_addr: Option<String>,
    pub storage: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    pub s3_path_style: Option<bool>,
    pub s3_allow_http: Option<bool>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<String>,
    pub smtp_tls: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: Option<String>,
    pub public_url: Option<String>,
}

/// A setting that could not be used, with the names a person would look for.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name} (env {}): {reason}", env_name(.name))]
pub struct ConfigError {
    /// The setting's key, as in the `--config` file.
    pub name: &'static str,
    pub reason: String,
}

impl ConfigError {
    /// The setting's environment variable.
    pub fn env(&self) -> String {
        env_name(self.name)
    }
}

fn bad(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        reason: reason.into(),
    }
}

pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_GATEWAY_ADDR: &str = "127.0.0.1:4001";
/// 100 GiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 << 30;
pub const DEFAULT_LOG: &str = "info,sqlx=warn,sea_orm=warn";

impl Config {
    /// Reads `--config` (if any) and merges it under the flags and environment that clap parsed.
    pub fn load(args: &ServeArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        Self::merge(args, file)
    }

    /// Merges a parsed file with the command line and validates the result.
    pub fn merge(args: &ServeArgs, file: FileConfig) -> Result<Self, ConfigError> {
        let storage = storage::from_settings(&args.storage, &file)?;
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| "data".into());
        if data_dir.as_os_str().is_empty() {
            return Err(bad("data_dir", "must not be empty"));
        }
        let database_url = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| default_database_url(&data_dir));
        check_database_url(&database_url)?;

        let http_addr = parse_addr(
            args.http_addr.clone().or(file.http_addr),
            DEFAULT_HTTP_ADDR,
            "http_addr",
        )?;
        let gateway_addr = parse_addr(
            args.gateway_addr.clone().or(file.gateway_addr),
            DEFAULT_GATEWAY_ADDR,
            "gateway_addr",
        )?;
        if http_addr == gateway_addr && http_addr.port() != 0 {
            return Err(bad(
                "gateway_addr",
                format!(
                    "must differ from http_addr ({http_addr}): the gateway has its own listener"
                ),
            ));
        }

        let gateway_public_url = args
            .gateway_public_url
            .clone()
            .or(file.gateway_public_url)
            .map(|raw| parse_public_url(&raw))
            .transpose()?;

        let admin_username = args
            .admin_username
            .clone()
            .or(file.admin_username)
            .unwrap_or_else(|| "admin".into());
        check_username(&admin_username)?;
        let admin_password = args
            .admin_password
            .clone()
            .or(file.admin_password)
            .map(Secret::new);
        if let Some(password) = &admin_password {
            crate::auth::password::check_policy(password.expose())
                .map_err(|reason| bad("admin_password", reason))?;
        }

        let tls = tls_mode(
            args.tls.clone().or(file.tls),
            args.tls_cert.clone().or(file.tls_cert),
            args.tls_key.clone().or(file.tls_key),
        )?;

        let gateway_log = args
            .gateway_log
            .clone()
            .or(file.gateway_log)
            .unwrap_or_else(|| data_dir.join("logs").join("gateway.log"));
        if gateway_log.file_name().is_none() {
            return Err(bad("gateway_log", "must name a file"));
        }
        let log = args
            .log
            .clone()
            .or(file.log)
            .unwrap_or_else(|| DEFAULT_LOG.into());
        tracing_subscriber::EnvFilter::try_new(&log)
            .map_err(|e| bad("log", format!("not a valid log filter: {e}")))?;

        let token_secret = args
            .token_secret
            .clone()
            .or(file.token_secret)
            .map(Secret::new);
        if let Some(secret) = &token_secret
            && secret.expose().len() < crate::transfer::token::MIN_SECRET_LEN
        {
            return Err(bad(
                "token_secret",
                format!(
                    "must be at least {} characters long",
                    crate::transfer::token::MIN_SECRET_LEN
                ),
            ));
        }
        let max_file_size = match args.max_file_size.clone().or(file.max_file_size) {
            Some(raw) => parse_size(&raw).map_err(|reason| bad("max_file_size", reason))?,
            None => DEFAULT_MAX_FILE_SIZE,
        };

        let trusted_proxies = args
            .trusted_proxies
            .clone()
            .or(file.trusted_proxies)
            .map(|raw| parse_ip_list(&raw))
            .transpose()
            .map_err(|reason| bad("trusted_proxies", reason))?
            .unwrap_or_default();

        let allowed_hosts = args
            .allowed_hosts
            .clone()
            .or(file.allowed_hosts)
            .map(|raw| parse_host_list(&raw))
            .transpose()
            .map_err(|reason| bad("allowed_hosts", reason))?
            .unwrap_or_default();

        let remote_node = RemoteNode::from_settings(
            args.node_url.clone().or(file.node_url.clone()),
            args.node_token.clone().or(file.node_token.clone()),
        )?;
        if remote_node.is_some() && storage != Storage::Local {
            return Err(bad(
                "storage",
                "must stay \"local\" when node_url is set: the separate node keeps the files, so \
                 give it the storage settings instead",
            ));
        }

        let public_url = args.public_url.clone().or(file.public_url);
        let parsed_public_url = public_url
            .as_deref()
            .map(mail::parse_public_url)
            .transpose()?;
        let mail = MailConfig::from_settings(MailSettings {
            smtp_host: args.smtp_host.clone().or(file.smtp_host),
            smtp_port: args.smtp_port.clone().or(file.smtp_port),
            smtp_tls: args.smtp_tls.clone().or(file.smtp_tls),
            smtp_username: args.smtp_username.clone().or(file.smtp_username),
            smtp_password: args.smtp_password.clone().or(file.smtp_password),
            smtp_from: args.smtp_from.clone().or(file.smtp_from),
            public_url,
        })?;

        Ok(Self {
            storage,
            mail,
            remote_node,
            trusted_proxies,
            allowed_hosts,
            token_secret,
            max_file_size,
            web_dir: args
                .web_dir
                .clone()
                .or(file.web_dir)
                .unwrap_or_else(|| "dist".into()),
            data_dir,
            database_url,
            http_addr,
            gateway_addr,
            gateway_public_url,
            public_url: parsed_public_url,
            admin_username,
            admin_password,
            tls,
            gateway_log,
            log,
        })
    }

    /// `http` or `https`, as both listeners use the same TLS mode.
    pub fn scheme(&self) -> &'static str {
        self.tls.scheme()
    }

    /// Whether browsers reach the web app over HTTPS, so its cookies must be `Secure`: Ferry serves
    /// TLS itself, or `public_url` says a proxy in front does.
    pub fn secure_cookies(&self) -> bool {
        self.tls.is_enabled()
            || self
                .public_url
                .as_ref()
                .is_some_and(|url| url.scheme() == "https")
    }

    /// Where self-signed certificates are kept.
    pub fn tls_dir(&self) -> PathBuf {
        self.data_dir.join("tls")
    }
}

/// Comma-separated host names, lower-cased; each a plain DNS name (no scheme, port or path).
fn parse_host_list(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            let plain = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if plain && !name.starts_with('.') {
                Ok(name.to_ascii_lowercase())
            } else {
                Err(format!(
                    "{name:?} is not a host name: list names such as ferry.example.com, without a scheme or port"
                ))
            }
        })
        .collect()
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad("config", format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text)
        .map_err(|e| bad("config", format!("{} is not valid: {e}", path.display())))
}

fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("ferry.db").display())
}

fn check_database_url(url: &str) -> Result<(), ConfigError> {
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|prefix| url.starts_with(prefix)) {
        Ok(())
    } else {
        Err(bad(
            "database_url",
            "must start with sqlite: (a file) or postgres:// (a PostgreSQL server)",
        ))
    }
}

fn parse_addr(
    raw: Option<String>,
    default: &str,
    name: &'static str,
) -> Result<SocketAddr, ConfigError> {
    let raw = raw.unwrap_or_else(|| default.into());
    raw.parse().map_err(|_| {
        bad(
            name,
            format!("{raw:?} is not an IP address and port, such as {default}"),
        )
    })
}

fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw).map_err(|e| bad("gateway_public_url", format!("{raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(bad(
            "gateway_public_url",
            format!("{raw:?} must be an http:// or https:// URL with a host"),
        ));
    }
    Ok(url)
}

/// Parses `1234`, `500MiB`, `2GB`, `100 GiB`… into bytes (KB/MB/GB/TB are powers of 1000, KiB…
/// powers of 1024).
pub fn parse_size(raw: &str) -> Result<u64, String> {
    let text = raw.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("{raw:?} is not a size such as 500MiB or 100GiB"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        other => {
            return Err(format!(
                "unknown unit {other:?}; use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB"
            ));
        }
    };
    let bytes = number
        .checked_mul(factor)
        .ok_or_else(|| format!("{raw:?} is too large"))?;
    if bytes == 0 {
        return Err("must be more than 0 bytes".into());
    }
    Ok(bytes)
}

/// Parses `10.0.0.1, ::1` into addresses.
fn parse_ip_list(raw: &str) -> Result<Vec<std::net::IpAddr>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<std::net::IpAddr>()
                .map(|ip| ip.to_canonical())
                .map_err(|_| format!("{item:?} is not an IP address"))
        })
        .collect()
}

fn check_username(name: &str) -> Result<(), ConfigError> {
    crate::auth::username::check(name).map_err(|reason| bad("admin_username", reason))
}

fn tls_mode(
    mode: Option<String>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
) -> Result<TlsMode, ConfigError> {
    let mode = mode.unwrap_or_else(|| {
        if cert.is_some() || key.is_some() {
            "files".into()
        } else {
            "off".into()
        }
    });
    match mode.as_str() {
        "off" | "self-signed" if cert.is_some() || key.is_some() => Err(bad(
            "tls",
            format!("is {mode:?} but a certificate or key path is set; use \"files\" or drop them"),
        )),
        "off" => Ok(TlsMode::Off),
        "self-signed" => Ok(TlsMode::SelfSigned),
        "files" => match (cert, key) {
            (Some(cert), Some(key)) => Ok(TlsMode::Files { cert, key }),
            (None, _) => Err(bad("tls_cert", "is required when tls is \"files\"")),
            (_, None) => Err(bad("tls_key", "is required when tls is \"files\"")),
        },
        other => Err(bad(
            "tls",
            format!("{other:?} is not one of \"off\", \"self-signed\", \"files\""),
        )),
    }
}

mod mail;
mod node;
mod storage;
#[cfg(test)]
mod tests;
