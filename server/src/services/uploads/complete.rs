//! Completing a file: the node joins its upload(s) into the object under the file's storage key
//! (SHA-256 computed on the way, published atomically); the digest is checked against the one the
//! client declared; then ONE transaction records the upload's final offset, marks the file and its
//! uploads complete and, when it was the package's last pending file, the package sent. Only then
//! are the uploads' bytes removed ([`super::leftovers`]), each recorded once gone.
//!
//! Nothing before the transaction is visible: until it commits, the upload's offset is the one
//! stored before its last chunk, so a client whose completion failed (a crash, a node that went
//! away) resends that chunk and the completion runs again. Publishing again is safe: the file is
//! still pending (checked under its lock), so an object left under its key by the failed attempt
//! belongs to no one and is replaced.

use crate::error::AppError;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};

use super::leftovers;
use crate::{
    db::entities::{package_files, uploads},
    fault::crash_point,
    gateway::LOG_TARGET,
    services::AppState,
    storage::{Published, StorageError},
};

/// A file to complete.
pub(super) struct Completion<'a> {
    pub file: &'a package_files::Model,
    /// The upload that completes the file (a `single` one, or the `final` one of parts), as read
    /// before: its final offset is recorded only if its stored offset is still this one's.
    pub lead: &'a uploads::Model,
    /// The node uploads to join, in order.
    pub parts: Vec<String>,
    /// The upload rows completed with the file (the lead among them).
    pub rows: Vec<String>,
    /// The hex SHA-256 the client declared for the whole file.
    pub declared: Option<&'a str>,
}

/// Completes `file` from one `single` upload whose bytes are all on the node (its stored offset
/// may still be the one before its last chunk).
pub(super) async fn single(
    state: &AppState,
    file: &package_files::Model,
    upload: &uploads::Model,
) -> Result<(), AppError> {
    let ids = vec![upload.id.clone()];
    finish(
        state,
        Completion {
            file,
            lead: upload,
            parts: ids.clone(),
            rows: ids,
            declared: upload.declared_sha256.as_deref(),
        },
    )
    .await
}

/// Completes a file, and logs why when it cannot: the client may be gone, and with it the only
/// other place the failure would have been reported.
pub(super) async fn finish(state: &AppState, completion: Completion<'_>) -> Result<(), AppError> {
    let result = run(state, &completion).await;
    if let Err(error) = &result {
        let (lead, file) = (&completion.lead.id, completion.file);
        let (file_id, package_id) = (file.id, file.package_id);
        if error.is_internal() {
            tracing::error!(target: LOG_TARGET, %error, upload.id = %lead, file.id = file_id, package.id = package_id, "completing a file failed");
        } else {
            tracing::warn!(target: LOG_TARGET, %error, upload.id = %lead, file.id = file_id, package.id = package_id, "completing a file was refused");
        }
    }
    result
}

#[tracing::instrument(skip_all, fields(file.id = c.file.id, package.id = c.file.package_id))]
async fn run(state: &AppState, c: &Completion<'_>) -> Result<(), AppError> {
    let _lock = state
        .upload_locks
        .file(c.file.id)
        .await?
        .ok_or(AppError::Locked)?;
    // Read again under the lock: another upload of the file may have completed it meanwhile.
    let file = package_files::Entity::find_by_id(c.file.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NoSuchUpload)?;
    if file.state != package_files::State::Pending {
        return Err(super::already_complete(&file));
    }
    let node = &state.node;
    let published = publish(state, &c.parts, &file.storage_key).await?;
    crash_point("completion:after_publish");
    if i64::try_from(published.size).ok() != Some(file.size) {
        node.delete_object(&file.storage_key).await?;
        return Err(AppError::Internal(anyhow::anyhow!(
            "joined {} bytes for file {}, which has {}",
            published.size,
            file.id,
            file.size
        )));
    }
    if let Some(declared) = c.declared.filter(|d| *d != published.sha256) {
        node.delete_object(&file.storage_key).await?;
        discard(state, &c.rows).await?;
        tracing::info!("the file's SHA-256 differs from the declared one: upload discarded");
        return Err(AppError::ChecksumMismatch(format!(
            "The file's SHA-256 ({}) does not match the declared sha256 ({declared}): the upload \
             was discarded, send the file again.",
            published.sha256
        )));
    }
    match mark_complete(state, &file, c, &published).await {
        Ok(sent) => {
            tracing::info!(size = published.size, "file complete");
            if sent {
                tracing::info!("package sent: every file is complete");
            }
        }
        Err(error) => {
            if let Err(cleanup) = node.delete_object(&file.storage_key).await {
                tracing::warn!(error = %cleanup, "could not remove an unrecorded object");
            }
            return Err(error);
        }
    }
    crash_point("completion:after_complete");
    // Recorded upload by upload: what a crash or a failure leaves here, housekeeping removes.
    for (n, id) in c.rows.iter().enumerate() {
        if let Err(error) = node.discard_upload(id).await {
            tracing::warn!(upload.id = %id, %error, "could not remove a completed upload's bytes yet");
            continue;
        }
        if n == 0 {
            crash_point("completion:after_discard");
        }
        if let Err(error) = leftovers::record_removed(&state.db, id).await {
            tracing::warn!(upload.id = %id, %error, "could not record a completed upload's bytes removed");
        }
    }
    Ok(())
}

