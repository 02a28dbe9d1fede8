//! Transfer tokens: HS256 JWTs signed by the server, scoped to one user, one package, one direction
//! and a list of file ids, valid for a short time. The algorithm is fixed: a token naming any other
//! (or `none`) is refused. The signing secret comes from `FERRY_TOKEN_SECRET`, or is generated once
//! and kept in the data dir; every instance serving one Ferry must share it.

use std::{fmt, path::Path};

use anyhow::Context;
use app::types::{TransferClient, TransferDirection};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// How long a transfer token works. Clients ask for a new spec before it ends.
pub const TOKEN_LIFETIME: Duration = Duration::hours(2);
/// How long a link token ([`TransferClaims::link`]) starts new requests. Short, since a URL is
/// easier to leak than a header; long enough for a browser's download manager to resume with it.
pub const LINK_LIFETIME: Duration = Duration::minutes(30);
/// Shortest secret accepted from configuration.
pub const MIN_SECRET_LEN: usize = 32;

/// What a transfer token allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferClaims {
    /// The user the transfer is for.
    pub uid: i64,
    /// The package.
    pub pkg: i64,
    pub dir: TransferDirection,
    /// The package's files this token may touch.
    pub files: Vec<i64>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    pub iat: i64,
    /// A link token: one file (or a package's archive), receive only, the only kind of token the
    /// gateway accepts in a URL's query (a spec's token is accepted only as a header).
    #[serde(default, skip_serializing_if = "is_false")]
    pub link: bool,
    /// An archive link token: every complete file of the package, as its ZIP archive only (the
    /// `files` list stays empty, so a URL stays short however many files there are, and the
    /// token fetches no file alone).
    #[serde(default, rename = "zip", skip_serializing_if = "is_false")]
    pub archive: bool,
    /// The credential that asked for the token. The gateway checks on every request that it still
    /// works (see [`crate::transfer::live`]): signing out, a password change, revoking the API
    /// token or disabling the user ends the transfers it started. A token without one is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Issuer>,
    /// Whose limits apply: a browser token cannot upload a file that has a folder path (absent in
    /// tokens issued before the desktop client: `browser`).
    #[serde(default, skip_serializing_if = "is_browser")]
    pub client: TransferClient,
}

/// Who asked for a transfer token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Issuer {
    /// A browser session, by a fingerprint of its stored id (never the cookie's value).
    #[serde(rename = "s")]
    Session(String),
    /// A personal API token, by its id.
    #[serde(rename = "t")]
    ApiToken(i64),
}

fn is_false(value: &bool) -> bool {
    !value
}

fn is_browser(client: &TransferClient) -> bool {
    *client == TransferClient::Browser
}

impl TransferClaims {
    pub fn new(user: i64, package: i64, dir: TransferDirection, files: Vec<i64>) -> Self {
        let now = Utc::now();
        Self {
            uid: user,
            pkg: package,
            dir,
            files,
            exp: (now + TOKEN_LIFETIME).timestamp(),
            iat: now.timestamp(),
            link: false,
            archive: false,
            by: None,
            client: TransferClient::Browser,
        }
    }

    /// These claims, for `client`'s limits.
    pub fn for_client(self, client: TransferClient) -> Self {
        Self { client, ..self }
    }

    /// These claims, asked for by `issuer`.
    pub fn issued_by(self, issuer: Issuer) -> Self {
        Self {
            by: Some(issuer),
            ..self
        }
    }

    /// A link token: `user` may receive file `file` of `package`, for [`LINK_LIFETIME`].
    pub fn link(user: i64, package: i64, file: i64) -> Self {
        let now = Utc::now();
        Self {
            exp: (now + LINK_LIFETIME).timestamp(),
            link: true,
            ..Self::new(user, package, TransferDirection::Receive, vec![file])
        }
    }

    /// A link token for a package's archive: `user` may receive all of `package`'s complete
    /// files as one ZIP, for [`LINK_LIFETIME`].
    pub fn archive_link(user: i64, package: i64) -> Self {
        let now = Utc::now();
        Self {
            exp: (now + LINK_LIFETIME).timestamp(),
            link: true,
            archive: true,
            ..Self::new(user, package, TransferDirection::Receive, vec![])
        }
    }

    /// Whether this token may receive `file` inside its package's archive: an archive link token
    /// covers every file of its package, any other token the files it lists.
    pub fn allows_in_archive(&self, file: i64) -> bool {
        (self.archive && self.dir == TransferDirection::Receive)
            || self.allows(TransferDirection::Receive, file)
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.exp, 0).unwrap_or_default()
    }

    /// Whether this token covers `file` in direction `dir`.
    pub fn allows(&self, dir: TransferDirection, file: i64) -> bool {
        self.dir == dir && self.files.contains(&file)
    }
}

