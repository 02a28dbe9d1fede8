//! What one declared file's uploads may hold together: never more than the file's declared size,
//! in at most [`MAX_OPEN_UPLOADS_PER_FILE`] uploads. (Before this bound, four partial uploads and
//! four single uploads of a 1,024-byte file were all accepted and filled: 4,096 bytes and more.)
//!
//! A client that lost an upload's URL and starts over must still be able to: to make room, the
//! file's idle uploads are discarded, oldest first. An upload being appended to right now (its
//! lease held) is never touched; when only such uploads are in the way, the new one is refused.

use crate::error::AppError;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{LockGuard, MAX_PARTS, from_db};
use crate::{
    db::entities::{package_files, uploads},
    services::AppState,
};

/// Most uploads of one file open at once: the parts of the largest final upload, and one more.
pub const MAX_OPEN_UPLOADS_PER_FILE: usize = MAX_PARTS + 1;

/// Makes room among `file`'s open uploads for a new one of `length` bytes, discarding idle ones if
/// need be. Returns the file's lock: hold it until the new upload's row is written, so two new
/// uploads cannot both take the same room.
pub(super) async fn make_room(
    state: &AppState,
    file: &package_files::Model,
    length: u64,
) -> Result<LockGuard, AppError> {
    let file_lock = state
        .upload_locks
        .file_for_request(file.id)
        .await?
        .ok_or(AppError::Locked)?;
    let size = from_db(file.size);
    let open = uploads::Entity::find()
        .filter(uploads::Column::FileId.eq(file.id))
        .filter(uploads::Column::Kind.ne(uploads::Kind::Final))
        .filter(uploads::Column::CompletedAt.is_null())
        .filter(uploads::Column::BytesRemovedAt.is_null())
        .order_by_asc(uploads::Column::UpdatedAt)
        .all(&state.db)
        .await?;
    let mut held: u64 = open.iter().map(|upload| from_db(upload.length)).sum();
    let mut count = open.len();
    let fits = |held: u64, count: usize| {
        held.saturating_add(length) <= size && count < MAX_OPEN_UPLOADS_PER_FILE
    };
    for upload in &open {
        if fits(held, count) {
            break;
        }
        // Busy (an append in progress, or being joined): not ours to discard.
        let Some(_lease) = state.upload_locks.upload(&upload.id).await? else {
            continue;
        };
        state.node.discard_upload(&upload.id).await?;
        uploads::Entity::delete_by_id(&upload.id)
            .exec(&state.db)
            .await?;
        tracing::info!(
            upload.id = %upload.id,
            file.id = file.id,
            "an idle upload of the file was discarded to make room for a new one"
        );
        held -= from_db(upload.length);
        count -= 1;
    }
    if !fits(held, count) {
        return Err(AppError::Conflict(format!(
            "File {} already has uploads in progress holding {held} of its {size} bytes: resume \
             them, or terminate one (DELETE its URL) before starting another.",
            file.id
        )));
    }
    Ok(file_lock)
}
