//! The node API's paths and JSON bodies, shared by the node ([`super::router`]) and its client
//! ([`crate::storage::http::HttpNode`]) so the two cannot drift apart. Numbers travel in the query,
//! digests as lower-case hex, errors as Ferry's one error shape (`{"error": {"code", "message"}}`).

use serde::{Deserialize, Serialize};

use crate::storage::DigestKind;

/// `GET`: the node answers (and the token is right).
pub const HEALTH: &str = "/node/v1/health";
/// `GET ?idle_secs=`: uploads idle that long.
pub const UPLOADS: &str = "/node/v1/uploads";
/// `PUT`: create; `PATCH ?offset=&max=&digest=`: append the request body; `DELETE`: discard.
pub const UPLOAD: &str = "/node/v1/uploads/{id}";
/// `POST ?len=`: cut the upload back to `len` bytes.
pub const UPLOAD_TRUNCATE: &str = "/node/v1/uploads/{id}/truncate";
/// `POST` [`PublishRequest`]: publish; `GET ?offset=&len=`: read (streamed); `DELETE`: delete.
pub const OBJECT: &str = "/node/v1/objects/{key}";
/// `GET`: [`ObjectSize`].
pub const OBJECT_SIZE: &str = "/node/v1/objects/{key}/size";

/// The node's error body: Ferry's one error shape, with the node API's own codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeErrorBody {
    pub error: NodeErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeErrorDetail {
    pub code: NodeErrorCode,
    pub message: String,
}

/// Why the node refused, mapped back to [`crate::storage::StorageError`] by its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeErrorCode {
    NotFound,
    AlreadyExists,
    /// The upload was joined into a concatenation and can no longer change.
    Joined,
    InvalidInput,
    Unauthorized,
    Internal,
    /// A path the node API does not have (a client of another version?).
    NoSuchPath,
    /// A code from a newer node.
    #[serde(other)]
    Unknown,
}

/// `path` with its `{…}` placeholder replaced by `name` (already checked to be `[0-9a-z-]`).
pub fn with_name(path: &str, name: &str) -> String {
    match (path.find('{'), path.find('}')) {
        (Some(open), Some(close)) => format!("{}{name}{}", &path[..open], &path[close + 1..]),
        _ => path.to_owned(),
    }
}

/// A digest algorithm's name on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestName {
    Sha1,
    Sha256,
}

impl From<DigestKind> for DigestName {
    fn from(kind: DigestKind) -> Self {
        match kind {
            DigestKind::Sha1 => Self::Sha1,
            DigestKind::Sha256 => Self::Sha256,
        }
    }
}

impl From<DigestName> for DigestKind {
    fn from(name: DigestName) -> Self {
        match name {
            DigestName::Sha1 => Self::Sha1,
            DigestName::Sha256 => Self::Sha256,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppendQuery {
    pub offset: u64,
    pub max: u64,
    pub digest: Option<DigestName>,
}

/// What an append wrote, all of it durable.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppendAnswer {
    pub written: u64,
    /// Hex digest of the written bytes, when one was asked for.
    pub digest: Option<String>,
    /// `false` when the request body broke off (or ran past `max`) before its end.
    pub body_complete: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TruncateQuery {
    pub len: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdleQuery {
    pub idle_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdleUploads {
    pub uploads: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishRequest {
    /// Upload ids, joined in this order.
    pub parts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishAnswer {
    pub size: u64,
    pub sha256: String,
    /// The object's CRC-32 (as a number), for ZIP archives of a package.
    pub crc32: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadQuery {
    pub offset: u64,
    pub len: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectSize {
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fill_the_placeholder() {
        assert_eq!(with_name(UPLOAD, "ab-1"), "/node/v1/uploads/ab-1");
        assert_eq!(
            with_name(UPLOAD_TRUNCATE, "x"),
            "/node/v1/uploads/x/truncate"
        );
        assert_eq!(with_name(OBJECT_SIZE, "k9"), "/node/v1/objects/k9/size");
        assert_eq!(with_name(UPLOADS, "unused"), UPLOADS);
    }
}
