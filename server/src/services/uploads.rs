//! Upload rules, whatever protocol carries the bytes: which uploads a transfer token may create and
//! write, how long they are, when a file is complete (published, verified, marked in one
//! transaction with the package becoming sent), and when abandoned uploads are reclaimed.
//!
//! A file is uploaded as one `single` upload, or as `partial` uploads joined by a `final` one. An
//! upload's `offset` in the database only ever counts bytes the transfer node has made durable,
//! and a `single` upload reaches its full length only in the transaction that completes its file.

mod append;
pub mod body;
mod capacity;
mod complete;
mod concat;
mod leftovers;
mod locks;
mod quota;
mod reclaim;
mod recover;

use crate::error::AppError;
use app::types::TransferDirection;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

pub use append::{Checksum, Chunk, append};
pub use capacity::MAX_OPEN_UPLOADS_PER_FILE;
pub use concat::{MAX_PARTS, NewFinal, create_final};
pub use leftovers::sweep as remove_finished_uploads;
pub use locks::{LockGuard, UploadLocks, purge_expired_leases};
pub use reclaim::reclaim_expired;
pub use recover::recover_completions;

use crate::{
    db::entities::{package_files, packages, uploads},
    services::AppState,
    transfer::token::TransferClaims,
};

/// An upload expires this long after its file's last activity (`Upload-Expires`).
pub const UPLOAD_EXPIRY: Duration = Duration::hours(24);

/// A `single` or `partial` upload to create.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub file_id: i64,
    /// `Upload-Length`.
    pub length: u64,
    /// One piece of the file (tus `Upload-Concat: partial`) rather than the whole of it.
    pub partial: bool,
    /// The raw `Upload-Metadata`, echoed by `HEAD`.
    pub metadata: Option<String>,
    /// Lower-case hex SHA-256 the whole file must have.
    pub declared_sha256: Option<String>,
}

/// Creates a `single` or `partial` upload of a declared file of the token's package. An empty
/// `single` upload completes the file at once.
#[tracing::instrument(skip_all, fields(package.id = claims.pkg, file.id = new.file_id))]
pub async fn create(
    state: &AppState,
    claims: &TransferClaims,
    new: NewUpload,
) -> Result<uploads::Model, AppError> {
    let file = declared_file(state, claims, new.file_id).await?;
    check_length(state, &file, new.length, new.partial)?;
    let room = capacity::make_room(state, &file, new.length).await?;
    quota::check(state, claims.uid, new.length).await?;
    let now = Utc::now();
    let upload = uploads::ActiveModel {
        id: Set(new_upload_id()),
        file_id: Set(file.id),
        kind: Set(if new.partial {
            uploads::Kind::Partial
        } else {
            uploads::Kind::Single
        }
        .to_owned()),
        length: Set(to_db(new.length)?),
        offset: Set(0),
        concat_parts: Set(None),
        metadata: Set(new.metadata),
        declared_sha256: Set(new.declared_sha256),
        created_at: Set(now),
        updated_at: Set(now),
        expires_at: Set(now + UPLOAD_EXPIRY),
        completed_at: Set(None),
        bytes_removed_at: Set(None),
    }
    .insert(&state.db)
    .await?;
    drop(room);
    if let Err(error) = state.node.create_upload(&upload.id).await {
        uploads::Entity::delete_by_id(&upload.id)
            .exec(&state.db)
            .await?;
        return Err(error.into());
    }
    tracing::info!(upload.id = %upload.id, length = new.length, partial = new.partial, "upload created");
    if new.length == 0 && !new.partial {
        complete::single(state, &file, &upload).await?;
        return reload(state, &upload.id).await;
    }
    Ok(upload)
}

/// The upload `id` for `HEAD`: refused once expired. A `PATCH` under way (or cut off a moment ago
/// and still committing what arrived) is waited for, briefly, so the offset reported is where it
/// got. An upload whose completion was cut short is completed first, so it is never reported whole
/// while its file is pending (if that fails, so does the `HEAD`, and the client asks again). The
/// completion runs in a task of its own: a client that gives up waiting (joining a large file
/// takes a while) does not cut it short again.
pub async fn find(
    state: &AppState,
    claims: &TransferClaims,
    id: &str,
) -> Result<uploads::Model, AppError> {
    let (upload, file) = load(state, claims, id).await?;
    sender_package(state, claims).await?;
    if is_expired(&upload, &file, Utc::now()) {
        return Err(AppError::UploadExpired);
    }
    // `None` after the wait: a long PATCH is running, and its committed offset is the answer.
    let lock = state.upload_locks.upload_for_request(id).await?;
    let (upload, file) = load(state, claims, id).await?;
    if !recover::is_stuck(&upload, &file) {
        return Ok(upload);
    }
    let lock = lock.ok_or(AppError::Locked)?;
    let task_state = state.clone();
    let finishing = tokio::spawn(async move {
        let _held = lock;
        recover::finish(&task_state, &upload, &file).await
    });
    finishing
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the completion task failed: {e}")))??;
    reload(state, id).await
}

