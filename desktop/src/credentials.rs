//! The saved sign-in: the server's URL and an API token, in `credentials.json` under the user's
//! config directory, readable by the user only (mode 0600), written whole or not at all. Options
//! and `FERRY_SERVER`/`FERRY_TOKEN` take precedence over it.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::cli::GlobalArgs;
use crate::failure::NotSignedIn;

/// What `login` saves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub server: String,
    pub token: String,
    /// The token's id on the server, so `logout` revokes exactly this one.
    #[serde(default)]
    pub token_id: Option<i64>,
}

/// The server and token a command uses, and where they came from.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub server: String,
    pub token: String,
    pub token_id: Option<i64>,
}

/// The platform's directories for this program (`~/.config/ferry-desktop`,
/// `~/.local/share/ferry-desktop` on Linux).
pub fn project_dirs() -> anyhow::Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("org", "Ferry", "ferry-desktop")
        .context("cannot find your home directory (set HOME)")
}

fn credentials_path() -> anyhow::Result<PathBuf> {
    Ok(project_dirs()?.config_dir().join("credentials.json"))
}

/// A server URL as typed (`ferry.example.com`, `https://…/`) in one form: scheme, no trailing `/`.
pub fn normalize_server(raw: &str) -> String {
    let trimmed = raw.trim().trim_end_matches('/');
    if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    }
}

/// The saved sign-in, if any.
pub fn load() -> anyhow::Result<Option<Credentials>> {
    let path = credentials_path()?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("{} is damaged: run `ferry-desktop login`", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Saves the sign-in (mode 0600, replaced atomically).
pub fn save(credentials: &Credentials) -> anyhow::Result<PathBuf> {
    let path = credentials_path()?;
    let bytes = serde_json::to_vec_pretty(credentials)?;
    write_private(&path, &bytes)?;
    Ok(path)
}

/// Deletes the saved sign-in; whether there was one.
pub fn forget() -> anyhow::Result<bool> {
    let path = credentials_path()?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error).with_context(|| format!("cannot delete {}", path.display())),
    }
}

/// The sign-in to use: each of server and token from the options (or environment) if given,
/// else the saved one. A saved token is only used with its own server.
pub fn resolve(global: &GlobalArgs) -> anyhow::Result<SignIn> {
    let saved = load()?;
    let server = global
        .server
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(normalize_server)
        .or_else(|| saved.as_ref().map(|s| s.server.clone()))
        .ok_or(NotSignedIn)?;
    if let Some(token) = global.token.as_ref().filter(|t| !t.trim().is_empty()) {
        return Ok(SignIn {
            server,
            token: token.clone(),
            token_id: None,
        });
    }
    match saved {
        Some(saved) if saved.server == server => Ok(SignIn {
            server,
            token: saved.token,
            token_id: saved.token_id,
        }),
        _ => Err(NotSignedIn.into()),
    }
}

/// Writes `bytes` to `path` readable by the owner only: a temporary file beside it, synced, then
/// renamed over it, so a crash leaves the old file or the new one.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().context("a file path has a parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    crate::journal::sync_dir(dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_get_a_scheme_and_lose_the_trailing_slash() {
        assert_eq!(
            normalize_server("ferry.example.com"),
            "https://ferry.example.com"
        );
        assert_eq!(
            normalize_server("http://127.0.0.1:3000/"),
            "http://127.0.0.1:3000"
        );
    }
}
