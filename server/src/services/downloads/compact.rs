//! Keeps a recipient's delivered ranges of one file few. Every response inserts a row of its own
//! (and a long one a row per 32 MiB), and the rows go only when the file is complete, so a
//! recipient who never fetches the last byte would make them grow without bound. Past
//! [`COMPACT_ABOVE`] rows, they are replaced by their union, in one transaction that deletes exactly
//! the rows it read: a range another response inserts meanwhile is kept, and two compactions at
//! once at worst leave a merged range twice, so no byte of coverage is ever lost.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};

use super::tracking::Delivered;
use crate::db::entities::download_ranges;

/// Rows of one recipient's file kept as they come; more are merged.
pub const COMPACT_ABOVE: usize = 32;

/// The union of `ranges` (`[start, end)`), as few ranges as cover it: overlapping and touching ones
/// joined, sorted.
pub fn merged(ranges: impl IntoIterator<Item = (u64, u64)>) -> Vec<(u64, u64)> {
    let mut ranges: Vec<(u64, u64)> = ranges.into_iter().filter(|(s, e)| e > s).collect();
    ranges.sort_unstable();
    let mut union: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match union.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => union.push((start, end)),
        }
    }
    union
}

/// Replaces `rows` (`(id, start, end)`, the recipient's rows of `delivered`'s file) by their union.
pub(super) async fn compact(
    db: &DatabaseConnection,
    delivered: &Delivered,
    rows: &[(i64, u64, u64)],
) -> Result<(), DbErr> {
    let union = merged(rows.iter().map(|&(_, start, end)| (start, end)));
    if union.len() >= rows.len() {
        return Ok(());
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    download_ranges::Entity::delete_many()
        .filter(download_ranges::Column::Id.is_in(rows.iter().map(|&(id, _, _)| id)))
        .exec(&txn)
        .await?;
    let merged_rows = union
        .iter()
        .map(|&(start, end)| download_ranges::ActiveModel {
            package_id: Set(delivered.package_id),
            file_id: Set(delivered.file_id),
            user_id: Set(delivered.user_id),
            range_start: Set(i64::try_from(start).unwrap_or(i64::MAX)),
            range_end: Set(i64::try_from(end).unwrap_or(i64::MAX)),
            created_at: Set(now),
            ..Default::default()
        });
    download_ranges::Entity::insert_many(merged_rows)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::debug!(
        rows = rows.len(),
        kept = union.len(),
        "delivered ranges merged"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::merged;

    #[test]
    fn overlapping_and_touching_ranges_join() {
        assert_eq!(
            merged([(10, 20), (0, 5), (5, 8), (15, 30), (40, 50), (7, 7)]),
            [(0, 8), (10, 30), (40, 50)]
        );
        assert_eq!(merged([]), []);
    }
}
