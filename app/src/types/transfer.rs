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

/// A file the sender is about to upload.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredFile {
    /// The file's name: its last segment only (no `/` or `\`); control and bidi-override characters
    /// are removed from the stored display name.
    pub name: String,
    /// Exact size in bytes; 0 is fine.
    pub size: u64,
}

/// `POST /api/v1/packages/{id}/transfer_spec/upload`: the complete list of files the draft should
/// have. Files already declared with the same name and size keep their id (and their upload
/// progress); declared files missing from the list are dropped.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSpecRequest {
    pub files: Vec<DeclaredFile>,
}

/// One file of a transfer spec.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferFile {
    /// Ferry's id of the file: send it as tus `Upload-Metadata` `file_id` when uploading.
    pub id: i64,
    pub name: String,
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