/// Terminates an upload of a file not yet complete: its bytes, then its row, are removed.
#[tracing::instrument(skip_all, fields(package.id = claims.pkg, upload.id = id))]
pub async fn terminate(
    state: &AppState,
    claims: &TransferClaims,
    id: &str,
) -> Result<(), AppError> {
    let _lock = state
        .upload_locks
        .upload_for_request(id)
        .await?
        .ok_or(AppError::Locked)?;
    let (upload, file) = load(state, claims, id).await?;
    writable_package(state, claims).await?;
    if file.state == package_files::State::Complete {
        return Err(already_complete(&file));
    }
    state.node.discard_upload(&upload.id).await?;
    uploads::Entity::delete_by_id(&upload.id)
        .exec(&state.db)
        .await?;
    tracing::info!("upload terminated");
    Ok(())
}

/// The upload `id` and its file, if the file belongs to the token's package (else "not found", so
/// other packages' uploads stay invisible) and the token covers it.
async fn load(
    state: &AppState,
    claims: &TransferClaims,
    id: &str,
) -> Result<(uploads::Model, package_files::Model), AppError> {
    let found = uploads::Entity::find_by_id(id)
        .find_also_related(package_files::Entity)
        .one(&state.db)
        .await?;
    let Some((upload, Some(file))) = found else {
        return Err(AppError::NoSuchUpload);
    };
    if file.package_id != claims.pkg {
        return Err(AppError::NoSuchUpload);
    }
    if !claims.allows(TransferDirection::Send, file.id) {
        return Err(not_covered(file.id));
    }
    Ok((upload, file))
}

/// The declared, still pending file `file_id` of the token's draft package.
async fn declared_file(
    state: &AppState,
    claims: &TransferClaims,
    file_id: i64,
) -> Result<package_files::Model, AppError> {
    if !claims.allows(TransferDirection::Send, file_id) {
        return Err(not_covered(file_id));
    }
    writable_package(state, claims).await?;
    let file = package_files::Entity::find_by_id(file_id)
        .filter(package_files::Column::PackageId.eq(claims.pkg))
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "File {file_id} is no longer declared in this package: ask for a new transfer spec."
            ))
        })?;
    if file.state == package_files::State::Complete {
        return Err(already_complete(&file));
    }
    if file.path.is_some() && claims.client != app::types::TransferClient::Desktop {
        return Err(AppError::Forbidden(format!(
            "File {file_id} is in a folder: folders need the desktop client, and this transfer \
             token is for the browser."
        )));
    }
    Ok(file)
}

/// The token's package, if the token's user sent it.
async fn sender_package(
    state: &AppState,
    claims: &TransferClaims,
) -> Result<packages::Model, AppError> {
    let package = packages::Entity::find_by_id(claims.pkg)
        .one(&state.db)
        .await?
        .ok_or(AppError::NoSuchUpload)?;
    if package.sender_id != claims.uid {
        return Err(AppError::Forbidden(
            "Only the package's sender may upload its files.".into(),
        ));
    }
    Ok(package)
}

/// The token's package, if it is still a draft whose files may change.
async fn writable_package(
    state: &AppState,
    claims: &TransferClaims,
) -> Result<packages::Model, AppError> {
    let package = sender_package(state, claims).await?;
    if package.state != packages::State::Draft {
        return Err(AppError::Conflict(
            "This package was already sent: its files cannot change.".into(),
        ));
    }
    Ok(package)
}

/// Whether `upload` expired (uploads of complete files never do).
fn is_expired(upload: &uploads::Model, file: &package_files::Model, now: DateTime<Utc>) -> bool {
    file.state == package_files::State::Pending && upload.expires_at <= now
}

/// The length rules: never over the server's maximum nor the declared size; a whole-file upload
/// has exactly the declared size.
fn check_length(
    state: &AppState,
    file: &package_files::Model,
    length: u64,
    partial: bool,
) -> Result<(), AppError> {
    let max = state.config.max_file_size;
    if length > max {
        return Err(AppError::TooLarge(format!(
            "Upload-Length {length} is more than the largest file this server accepts ({max} bytes)."
        )));
    }
    let size = u64::try_from(file.size).unwrap_or_default();
    if length > size {
        return Err(AppError::TooLarge(format!(
            "Upload-Length {length} is more than the declared size of file {} ({size} bytes).",
            file.id
        )));
    }
    if !partial && length != size {
        return Err(AppError::BadRequest(format!(
            "Upload-Length {length} must equal the declared size of file {} ({size} bytes): send \
             the whole file, or parts with Upload-Concat: partial.",
            file.id
        )));
    }
    Ok(())
}

fn not_covered(file_id: i64) -> AppError {
    AppError::Forbidden(format!(
        "This transfer token does not cover file {file_id}: ask for a new transfer spec."
    ))
}

fn already_complete(file: &package_files::Model) -> AppError {
    AppError::Conflict(format!("File {} is already uploaded.", file.id))
}

/// 32 random lower-case hex characters: the upload URL's last segment and the node's upload name.
fn new_upload_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn to_db(value: u64) -> Result<i64, AppError> {
    i64::try_from(value).map_err(|_| AppError::TooLarge("That length is too large.".into()))
}

fn from_db(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

async fn reload(state: &AppState, id: &str) -> Result<uploads::Model, AppError> {
    uploads::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NoSuchUpload)
}
