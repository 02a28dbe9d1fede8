//! Reclaiming abandoned uploads: an unfinished upload (or a part of a file that never completed)
//! whose `Upload-Expires` passed loses its bytes, then its row, and its still pending file any
//! object a completion cut short had published for it; so do bytes no row refers to any more. The
//! housekeeping task ([`crate::services::housekeeping`]) does this every few minutes.

use crate::error::AppError;
use std::{collections::HashSet, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, sea_query::Query};

use super::UPLOAD_EXPIRY;
use crate::{
    db::entities::{package_files, uploads},
    services::AppState,
};

/// Uploads looked at per query.
const BATCH: u64 = 500;

/// Removes the uploads that expired by `now` (bytes first, then rows, so a failure is retried on the
/// next pass) and returns how many. Uploads being written to right now are left for the next pass.
#[tracing::instrument(skip_all)]
pub async fn reclaim_expired(state: &AppState, now: DateTime<Utc>) -> Result<u64, AppError> {
    let mut reclaimed = 0;
    let mut skipped = 0;
    loop {
        let pending_files = Query::select()
            .column(package_files::Column::Id)
            .from(package_files::Entity)
            .and_where(package_files::Column::State.eq(package_files::State::Pending))
            .to_owned();
        // Expired and either unfinished, or a finished part of a file that never completed.
        let expired = uploads::Entity::find()
            .filter(uploads::Column::ExpiresAt.lte(now))
            .filter(
                Condition::any()
                    .add(uploads::Column::CompletedAt.is_null())
                    .add(uploads::Column::FileId.in_subquery(pending_files)),
            )
            .offset(skipped)
            .limit(BATCH)
            .all(&state.db)
            .await?;
        let batch = expired.len() as u64;
        for upload in expired {
            let Some(_lock) = state.upload_locks.upload(&upload.id).await? else {
                skipped += 1;
                continue;
            };
            if let Err(error) = state.node.discard_upload(&upload.id).await {
                tracing::warn!(upload.id = %upload.id, %error, "could not remove an expired upload's bytes");
                skipped += 1;
                continue;
            }
            let deleted = uploads::Entity::delete_many()
                .filter(uploads::Column::Id.eq(&upload.id))
                .filter(uploads::Column::ExpiresAt.lte(now))
                .exec(&state.db)
                .await?;
            if deleted.rows_affected == 0 {
                skipped += 1; // written to since it was read: alive again
            }
            reclaimed += deleted.rows_affected;
            if deleted.rows_affected == 1 {
                drop_unrecorded_object(state, upload.file_id).await?;
            }
        }
        if batch < BATCH {
            break;
        }
    }
    reclaimed += reclaim_orphans(state).await?;
    if reclaimed > 0 {
        tracing::info!(reclaimed, "expired uploads reclaimed");
    }
    Ok(reclaimed)
}

/// Deletes the object of file `file_id` if the file is still pending: a completion published it and
/// was cut short before recording it, and its client never came back. (Under the file's lock, so
/// no completion is between publishing and recording right now; if one holds it, the next pass.)
async fn drop_unrecorded_object(state: &AppState, file_id: i64) -> Result<(), AppError> {
    let Some(_lock) = state.upload_locks.file(file_id).await? else {
        return Ok(());
    };
    let file = package_files::Entity::find_by_id(file_id)
        .one(&state.db)
        .await?;
    if let Some(file) = file.filter(|f| f.state == package_files::State::Pending) {
        state.node.delete_object(&file.storage_key).await?;
    }
    Ok(())
}

/// Removes upload bytes that no record refers to any more (their file was dropped from its draft,
/// or its package deleted) once they have been idle as long as an upload may be.
async fn reclaim_orphans(state: &AppState) -> Result<u64, AppError> {
    let idle = UPLOAD_EXPIRY.to_std().unwrap_or(Duration::MAX);
    let mut reclaimed = 0;
    for ids in state.node.idle_uploads(idle).await?.chunks(BATCH as usize) {
        let known: HashSet<String> = uploads::Entity::find()
            .select_only()
            .column(uploads::Column::Id)
            .filter(uploads::Column::Id.is_in(ids.iter().cloned()))
            .into_tuple::<String>()
            .all(&state.db)
            .await?
            .into_iter()
            .collect();
        for id in ids.iter().filter(|id| !known.contains(*id)) {
            let Some(_lock) = state.upload_locks.upload(id).await? else {
                continue;
            };
            state.node.discard_upload(id).await?;
            reclaimed += 1;
        }
    }
    Ok(reclaimed)
}