/// Publishes `parts` under `key`, replacing an object an earlier, unrecorded attempt left there
/// (the caller holds the file's lock and saw it pending, so no row refers to that object).
async fn publish(state: &AppState, parts: &[String], key: &str) -> Result<Published, AppError> {
    let node = &state.node;
    match node.publish(parts, key).await {
        Err(StorageError::AlreadyExists) => {
            tracing::warn!("replacing an object left behind by an interrupted completion");
            node.delete_object(key).await?;
            Ok(node.publish(parts, key).await?)
        }
        other => Ok(other?),
    }
}

/// Discards the uploads `rows` (bytes, then rows): the file is pending with nothing uploaded.
async fn discard(state: &AppState, rows: &[String]) -> Result<(), AppError> {
    for id in rows {
        state.node.discard_upload(id).await?;
    }
    uploads::Entity::delete_many()
        .filter(uploads::Column::Id.is_in(rows.iter().cloned()))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// The one transaction: the lead upload's final offset (if nobody moved it), the file complete, its
/// uploads complete, and the package sent if no file is left pending. Returns whether this call
/// sent the package.
async fn mark_complete(
    state: &AppState,
    file: &package_files::Model,
    c: &Completion<'_>,
    published: &Published,
) -> Result<bool, AppError> {
    let now = Utc::now();
    let txn = state.db.begin().await?;
    // Writing the package row first locks it (PostgreSQL) or takes the write lock (SQLite) for the
    // whole transaction: two files finishing together are serialized and the second one sees the
    // first complete, so the package is sent exactly once.
    if !crate::services::packages::lock_draft(&txn, file.package_id).await? {
        return Err(AppError::Conflict(
            "This package was already sent or deleted: its files cannot change.".into(),
        ));
    }
    let completed = package_files::Entity::update_many()
        .col_expr(
            package_files::Column::State,
            Expr::value(package_files::State::Complete),
        )
        .col_expr(
            package_files::Column::Sha256,
            Expr::value(&published.sha256),
        )
        .col_expr(
            package_files::Column::Crc32,
            Expr::value(i64::from(published.crc32)),
        )
        .col_expr(package_files::Column::CompletedAt, Expr::value(now))
        .filter(package_files::Column::Id.eq(file.id))
        .filter(package_files::Column::State.eq(package_files::State::Pending))
        .exec(&txn)
        .await?;
    if completed.rows_affected != 1 {
        return Err(super::already_complete(file));
    }
    let lead = uploads::Entity::update_many()
        .col_expr(uploads::Column::Offset, Expr::col(uploads::Column::Length))
        .filter(uploads::Column::Id.eq(&c.lead.id))
        .filter(uploads::Column::Offset.eq(c.lead.offset))
        .exec(&txn)
        .await?;
    if lead.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Another request moved this upload's offset: ask with HEAD and resume from there."
                .into(),
        ));
    }
    uploads::Entity::update_many()
        .col_expr(uploads::Column::Offset, Expr::col(uploads::Column::Length))
        .col_expr(uploads::Column::CompletedAt, Expr::value(now))
        .col_expr(uploads::Column::UpdatedAt, Expr::value(now))
        .filter(uploads::Column::Id.is_in(c.rows.iter().cloned()))
        .exec(&txn)
        .await?;
    let mail = state.config.mail.as_ref();
    let sent =
        crate::services::packages::send_if_all_files_complete(&txn, mail, file.package_id, now)
            .await?;
    txn.commit().await?;
    Ok(sent)
}
