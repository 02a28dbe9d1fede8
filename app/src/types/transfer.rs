//! Transfer specs: what a client needs to send or receive a package's files through the HTTP
//! gateway. A spec names the gateway, the files and a short-lived token scoped to one user, one
//! package, one direction and these files; the gateway trusts nothing else from the client.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How the bytes travel. Ferry has one way today.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferType {
    HttpGateway,
}

/// Which way the bytes go, seen from the client.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferDirection {
    Send,
    Receive,
}

/// Which client moves the bytes, and so which limits apply: the browser's (at most the admin's
/// `max_files_per_package` files, no folders) or the desktop client's (folders, up to
/// `desktop_max_files_per_package` files and `desktop_max_package_bytes`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferClient {
    #[default]
    Browser,
    /// `ferry-desktop`.
    Desktop,
}

/// A file the sender is about to upload.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredFile {
    /// The file's name: its last segment only (no `/` or `\`); control and bidi-override characters
    /// are removed from the stored display name.
    pub name: String,
    /// Exact size in bytes; 0 is fine.
    pub size: u64,
    /// Desktop client only: the file's relative path inside the package, `/`-separated and ending
    /// in `name` (`photos/2024/a.jpg`). Absent for a file at the top. Rules: no empty, `.` or `..`
    /// segment, no leading `/`, no `\`, drive letter or control character, at most
    /// [`DeclaredFile::MAX_PATH_DEPTH`] segments and [`DeclaredFile::MAX_PATH_BYTES`] bytes,
    /// NFC-normalized by the server, unique within the package ignoring case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl DeclaredFile {
    pub const MAX_PATH_DEPTH: usize = 32;
    pub const MAX_PATH_BYTES: usize = 1024;
}

/// `POST /api/v1/packages/{id}/transfer_spec/upload`: the complete list of files the draft should
/// have. Files already declared with the same name and size keep their id (and their upload
/// progress); declared files missing from the list are dropped.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadSpecRequest {
    pub files: Vec<DeclaredFile>,
    /// Absent: `browser`.
    #[serde(default)]
    pub client: TransferClient,
}

/// One file of a transfer spec.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferFile {
    /// Ferry's id of the file: send it as tus `Upload-Metadata` `file_id` when uploading.
    pub id: i64,
    pub name: String,
    /// The file's relative path inside the package (ends in `name`); absent for a file at the top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub size: u64,
    /// Already uploaded and verified (nothing to send).
    pub complete: bool,
    /// For `receive`: the URL to GET the file from (with the token; `Range` and `If-Range` work).
    /// `None` for `send`.
    pub url: Option<String>,
    /// For `receive`: the file's lower-case hex SHA-256 (also its `ETag`). `None` for `send`.
    pub sha256: Option<String>,
}

/// The transfer spec.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferSpec {
    pub transfer_type: TransferType,
    pub direction: TransferDirection,
    /// Whose limits the spec's token carries (the gateway enforces them); absent: `browser`.
    #[serde(default)]
    pub client: TransferClient,
    pub package_id: i64,
    /// Base URL of the HTTP gateway.
    pub gateway_url: String,
    /// For `send`: the tus 1.0.0 creation endpoint (`<gateway_url>/tus/`).
    pub tus_endpoint: Option<String>,
    pub files: Vec<TransferFile>,
    /// Suggested bytes per request (PATCH body or GET range).
    pub chunk_size: u64,
    /// Suggested number of parallel streams per file (tus concatenation for `send`).
    pub parallel: u32,
    /// When `token` stops working; ask for a new spec before then.
    pub expires_at: DateTime<Utc>,
    /// Send as `Authorization: Bearer <token>` on every gateway request.
    pub token: String,
}

/// `POST /api/v1/packages/{id}/files/{file_id}/link`: a plain link to one file, for clients that
/// cannot send a header (the browser's own downloads). Anyone holding the URL can fetch that one
/// file until `expires_at`, so hand it only to the user's own browser.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLink {
    /// The gateway URL of the file with a token for it in the query (`?token=`). `GET` answers
    /// `Content-Disposition: attachment`; `Range` and `If-Range` work, so download managers resume.
    pub url: String,
    /// When the link stops starting new requests (a download under way runs on).
    pub expires_at: DateTime<Utc>,
}

/// `GET /api/v1/packages/{id}/files/{file_id}/delivery`: how much of one file the gateway has
/// delivered to the caller, whichever way it was fetched (whole, in ranges, by several clients).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDelivery {
    pub file_id: i64,
    /// The file's size in bytes.
    pub size: u64,
    /// Distinct bytes of the file delivered so far (all of them once `complete`). Responses under
    /// way count in steps of some tens of MiB.
    pub delivered: u64,
    /// Every byte was delivered: the file counts as downloaded by the caller.
    pub complete: bool,
    /// Whether the caller's downloads are tracked at all: only recipients' are (a sender or an
    /// admin always reads `delivered: 0`).
    pub tracked: bool,
}
