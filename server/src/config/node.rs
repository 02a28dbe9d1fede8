//! Settings of the separate transfer node: what `ferry node` needs to serve it ([`NodeConfig`]),
//! and what `ferry serve` needs to reach it ([`RemoteNode`]). Both sides share one token.

use std::{net::SocketAddr, path::PathBuf};

use merge::Merge;
use url::Url;

use super::{ConfigError, FileConfig, Secret, Storage, bad, check_data_dir, check_log, parse_addr};
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
    /// Where the node keeps files.
    pub storage: Storage,
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
        Self::merge(args, FileConfig::read(args.config.as_deref())?)
    }

    /// Merges a parsed file under the command line and validates the result.
    pub fn merge(args: &NodeArgs, file: FileConfig) -> Result<Self, ConfigError> {
        let mut settings = args.clone();
        settings.merge(file.node);
        let storage = super::storage::from_settings(&settings.storage)?;
        let data_dir = check_data_dir(settings.data_dir)?;
        let node_addr = parse_addr(
            settings.node_addr.as_deref(),
            DEFAULT_NODE_ADDR,
            "node_addr",
        )?;
        let node_token = settings.node_token.ok_or_else(|| {
            bad(
                "node_token",
                format!(
                    "is required: the node serves only requests that carry it (at least \
                     {MIN_NODE_TOKEN_LEN} characters; give gateways the same one)"
                ),
            )
        })?;
        let log = check_log(settings.log, DEFAULT_NODE_LOG)?;
        Ok(Self {
            data_dir,
            node_addr,
            node_token: check_token(node_token)?,
            log,
            storage,
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
                    "is required when node_token is set: the token is for a separate transfer node",
                ));
            }
            return Ok(None);
        };
        let url = parse_node_url(&raw)?;
        let token = token.ok_or_else(|| {
            bad(
                "node_token",
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
    let invalid = |reason: String| bad("node_url", reason);
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
    let invalid = |reason: String| bad("node_token", reason);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cli::ServeArgs, config::Config};

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn node_args() -> NodeArgs {
        NodeArgs {
            node_token: Some(TOKEN.into()),
            ..NodeArgs::default()
        }
    }

    #[test]
    fn the_node_listens_on_loopback_and_needs_a_token() {
        let config = NodeConfig::merge(&node_args(), FileConfig::default()).expect("valid");
        assert_eq!(config.node_addr.to_string(), DEFAULT_NODE_ADDR);
        assert_eq!(config.storage_dir(), PathBuf::from("data/storage"));
        assert!(!format!("{config:?}").contains(TOKEN), "redacted in Debug");

        let err =
            NodeConfig::merge(&NodeArgs::default(), FileConfig::default()).expect_err("no token");
        assert_eq!(err.name, "node_token");
        assert!(err.to_string().contains("FERRY_NODE_TOKEN"), "{err}");
    }

    #[test]
    fn node_settings_come_from_the_shared_file_under_flags() {
        let file: FileConfig = format!(
            "node_addr = \"0.0.0.0:9002\"\nnode_token = \"{TOKEN}\"\ndata_dir = \"/srv/node\"\nhttp_addr = \"0.0.0.0:1\""
        )
        .parse()
        .expect("valid toml");
        let args = NodeArgs {
            node_addr: Some("127.0.0.1:7002".into()),
            ..NodeArgs::default()
        };
        let config = NodeConfig::merge(&args, file).expect("valid");
        assert_eq!(config.node_addr.to_string(), "127.0.0.1:7002");
        assert_eq!(config.data_dir, PathBuf::from("/srv/node"));
        assert_eq!(config.node_token.expose(), TOKEN);
    }

    #[test]
    fn bad_node_settings_name_the_setting() {
        let mut short = node_args();
        short.node_token = Some("too-short".into());
        let mut spaced = node_args();
        spaced.node_token = Some(format!("{TOKEN} with spaces"));
        let mut addr = node_args();
        addr.node_addr = Some("localhost".into());
        for (args, name) in [
            (short, "node_token"),
            (spaced, "node_token"),
            (addr, "node_addr"),
        ] {
            let err = NodeConfig::merge(&args, FileConfig::default()).expect_err(name);
            assert_eq!(err.name, name, "{err}");
        }
    }

    #[test]
    fn a_gateway_reaches_a_separate_node_with_url_and_token() {
        let config = Config::merge(&ServeArgs::default(), FileConfig::default()).expect("valid");
        assert!(config.remote_node.is_none(), "in-process by default");

        let args = ServeArgs {
            node_url: Some("http://10.0.0.5:4002/".into()),
            node_token: Some(TOKEN.into()),
            ..ServeArgs::default()
        };
        let config = Config::merge(&args, FileConfig::default()).expect("valid");
        let remote = config.remote_node.as_ref().expect("remote node");
        assert_eq!(remote.url.as_str(), "http://10.0.0.5:4002/");
        assert!(!format!("{config:?}").contains(TOKEN), "redacted in Debug");

        type Case = (Option<&'static str>, Option<&'static str>, &'static str);
        let cases: Vec<Case> = vec![
            (Some("http://127.0.0.1:4002"), None, "node_token"),
            (None, Some(TOKEN), "node_url"),
            (Some("http://127.0.0.1:4002"), Some("short"), "node_token"),
            (Some("127.0.0.1:4002"), Some(TOKEN), "node_url"),
            (Some("ftp://node:21"), Some(TOKEN), "node_url"),
            (Some("http://user:pw@node:4002"), Some(TOKEN), "node_url"),
            (Some("http://node:4002/?x=1"), Some(TOKEN), "node_url"),
        ];
        for (url, token, name) in cases {
            let args = ServeArgs {
                node_url: url.map(Into::into),
                node_token: token.map(Into::into),
                ..ServeArgs::default()
            };
            let err = Config::merge(&args, FileConfig::default()).expect_err(name);
            assert_eq!(err.name, name, "{url:?} {token:?}: {err}");
        }
    }
}
