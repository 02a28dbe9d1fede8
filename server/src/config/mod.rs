//! Ferry's typed configuration, loaded once at start-up.
//!
//! Precedence, lowest first: built-in defaults → the TOML file given by `--config` → `FERRY_*`
//! environment variables → command-line flags. clap reads the last two into the settings declared
//! in [`crate::cli`], [`FileConfig`] reads the file into the same structs, and [`Merge`] lays the
//! first over the second. Every value is checked here, and a bad one stops start-up with a message
//! that names the setting.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use merge::Merge;
use url::Url;

pub(crate) use self::file::switch;
pub use self::{
    file::FileConfig,
    mail::{MailConfig, SmtpTls},
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
    /// Where the `ferry-desktop` binary offered for download is (it may be absent: then none is).
    pub desktop_client: PathBuf,
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
        Self::merge(args, FileConfig::read(args.config.as_deref())?)
    }

    /// Merges a parsed file under the command line and validates the result.
    pub fn merge(args: &ServeArgs, file: FileConfig) -> Result<Self, ConfigError> {
        let mut settings = args.clone();
        settings.merge(file.serve);
        Self::check(&settings)
    }

    /// Checks each setting, in turn, and fills in the defaults of those not set.
    fn check(settings: &ServeArgs) -> Result<Self, ConfigError> {
        let storage = storage::from_settings(&settings.storage)?;
        let data_dir = check_data_dir(settings.data_dir.clone())?;
        let database_url = settings
            .database_url
            .clone()
            .unwrap_or_else(|| default_database_url(&data_dir));
        check_database_url(&database_url)?;

        let http_addr = parse_addr(
            settings.http_addr.as_deref(),
            DEFAULT_HTTP_ADDR,
            "http_addr",
        )?;
        let gateway_addr = parse_addr(
            settings.gateway_addr.as_deref(),
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

        let gateway_public_url = settings
            .gateway_public_url
            .as_deref()
            .map(parse_public_url)
            .transpose()?;

        let admin_username = settings
            .admin_username
            .clone()
            .unwrap_or_else(|| "admin".into());
        check_username(&admin_username)?;
        let admin_password = settings.admin_password.clone().map(Secret::new);
        if let Some(password) = &admin_password {
            crate::auth::password::check_policy(password.expose())
                .map_err(|reason| bad("admin_password", reason))?;
        }

        let tls = tls_mode(
            settings.tls.clone(),
            settings.tls_cert.clone(),
            settings.tls_key.clone(),
        )?;

        let gateway_log = settings
            .gateway_log
            .clone()
            .unwrap_or_else(|| data_dir.join("logs").join("gateway.log"));
        if gateway_log.file_name().is_none() {
            return Err(bad("gateway_log", "must name a file"));
        }
        let log = check_log(settings.log.clone(), DEFAULT_LOG)?;

        let token_secret = settings.token_secret.clone().map(Secret::new);
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
        let max_file_size = match &settings.max_file_size {
            Some(raw) => parse_size(raw).map_err(|reason| bad("max_file_size", reason))?,
            None => DEFAULT_MAX_FILE_SIZE,
        };

        let trusted_proxies = settings
            .trusted_proxies
            .as_deref()
            .map(parse_ip_list)
            .transpose()
            .map_err(|reason| bad("trusted_proxies", reason))?
            .unwrap_or_default();

        let allowed_hosts = settings
            .allowed_hosts
            .as_deref()
            .map(parse_host_list)
            .transpose()
            .map_err(|reason| bad("allowed_hosts", reason))?
            .unwrap_or_default();

        let remote_node =
            RemoteNode::from_settings(settings.node_url.clone(), settings.node_token.clone())?;
        if remote_node.is_some() && storage != Storage::Local {
            return Err(bad(
                "storage",
                "must stay \"local\" when node_url is set: the separate node keeps the files, so \
                 give it the storage settings instead",
            ));
        }

        let public_url = settings
            .public_url
            .as_deref()
            .map(mail::parse_public_url)
            .transpose()?;
        let mail = MailConfig::from_settings(settings)?;

        Ok(Self {
            storage,
            mail,
            remote_node,
            trusted_proxies,
            allowed_hosts,
            token_secret,
            max_file_size,
            desktop_client: check_desktop_client(settings.desktop_client.clone())?,
            web_dir: settings.web_dir.clone().unwrap_or_else(|| "dist".into()),
            data_dir,
            database_url,
            http_addr,
            gateway_addr,
            gateway_public_url,
            public_url,
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

fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("ferry.db").display())
}

/// The data dir, `./data` unless set.
/// The configured client binary, which must exist; else `ferry-desktop` beside this executable.
fn check_desktop_client(configured: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
    match configured {
        Some(path) if path.is_file() => Ok(path),
        Some(path) => Err(bad(
            "desktop_client",
            format!("{} is not a file", path.display()),
        )),
        None => Ok(std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(DESKTOP_CLIENT_FILE)))
            .unwrap_or_else(|| DESKTOP_CLIENT_FILE.into())),
    }
}

/// The client binary's file name beside `ferry` (as `cargo build` and `scripts/run` leave it).
pub const DESKTOP_CLIENT_FILE: &str = "ferry-desktop";

fn check_data_dir(data_dir: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
    let data_dir = data_dir.unwrap_or_else(|| "data".into());
    if data_dir.as_os_str().is_empty() {
        return Err(bad("data_dir", "must not be empty"));
    }
    Ok(data_dir)
}

/// The log filter, `default` unless set.
fn check_log(log: Option<String>, default: &str) -> Result<String, ConfigError> {
    let log = log.unwrap_or_else(|| default.into());
    tracing_subscriber::EnvFilter::try_new(&log)
        .map_err(|e| bad("log", format!("not a valid log filter: {e}")))?;
    Ok(log)
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
    raw: Option<&str>,
    default: &str,
    name: &'static str,
) -> Result<SocketAddr, ConfigError> {
    let raw = raw.unwrap_or(default);
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

mod file;
mod mail;
mod node;
mod storage;
#[cfg(test)]
mod tests;
