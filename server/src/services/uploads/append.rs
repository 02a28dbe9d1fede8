//! Appending a chunk to an upload: one writer at a time, at exactly the stored offset; the node
//! makes the bytes durable before the new offset is stored, and a chunk that fails its checksum (or
//! runs past the upload's length) is cut off again. The last chunk of a `single` upload stores no
//! offset of its own: its final offset is recorded by the transaction that completes the file
//! ([`super::complete`]), so the upload is never whole while its file is pending, and a completion
//! that fails leaves the client the last chunk to send again. The work runs in its own task, so a
//! client that goes away mid-chunk still gets what arrived committed (its request future is
//! dropped, the task is not), and a completion that fails then is still logged.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{
    LockGuard, UPLOAD_EXPIRY,
    body::{self, BODY_IDLE_TIMEOUT, BodyEnd},
    complete, from_db, is_expired, load, recover, writable_package,
};
use crate::{
    db::entities::{package_files, uploads},
    fault::crash_point,
    services::AppState,
    storage::{ByteStream, DigestKind, StorageError},
    transfer::{live, token::TransferClaims},
};

/// A chunk as the client announced it.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Where the client says the chunk starts (`Upload-Offset`).
    pub offset: u64,
    /// `Content-Length`, when sent.
    pub content_length: Option<u64>,
    pub checksum: Option<Checksum>,
}

/// A declared chunk digest (`Upload-Checksum`).
#[derive(Debug, Clone)]
pub struct Checksum {
    pub kind: DigestKind,
    pub expected: Vec<u8>,
}

/// Where an upload stands after a chunk.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// The file the upload is for.
    pub file_id: i64,
    pub offset: u64,
    pub expires_at: DateTime<Utc>,
}

/// Appends `body` to the upload `id` at `chunk.offset`; completes the file when a single upload
/// reaches its length.
#[tracing::instrument(skip_all, fields(package.id = claims.pkg, upload.id = id))]
pub async fn append(
    state: &AppState,
    claims: &TransferClaims,
    id: &str,
    chunk: Chunk,
    body: ByteStream,
) -> Result<Progress, AppError> {
    let lock = state
        .upload_locks
        .upload_for_request(id)
        .await?
        .ok_or(AppError::Locked)?;
    let (upload, file) = load(state, claims, id).await?;
    if upload.kind == uploads::Kind::Final {
        // tus: a PATCH to a final upload is 403, whatever state its package is in.
        return Err(final_takes_no_patch());
    }
    writable_package(state, claims).await?;
    if file.state == package_files::State::Complete {
        return Err(super::already_complete(&file));
    }
    if is_expired(&upload, &file, Utc::now()) {
        return Err(AppError::UploadExpired);
    }
    let stored = from_db(upload.offset);
    if chunk.offset != stored {
        return Err(AppError::Conflict(format!(
            "Upload-Offset {} does not match this upload's offset {stored}: ask with HEAD and \
             resume from there.",
            chunk.offset
        )));
    }
    let body = live::until_revoked(body, state.db.clone(), claims.clone());
    let task = tokio::spawn(write_and_commit(
        state.clone(),
        lock,
        upload,
        file,
        chunk,
        body,
    ));
    task.await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the append task failed: {e}")))?
}

