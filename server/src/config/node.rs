//! Settings of the separate transfer node: what `ferry node` needs to serve it ([`NodeConfig`]),
//! and what `ferry serve` needs to reach it ([`RemoteNode`]). Both sides share one token.

use std::{net::SocketAddr, path::PathBuf};

use url::Url;

use super::{ConfigError, FileConfig, Secret, bad, parse_addr, read_file};
use crate::cli::NodeArgs;

pub const DEFAULT_NODE_ADDR: &str = "127.0.0.1:4002";
/// Shortest node token accepted.
pub const MIN_NODE_TOKEN_LEN: usize = 32;
const DEFAULT_NODE_LOG: &str = "info";

/// Everything `ferry node` needs, validated.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Files live under `<data_dir>/storage`, as with the in-process node.
    pub data_dir: PathBuf,
    pub node_addr: SocketAddr,
    /// Every request must carry it as `Authorization: Bearer`.
    pub node_token: Secret,
    pub log: String,
}

/// A transfer node reached over HTTP.
#[derive(Debug, Clone)]
pub struct RemoteNode {
    /// Base URL of the node's API (no trailing slash needed).
    pub url: Url,
    pub token: Secret,
}

impl NodeConfig {
    /// Reads `--config` (if any) and merges it under the flags and environment that clap parsed.
    pub fn load(args: &NodeArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        Self::merge(args, file)
    }

    /// Merges a parsed file with the command line and validates the result.
    pub fn merge(args: &NodeArgs, file: FileConfig) -> Result<Self, ConfigError> {
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| "data".into());
        if data_dir.as_os_str().is_empty() {
            return Err(bad("data_dir", "FERRY_DATA_DIR", "must not be empty"));
        }
        let node_addr = parse_addr(
            args.node_addr.clone().or(file.node_addr),
            DEFAULT_NODE_ADDR,
            "node_addr",
            "FERRY_NODE_ADDR",
        )?;
        let node_token = args.node_token.clone().or(file.node_token).ok_or_else(|| {
            bad(
                "node_token",
                "FERRY_NODE_TOKEN",
                format!(
                    "is required: the node serves only requests that carry it (at least \
                     {MIN_NODE_TOKEN_LEN} characters; give gateways the same one)"
                ),
            )
        })?;
        let log = args
            .log
            .clone()
            .or(file.log)
            .unwrap_or_else(|| DEFAULT_NODE_LOG.into());
        tracing_subscriber::EnvFilter::try_new(&log)
            .map_err(|e| bad("log", "FERRY_LOG", format!("not a valid log filter: {e}")))?;
        Ok(Self {
            data_dir,
            node_addr,
            node_token: check_token(node_token)?,
            log,
        })
    }

    /// Where the node keeps uploads and objects.
    pub fn storage_dir(&self) -> PathBuf {
        self.data_dir.join("storage")
    }
}

impl RemoteNode {
    /// The remote node of `ferry serve`'s settings, if `node_url` is set.
    pub(super) fn from_settings(
        url: Option<String>,
        token: Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let Some(raw) = url else {
            if token.is_some() {
                return Err(bad(
                    "node_url",
                    "FERRY_NODE_URL",
                    "is required when node_token is set: the token is for a separate transfer node",
                ));
            }
            return Ok(None);
        };
        let url = parse_node_url(&raw)?;
        let token = token.ok_or_else(|| {
            bad(
                "node_token",
                "FERRY_NODE_TOKEN",
                "is required when node_url is set: the same token as the node's",
            )
        })?;
        Ok(Some(Self {
            url,
            token: check_token(token)?,
        }))
    }
}

fn parse_node_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| bad("node_url", "FERRY_NODE_URL", reason);
    let url = Url::parse(raw).map_err(|e| invalid(format!("{raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!(
            "{raw:?} must be an http:// or https:// URL with a host, such as http://{DEFAULT_NODE_ADDR}"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(format!(
            "{raw:?} must not carry credentials: set node_token instead"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "{raw:?} must not have a query or fragment"
        )));
    }
    Ok(url)
}

/// A token goes into an HTTP header: printable ASCII without spaces, long enough to guess never.
fn check_token(token: String) -> Result<Secret, ConfigError> {
    let invalid = |reason: String| bad("node_token", "FERRY_NODE_TOKEN", reason);
    if token.len() < MIN_NODE_TOKEN_LEN {
        return Err(invalid(format!(
            "must be at least {MIN_NODE_TOKEN_LEN} characters long"
        )));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "may hold only printable ASCII characters, without spaces".into(),
        ));
    }
    Ok(Secret::new(token))
}
