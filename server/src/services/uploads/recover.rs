//! Finishing completions that were cut short. An upload at its full offset whose file is still
//! pending is one whose completion did not get to its end: a `final` upload whose parts were being
//! joined when the server stopped, or a `single` upload an earlier Ferry left so (it stored the
//! final offset before completing the file). Its bytes are all on the node, so the completion is
//! simply run again: on `HEAD` (which never reports such an upload whole while its file is
//! pending), on the next `PATCH`, and by housekeeping at start-up and every reclaim pass, so a
//! stuck upload cannot outlive a restart.

use crate::error::AppError;
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query},
};

use super::complete::{self, Completion};
use crate::{
    db::entities::{package_files, uploads},
    services::AppState,
};

/// Whether `upload` is one whose completion was cut short (see the module's comment).
pub(super) fn is_stuck(upload: &uploads::Model, file: &package_files::Model) -> bool {
    file.state == package_files::State::Pending
        && upload.offset == upload.length
        && upload.kind != uploads::Kind::Partial
}

/// Completes the file of the stuck `upload`; the caller holds the upload's lock (for a `final`
/// upload, the parts' locks are taken here, as joining them takes them).
pub(super) async fn finish(
    state: &AppState,
    upload: &uploads::Model,
    file: &package_files::Model,
) -> Result<(), AppError> {
    if upload.kind != uploads::Kind::Final {
        return complete::single(state, file, upload).await;
    }
    let parts: Vec<String> = upload
        .concat_parts
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut held = Vec::with_capacity(parts.len());
    for part in &parts {
        held.push(
            state
                .upload_locks
                .upload(part)
                .await?
                .ok_or(AppError::Locked)?,
        );
    }
    let mut rows = vec![upload.id.clone()];
    rows.extend(parts.iter().cloned());
    let completion = Completion {
        file,
        lead: upload,
        parts,
        rows,
        declared: upload.declared_sha256.as_deref(),
    };
    complete::finish(state, completion).await
}

/// Finishes every stuck completion that no request is working on; returns how many files it
/// completed. Failures are logged (by the completion) and retried on the next pass.
#[tracing::instrument(skip_all)]
pub async fn recover_completions(state: &AppState) -> Result<u64, AppError> {
    let pending_files = Query::select()
        .column(package_files::Column::Id)
        .from(package_files::Entity)
        .and_where(package_files::Column::State.eq(package_files::State::Pending))
        .to_owned();
    let stuck = uploads::Entity::find()
        .filter(uploads::Column::Kind.ne(uploads::Kind::Partial))
        .filter(uploads::Column::CompletedAt.is_null())
        .filter(Expr::col(uploads::Column::Offset).equals(uploads::Column::Length))
        .filter(uploads::Column::FileId.in_subquery(pending_files))
        .all(&state.db)
        .await?;
    let mut recovered = 0;
    for upload in stuck {
        let Some(_lock) = state.upload_locks.upload(&upload.id).await? else {
            continue;
        };
        // Read again under the lock: a request may have finished it meanwhile.
        let found = uploads::Entity::find_by_id(&upload.id)
            .find_also_related(package_files::Entity)
            .one(&state.db)
            .await?;
        let Some((upload, Some(file))) = found else {
            continue;
        };
        if is_stuck(&upload, &file) && finish(state, &upload, &file).await.is_ok() {
            recovered += 1;
        }
    }
    if recovered > 0 {
        tracing::info!(recovered, "interrupted completions finished");
    }
    Ok(recovered)
}