async fn write_and_commit(
    state: AppState,
    _lock: LockGuard,
    upload: uploads::Model,
    file: package_files::Model,
    chunk: Chunk,
    body: ByteStream,
) -> Result<Progress, AppError> {
    let stored = from_db(upload.offset);
    let length = from_db(upload.length);
    if recover::is_stuck(&upload, &file) {
        // Every byte is there but the file's completion was cut short: finish it now.
        recover::finish(&state, &upload, &file).await?;
        return Ok(Progress {
            file_id: file.id,
            offset: stored,
            expires_at: upload.expires_at,
        });
    }
    if upload.kind == uploads::Kind::Final {
        return Err(final_takes_no_patch());
    }
    let remaining = length.saturating_sub(stored);
    if let Some(sent) = chunk.content_length.filter(|&sent| sent > remaining) {
        return Err(AppError::TooLarge(format!(
            "The request body ({sent} bytes) is longer than the {remaining} bytes left in this upload."
        )));
    }
    if remaining == 0 {
        // A finished part: nothing to write.
        return Ok(Progress {
            file_id: file.id,
            offset: stored,
            expires_at: upload.expires_at,
        });
    }

    let (body, watch) = body::watch(body, remaining, BODY_IDLE_TIMEOUT);
    let digest = chunk.checksum.as_ref().map(|c| c.kind);
    let appended = match state
        .node
        .append(&upload.id, stored, remaining, body, digest)
        .await
    {
        Ok(appended) => appended,
        Err(StorageError::Joined) if upload.kind == uploads::Kind::Single => {
            // An earlier completion joined every byte of the upload and was cut short before it
            // was recorded: the chunk resent is already there, finish that completion.
            complete::single(&state, &file, &upload).await?;
            return Ok(Progress {
                file_id: file.id,
                offset: length,
                expires_at: Utc::now() + UPLOAD_EXPIRY,
            });
        }
        Err(StorageError::NotFound) => return Err(AppError::UploadExpired),
        Err(other) => return Err(other.into()),
    };
    let end = watch.end();
    let drop_chunk = |error| discard(&state, &upload.id, stored, error);
    if end == BodyEnd::TooLong {
        return drop_chunk(AppError::TooLarge(format!(
            "The request body is longer than the {remaining} bytes left in this upload; it was discarded."
        )))
        .await;
    }
    if let Some(checksum) = &chunk.checksum {
        if end != BodyEnd::Complete {
            return drop_chunk(incomplete(
                end,
                stored,
                "nothing of it was kept (it had a checksum)",
            ))
            .await;
        }
        if appended.digest.as_deref() != Some(checksum.expected.as_slice()) {
            return drop_chunk(AppError::ChecksumMismatch(format!(
                "The chunk does not match its Upload-Checksum: it was discarded. Resume from \
                 offset {stored}."
            )))
            .await;
        }
    }

    let offset = stored + appended.written;
    let now = Utc::now();
    let expires_at = now + UPLOAD_EXPIRY;
    if offset == length && upload.kind == uploads::Kind::Single {
        // Every byte is durable (had the body broken off after the last one, nothing is missing):
        // the final offset is recorded with the completion, in one transaction.
        crash_point("completion:after_append");
        complete::single(&state, &file, &upload).await?;
        return Ok(Progress {
            file_id: file.id,
            offset,
            expires_at,
        });
    }
    if appended.written > 0 {
        let finished_partial = offset == length && upload.kind == uploads::Kind::Partial;
        commit(&state, &upload, offset, now, finished_partial).await?;
    }
    if end != BodyEnd::Complete {
        tracing::info!(kept = appended.written, ?end, "the chunk broke off");
        return Err(incomplete(
            end,
            offset,
            &format!("{} bytes of it were kept", appended.written),
        ));
    }
    Ok(Progress {
        file_id: file.id,
        offset,
        expires_at,
    })
}

/// Stores the new durable offset (only if nobody moved it meanwhile) and keeps the file's other
/// uploads (the other parts) alive as long as this one.
async fn commit(
    state: &AppState,
    upload: &uploads::Model,
    offset: u64,
    now: DateTime<Utc>,
    finished_partial: bool,
) -> Result<(), AppError> {
    let expires_at = now + UPLOAD_EXPIRY;
    let mut update = uploads::Entity::update_many()
        .col_expr(uploads::Column::Offset, Expr::value(super::to_db(offset)?))
        .col_expr(uploads::Column::UpdatedAt, Expr::value(now))
        .col_expr(uploads::Column::ExpiresAt, Expr::value(expires_at));
    if finished_partial {
        update = update.col_expr(uploads::Column::CompletedAt, Expr::value(now));
    }
    let updated = update
        .filter(uploads::Column::Id.eq(&upload.id))
        .filter(uploads::Column::Offset.eq(upload.offset))
        .exec(&state.db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Another request moved this upload's offset: ask with HEAD and resume from there."
                .into(),
        ));
    }
    uploads::Entity::update_many()
        .col_expr(uploads::Column::ExpiresAt, Expr::value(expires_at))
        .filter(uploads::Column::FileId.eq(upload.file_id))
        .filter(uploads::Column::ExpiresAt.lt(expires_at))
        .exec(&state.db)
        .await?;
    Ok(())
}

fn final_takes_no_patch() -> AppError {
    AppError::Forbidden(
        "A final upload is joined from its partial uploads: it takes no PATCH.".into(),
    )
}

/// Cuts the upload back to `offset` (the chunk is not kept) and fails with `error`.
async fn discard(
    state: &AppState,
    upload: &str,
    offset: u64,
    error: AppError,
) -> Result<Progress, AppError> {
    state.node.truncate_upload(upload, offset).await?;
    Err(error)
}

fn incomplete(end: BodyEnd, offset: u64, kept: &str) -> AppError {
    match end {
        BodyEnd::Revoked => AppError::MissingToken(live::REVOKED),
        BodyEnd::Stalled => AppError::Stalled(format!(
            "No bytes arrived for {} seconds, so the request was ended; {kept}. Resume from \
             offset {offset}.",
            BODY_IDLE_TIMEOUT.as_secs()
        )),
        _ => AppError::BadRequest(format!(
            "The request body broke off; {kept}. Resume from offset {offset}."
        )),
    }
}
