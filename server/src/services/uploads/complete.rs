//! Completing a file: the node joins its upload(s) into the object under the file's storage key
//! (SHA-256 computed on the way, published atomically); the digest is checked against the one the
//! client declared; then ONE transaction marks the file complete and, when it was the package's
//! last pending file, the package sent. Only then are the uploads' bytes discarded.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};

use super::UploadError;
use crate::{
    db::entities::{package_files, uploads},
    state::AppState,
    storage::StorageError,
};

/// Completes `file` from one `single` upload that holds all its bytes.
pub(super) async fn single(
    state: &AppState,
    file: &package_files::Model,
    upload: &uploads::Model,
) -> Result<(), UploadError> {
    let ids = vec![upload.id.clone()];
    finish(state, file, &ids, &ids, upload.declared_sha256.as_deref()).await
}

/// Publishes `parts` (node uploads, in order) as `file`, checks `declared` (hex SHA-256), and marks
/// the file complete along with the upload rows `rows`.
#[tracing::instrument(skip_all, fields(file.id = file.id, package.id = file.package_id))]
pub(super) async fn finish(
    state: &AppState,
    file: &package_files::Model,
    parts: &[String],
    rows: &[String],
    declared: Option<&str>,
) -> Result<(), UploadError> {
    let _lock = state
        .upload_locks
        .file(file.id)
        .await?
        .ok_or(UploadError::Locked)?;
    // Read again under the lock: another upload of the file may have completed it meanwhile.
    let file = package_files::Entity::find_by_id(file.id)
        .one(&state.db)
        .await?
        .ok_or(UploadError::NotFound)?;
    if file.state == package_files::STATE_COMPLETE {
        return Err(super::already_complete(&file));
    }
    let node = &state.node;
    let published = match node.publish(parts, &file.storage_key).await {
        Err(StorageError::AlreadyExists) => {
            // Left by a crash between publishing and the transaction: the file is still pending
            // (checked under the lock), so no row refers to that object.
            tracing::warn!("replacing an object left behind by an interrupted completion");
            node.delete_object(&file.storage_key).await?;
            node.publish(parts, &file.storage_key).await?
        }
        other => other?,
    };
    if i64::try_from(published.size).ok() != Some(file.size) {
        node.delete_object(&file.storage_key).await?;
        return Err(UploadError::Internal(anyhow::anyhow!(
            "joined {} bytes for file {}, which has {}",
            published.size,
            file.id,
            file.size
        )));
    }
    if let Some(declared) = declared.filter(|d| *d != published.sha256) {
        node.delete_object(&file.storage_key).await?;
        discard(state, rows).await?;
        tracing::info!("the file's SHA-256 differs from the declared one: upload discarded");
        return Err(UploadError::ChecksumMismatch(format!(
            "The file's SHA-256 ({}) does not match the declared sha256 ({declared}): the upload \
             was discarded, send the file again.",
            published.sha256
        )));
    }
    match mark_complete(state, &file, rows, &published.sha256).await {
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
    for part in parts {
        if let Err(error) = node.discard_upload(part).await {
            tracing::warn!(upload.id = %part, %error, "could not discard a completed upload's bytes");
        }
    }
    Ok(())
}

/// Discards the uploads `rows` (bytes, then rows): the file is pending with nothing uploaded.
async fn discard(state: &AppState, rows: &[String]) -> Result<(), UploadError> {
    for id in rows {
        state.node.discard_upload(id).await?;
    }
    uploads::Entity::delete_many()
        .filter(uploads::Column::Id.is_in(rows.iter().cloned()))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// The one transaction: file complete, its uploads complete, and the package sent if no file is
/// left pending. Returns whether this call sent the package.
async fn mark_complete(
    state: &AppState,
    file: &package_files::Model,
    rows: &[String],
    sha256: &str,
) -> Result<bool, UploadError> {
    let now = Utc::now();
    let txn = state.db.begin().await?;
    // Writing the package row first locks it (PostgreSQL) or takes the write lock (SQLite) for the
    // whole transaction: two files finishing together are serialized and the second one sees the
    // first complete, so the package is sent exactly once.
    if !crate::services::packages::lock_draft(&txn, file.package_id).await? {
        return Err(UploadError::Conflict(
            "This package was already sent or deleted: its files cannot change.".into(),
        ));
    }
    let completed = package_files::Entity::update_many()
        .col_expr(
            package_files::Column::State,
            Expr::value(package_files::STATE_COMPLETE),
        )
        .col_expr(package_files::Column::Sha256, Expr::value(sha256))
        .col_expr(package_files::Column::CompletedAt, Expr::value(now))
        .filter(package_files::Column::Id.eq(file.id))
        .filter(package_files::Column::State.eq(package_files::STATE_PENDING))
        .exec(&txn)
        .await?;
    if completed.rows_affected != 1 {
        return Err(super::already_complete(file));
    }
    uploads::Entity::update_many()
        .col_expr(uploads::Column::Offset, Expr::col(uploads::Column::Length))
        .col_expr(uploads::Column::CompletedAt, Expr::value(now))
        .col_expr(uploads::Column::UpdatedAt, Expr::value(now))
        .filter(uploads::Column::Id.is_in(rows.iter().cloned()))
        .exec(&txn)
        .await?;
    let mail = state.config.mail.as_ref();
    let sent =
        crate::services::packages::send_if_all_files_complete(&txn, mail, file.package_id, now)
            .await?;
    txn.commit().await?;
    Ok(sent)
}
