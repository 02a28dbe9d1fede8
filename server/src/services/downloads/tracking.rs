//! Exact download tracking. Every response records the byte range it actually delivered, as a row
//! of its own (insert-only, so concurrent downloads on several instances never overwrite each
//! other). Then the recipient's ranges of that file are read back: when their union covers every
//! byte, one idempotent row says the file is downloaded (the ranges, no longer needed, go). A file
//! counts however it was fetched: whole, resumed, or in split ranges; an empty file once asked for.
//!
//! Only the package's recipients are tracked: the sender and admins may download, but that says
//! nothing about whether a recipient got the files. When a file completes, the package's
//! expiration policy is applied at once (under "after all recipients download" the last
//! recipient's download deletes the files).

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait,
    sea_query::{Expr, OnConflict},
};

use crate::{
    db::entities::{download_ranges, file_downloads, package_files, package_recipients},
    services::AppState,
    services::{expiration, notifications},
};

/// One response's delivery: bytes `[start, end)` of a file of `file_size` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub package_id: i64,
    pub file_id: i64,
    pub user_id: i64,
    pub file_size: u64,
    pub start: u64,
    pub end: u64,
}

/// Records `delivered` for a recipient (anyone else's downloads are not tracked) and, when it
/// completes the file, marks the file downloaded and applies the package's expiration policy.
#[tracing::instrument(skip_all, fields(file.id = delivered.file_id, user.id = delivered.user_id))]
pub async fn record(state: &AppState, delivered: &Delivered) -> anyhow::Result<()> {
    let db = &state.db;
    let recipient =
        package_recipients::Entity::find_by_id((delivered.package_id, delivered.user_id))
            .one(db)
            .await?
            .is_some();
    if !recipient {
        return Ok(());
    }
    let done = file_downloads::Entity::find_by_id((delivered.file_id, delivered.user_id))
        .one(db)
        .await?
        .is_some();
    if done {
        return Ok(());
    }
    let now = Utc::now();
    if delivered.end > delivered.start {
        download_ranges::Entity::insert(download_ranges::ActiveModel {
            package_id: Set(delivered.package_id),
            file_id: Set(delivered.file_id),
            user_id: Set(delivered.user_id),
            range_start: Set(to_db(delivered.start)),
            range_end: Set(to_db(delivered.end)),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?;
    } else if delivered.file_size > 0 {
        return Ok(());
    }
    // Read after our insert committed: of two concurrent records, the later reader sees both.
    let rows: Vec<(i64, i64, i64)> = download_ranges::Entity::find()
        .select_only()
        .columns([
            download_ranges::Column::Id,
            download_ranges::Column::RangeStart,
            download_ranges::Column::RangeEnd,
        ])
        .filter(download_ranges::Column::FileId.eq(delivered.file_id))
        .filter(download_ranges::Column::UserId.eq(delivered.user_id))
        .into_tuple()
        .all(db)
        .await?;
    let rows: Vec<(i64, u64, u64)> = rows
        .into_iter()
        .map(|(id, start, end)| (id, from_db(start), from_db(end)))
        .collect();
    if !covers(rows.iter().map(|&(_, s, e)| (s, e)), delivered.file_size) {
        if rows.len() > super::compact::COMPACT_ABOVE {
            super::compact::compact(db, delivered, &rows).await?;
        }
        return Ok(());
    }
    if !mark_downloaded(state, delivered, now).await? {
        return Ok(()); // another response completed it first
    }
    tracing::info!(
        package.id = delivered.package_id,
        "file downloaded by a recipient"
    );
    expiration::apply_to_package(state, delivered.package_id, now).await?;
    Ok(())
}

/// In one transaction: the file is downloaded by this recipient, its ranges go, and when that was
/// the recipient's last file of the package the sender is notified. The recipient's row is locked
/// first, so two of their files completing at once are serialized and exactly one of them sees
/// every file done. Returns `false` when another response had already recorded the file.
async fn mark_downloaded(
    state: &AppState,
    delivered: &Delivered,
    now: chrono::DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let txn = state.db.begin().await?;
    package_recipients::Entity::update_many()
        .col_expr(
            package_recipients::Column::CreatedAt,
            Expr::col(package_recipients::Column::CreatedAt),
        )
        .filter(package_recipients::Column::PackageId.eq(delivered.package_id))
        .filter(package_recipients::Column::UserId.eq(delivered.user_id))
        .exec(&txn)
        .await?;
    let inserted = file_downloads::Entity::insert(file_downloads::ActiveModel {
        file_id: Set(delivered.file_id),
        user_id: Set(delivered.user_id),
        package_id: Set(delivered.package_id),
        completed_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            file_downloads::Column::FileId,
            file_downloads::Column::UserId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    download_ranges::Entity::delete_many()
        .filter(download_ranges::Column::FileId.eq(delivered.file_id))
        .filter(download_ranges::Column::UserId.eq(delivered.user_id))
        .exec(&txn)
        .await?;
    let files = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(delivered.package_id))
        .count(&txn)
        .await?;
    let downloaded = file_downloads::Entity::find()
        .filter(file_downloads::Column::PackageId.eq(delivered.package_id))
        .filter(file_downloads::Column::UserId.eq(delivered.user_id))
        .count(&txn)
        .await?;
    if files > 0 && downloaded >= files {
        notifications::package_downloaded(
            &txn,
            state.config.mail.as_ref(),
            delivered.package_id,
            delivered.user_id,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// Whether the union of `ranges` (`[start, end)`) covers every byte of a file of `size` bytes.
pub fn covers(ranges: impl IntoIterator<Item = (u64, u64)>, size: u64) -> bool {
    let mut ranges: Vec<(u64, u64)> = ranges.into_iter().filter(|(s, e)| e > s).collect();
    ranges.sort_unstable();
    let mut covered = 0u64;
    for (start, end) in ranges {
        if start > covered {
            break;
        }
        covered = covered.max(end);
    }
    covered >= size
}

/// How many distinct bytes the union of `ranges` (`[start, end)`) holds.
pub fn covered(ranges: impl IntoIterator<Item = (u64, u64)>) -> u64 {
    let mut ranges: Vec<(u64, u64)> = ranges.into_iter().filter(|(s, e)| e > s).collect();
    ranges.sort_unstable();
    let (mut total, mut reach) = (0u64, 0u64);
    for (start, end) in ranges {
        let start = start.max(reach);
        if end > start {
            total += end - start;
            reach = end;
        }
    }
    total
}

fn to_db(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn from_db(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{covered, covers};

    #[test]
    fn covered_counts_each_byte_once() {
        assert_eq!(covered([]), 0);
        assert_eq!(covered([(0, 10), (5, 15), (20, 30), (25, 26)]), 25);
        assert_eq!(covered([(7, 7), (40, 50), (0, 5)]), 15);
    }

    #[test]
    fn an_empty_file_is_covered_by_nothing() {
        assert!(covers([], 0));
        assert!(!covers([], 1));
    }

    #[test]
    fn split_and_overlapping_ranges_add_up() {
        assert!(covers([(0, 100)], 100));
        assert!(covers([(50, 100), (0, 50)], 100));
        assert!(covers([(0, 60), (40, 100)], 100));
        assert!(covers([(0, 10), (10, 20), (5, 15), (20, 100)], 100));
        assert!(covers([(0, 150)], 100));
    }

    #[test]
    fn a_gap_or_a_missing_end_is_not_covered() {
        assert!(!covers([(0, 49), (50, 100)], 100));
        assert!(!covers([(1, 100)], 100));
        assert!(!covers([(0, 99)], 100));
        assert!(!covers([(0, 50), (60, 100), (50, 59)], 100));
        assert!(!covers([(5, 5), (0, 0)], 1));
    }
}
