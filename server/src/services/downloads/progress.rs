//! What the tracking records say about a page of packages, read in two queries whatever the page's
//! size: per (package, recipient), how many files are completely downloaded and when the last one
//! completed, and whether any bytes of the others were delivered.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, Func},
};

use crate::db::entities::{download_ranges, file_downloads};

/// One recipient's records for one package.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Received {
    /// Files received whole.
    pub files: u32,
    /// When the latest of those completed.
    pub last_completed_at: Option<DateTime<Utc>>,
    /// Some bytes of a file not yet whole were delivered.
    pub partial_bytes: bool,
}

/// The records of `package_ids`, by (package id, recipient id); recipients with none are absent.
pub async fn load(
    db: &impl ConnectionTrait,
    package_ids: &[i64],
) -> Result<HashMap<(i64, i64), Received>, DbErr> {
    let mut received: HashMap<(i64, i64), Received> = HashMap::new();
    if package_ids.is_empty() {
        return Ok(received);
    }
    let completed: Vec<(i64, i64, i64, Option<DateTime<Utc>>)> = file_downloads::Entity::find()
        .select_only()
        .columns([
            file_downloads::Column::PackageId,
            file_downloads::Column::UserId,
        ])
        .column_as(
            Expr::from(Func::count(Expr::col(file_downloads::Column::FileId))),
            "files",
        )
        .column_as(
            Expr::from(Func::max(Expr::col(file_downloads::Column::CompletedAt))),
            "last_completed_at",
        )
        .filter(file_downloads::Column::PackageId.is_in(package_ids.iter().copied()))
        .group_by(file_downloads::Column::PackageId)
        .group_by(file_downloads::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    for (package_id, user_id, files, last) in completed {
        let entry = received.entry((package_id, user_id)).or_default();
        entry.files = u32::try_from(files).unwrap_or(u32::MAX);
        entry.last_completed_at = last;
    }
    let started: Vec<(i64, i64)> = download_ranges::Entity::find()
        .select_only()
        .columns([
            download_ranges::Column::PackageId,
            download_ranges::Column::UserId,
        ])
        .distinct()
        .filter(download_ranges::Column::PackageId.is_in(package_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    for key in started {
        received.entry(key).or_default().partial_bytes = true;
    }
    Ok(received)
}
