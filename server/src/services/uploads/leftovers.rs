//! The bytes of uploads that are done with: once a file is complete (or its bytes deleted), none
//! of its uploads is needed on the node any more. Completing a file removes them at once; a crash
//! before that leaves them, so each removal is recorded on the upload's row (`bytes_removed_at`)
//! and [`sweep`] removes whatever is not recorded yet: at start-up, every reclaim pass, and when a
//! package's files are deleted. (The rows stay: `HEAD` still answers a client resuming an upload
//! that completed.)

use crate::error::AppError;
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Query},
};

use crate::{
    db::entities::{package_files, uploads},
    services::AppState,
};

/// Uploads looked at per query.
const BATCH: u64 = 500;
/// Uploads looked at per housekeeping pass at most: after an upgrade every upload completed
/// before this record existed is looked at once (a node request or two each), and that backlog is
/// spread over passes rather than holding up the other housekeeping jobs.
const PER_PASS: u64 = 4 * BATCH;

/// Records that the node no longer holds upload `id`'s bytes.
pub(super) async fn record_removed(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    uploads::Entity::update_many()
        .col_expr(uploads::Column::BytesRemovedAt, Expr::value(Utc::now()))
        .filter(uploads::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the bytes of every upload of a complete or deleted file (of package `package_id`, or up
/// to [`PER_PASS`] of all) that are not recorded removed yet, and records each; uploads being
/// written to right now are left for the next pass. Returns how many were removed.
#[tracing::instrument(skip_all, fields(package.id = package_id))]
pub async fn sweep(state: &AppState, package_id: Option<i64>) -> Result<u64, AppError> {
    let mut removed = 0;
    let mut looked = 0;
    let mut after = String::new();
    loop {
        let mut done_files = Query::select()
            .column(package_files::Column::Id)
            .from(package_files::Entity)
            .and_where(package_files::Column::State.ne(package_files::State::Pending))
            .to_owned();
        if let Some(id) = package_id {
            done_files.and_where(package_files::Column::PackageId.eq(id));
        }
        let batch: Vec<String> = uploads::Entity::find()
            .select_only()
            .column(uploads::Column::Id)
            .filter(uploads::Column::BytesRemovedAt.is_null())
            .filter(uploads::Column::FileId.in_subquery(done_files))
            .filter(uploads::Column::Id.gt(after.as_str()))
            .order_by_asc(uploads::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&state.db)
            .await?;
        let Some(last) = batch.last() else {
            break;
        };
        after.clone_from(last);
        for id in &batch {
            let Some(_lock) = state.upload_locks.upload(id).await? else {
                continue;
            };
            if let Err(error) = state.node.discard_upload(id).await {
                tracing::warn!(upload.id = %id, %error, "could not remove a finished upload's bytes yet");
                continue;
            }
            record_removed(&state.db, id).await?;
            removed += 1;
        }
        looked += batch.len() as u64;
        if (batch.len() as u64) < BATCH || (package_id.is_none() && looked >= PER_PASS) {
            break;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "finished uploads' bytes removed");
    }
    Ok(removed)
}
