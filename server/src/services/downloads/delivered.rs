//! How much of one file the gateway has delivered to one user, read from the tracking records
//! ([`super::tracking`]): the file's completion row, else the union of its delivered ranges. The
//! web app shows it while the browser's own download manager fetches a file link, the one way the
//! page can follow a download it does not carry itself.

use app::types::FileDelivery;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::tracking::covered;
use crate::{
    db::entities::{download_ranges, file_downloads, package_files, package_recipients, users},
    error::AppError,
    services::AppState,
    services::packages,
};

/// What file `file_id` of package `package_id` delivered to `user` so far.
#[tracing::instrument(skip_all, fields(package.id = package_id, file.id = file_id, user.id = user.id))]
pub async fn file_delivery(
    state: &AppState,
    user: &users::Model,
    package_id: i64,
    file_id: i64,
) -> Result<FileDelivery, AppError> {
    let db = &state.db;
    packages::find_visible(db, user, package_id).await?;
    let file = package_files::Entity::find_by_id(file_id)
        .filter(package_files::Column::PackageId.eq(package_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let size = u64::try_from(file.size).unwrap_or_default();
    let tracked = package_recipients::Entity::find_by_id((package_id, user.id))
        .one(db)
        .await?
        .is_some();
    let complete = tracked
        && file_downloads::Entity::find_by_id((file_id, user.id))
            .one(db)
            .await?
            .is_some();
    let delivered = if complete {
        size
    } else if !tracked {
        0
    } else {
        let ranges: Vec<(i64, i64)> = download_ranges::Entity::find()
            .select_only()
            .columns([
                download_ranges::Column::RangeStart,
                download_ranges::Column::RangeEnd,
            ])
            .filter(download_ranges::Column::FileId.eq(file_id))
            .filter(download_ranges::Column::UserId.eq(user.id))
            .into_tuple()
            .all(db)
            .await?;
        let ranges = ranges.into_iter().map(|(start, end)| {
            (
                u64::try_from(start).unwrap_or_default(),
                u64::try_from(end).unwrap_or_default(),
            )
        });
        covered(ranges).min(size)
    };
    Ok(FileDelivery {
        file_id,
        size,
        delivered,
        complete,
        tracked,
    })
}