/// Why a token was refused (all answer 401; the reason is for logs).
#[derive(Debug, thiserror::Error)]
#[error("transfer token refused: {0}")]
pub struct TokenError(String);

/// The signing and verifying keys.
#[derive(Clone)]
pub struct TransferKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl fmt::Debug for TransferKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransferKeys([redacted])")
    }
}

impl TransferKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// The configured secret, or the one kept in `<data dir>/secrets/transfer-token.key`
    /// (generated on first start, readable by its owner only).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(secret) = configured {
            return Ok(Self::from_secret(secret.as_bytes()));
        }
        let path = data_dir.join("secrets").join("transfer-token.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let secret = hex::decode(existing.trim())
                .with_context(|| format!("{} is not a valid key file", path.display()))?;
            return Ok(Self::from_secret(&secret));
        }
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        write_private(&path, hex::encode(secret).as_bytes())?;
        Ok(Self::from_secret(&secret))
    }

    /// Signs claims into a token.
    pub fn issue(&self, claims: &TransferClaims) -> anyhow::Result<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .context("signing a transfer token failed")
    }

    /// Checks signature, algorithm and expiry.
    pub fn verify(&self, token: &str) -> Result<TransferClaims, TokenError> {
        jsonwebtoken::decode::<TransferClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError(e.to_string()))
    }
}

fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn keys() -> TransferKeys {
        TransferKeys::from_secret(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_token_round_trips_and_is_scoped() {
        let claims = TransferClaims::new(7, 42, TransferDirection::Send, vec![1, 2]);
        let token = keys().issue(&claims).expect("signs");
        let back = keys().verify(&token).expect("verifies");
        assert_eq!(back, claims);
        assert!(back.allows(TransferDirection::Send, 2));
        assert!(!back.allows(TransferDirection::Send, 3));
        assert!(!back.allows(TransferDirection::Receive, 1));
        assert!(!back.link, "a spec's token is not a link token");
        assert_eq!(back.client, TransferClient::Browser);
    }

    #[test]
    fn a_token_says_which_client_it_is_for() {
        let claims = TransferClaims::new(7, 42, TransferDirection::Send, vec![1])
            .for_client(TransferClient::Desktop);
        let back = keys()
            .verify(&keys().issue(&claims).expect("signs"))
            .expect("verifies");
        assert_eq!(back.client, TransferClient::Desktop);
    }

    #[test]
    fn a_link_token_covers_one_file_for_a_short_time() {
        let claims = TransferClaims::link(7, 42, 5);
        let back = keys()
            .verify(&keys().issue(&claims).expect("signs"))
            .expect("verifies");
        assert!(back.link);
        assert_eq!(back.files, vec![5]);
        assert!(back.allows(TransferDirection::Receive, 5));
        assert!(!back.allows(TransferDirection::Receive, 6));
        assert!(back.expires_at() <= Utc::now() + LINK_LIFETIME);
    }

    #[test]
    fn tampered_expired_foreign_and_unsigned_tokens_are_refused() {
        let claims = TransferClaims::new(7, 42, TransferDirection::Send, vec![1]);
        let token = keys().issue(&claims).expect("signs");
        let other = TransferKeys::from_secret(b"another secret, another server!!");
        assert!(other.verify(&token).is_err(), "another key");

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut payload: serde_json::Value =
            serde_json::from_slice(&engine.decode(&parts[1]).expect("b64")).expect("json");
        payload["pkg"] = 43.into();
        parts[1] = engine.encode(payload.to_string());
        assert!(keys().verify(&parts.join(".")).is_err(), "tampered");

        let none_header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{}.", parts[1]);
        assert!(keys().verify(&unsigned).is_err(), "alg none");

        let mut old = claims.clone();
        old.exp = (Utc::now() - Duration::minutes(5)).timestamp();
        let expired = keys().issue(&old).expect("signs");
        assert!(keys().verify(&expired).is_err(), "expired");
    }

    #[test]
    fn the_generated_secret_is_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let claims = TransferClaims::new(1, 1, TransferDirection::Send, vec![]);
        let token = TransferKeys::load(None, dir.path())
            .expect("generates")
            .issue(&claims)
            .expect("signs");
        let again = TransferKeys::load(None, dir.path()).expect("loads");
        assert!(again.verify(&token).is_ok());
    }
}
