//! Package expiration: each package's policy (none; after any recipient downloads every file; after
//! all recipients do; after N days since it was sent) decides when its files are deleted. Deleting
//! marks the package (`files_deleted_at`) and its files (`deleted`) in one transaction, then removes
//! the bytes from the transfer node; the package stays listed.
//!
//! Safe in several instances at once: a package is claimed by a conditional update
//! (`… WHERE files_deleted_at IS NULL`) and only the instance whose update changed the row goes on,
//! so files are deleted once. Removing bytes comes after the commit (no row ever points at missing
//! bytes while it is servable) and is retried by every housekeeping pass until it succeeded
//! (`purged_at`), so a crash in between leaks nothing for good. Runs from the housekeeping task,
//! right after a recipient's download completes a file, and for an admin's "delete files now".

use std::collections::HashMap;

use app::types::ExpirationPolicy;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, Func, Query},
};

use crate::{
    db::{
        entities::{file_downloads, package_files, package_recipients, packages, users},
        expiration as columns,
    },
    error::AppError,
    services::AppState,
};

/// Packages (or files) looked at per query.
const BATCH: u64 = 200;

/// What a package's download-based policies need to know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Downloads {
    pub recipients: u64,
    pub files: u64,
    /// Recipients who received every file.
    pub recipients_done: u64,
}

/// Whether `policy` says a package sent at `sent_at`, with these downloads, loses its files at `now`.
pub fn is_due(
    policy: ExpirationPolicy,
    sent_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    downloads: Downloads,
) -> bool {
    match policy {
        ExpirationPolicy::None => false,
        ExpirationPolicy::AfterAnyRecipientDownloads => {
            downloads.files > 0 && downloads.recipients_done > 0
        }
        ExpirationPolicy::AfterAllRecipientsDownload => {
            downloads.files > 0
                && downloads.recipients > 0
                && downloads.recipients_done >= downloads.recipients
        }
        ExpirationPolicy::AfterDays { days } => {
            sent_at.is_some_and(|sent| sent + Duration::days(i64::from(days)) <= now)
        }
    }
}

/// Applies every package's policy at `now`, then retries removing bytes of deleted files. Returns
/// how many packages lost their files in this pass.
#[tracing::instrument(skip_all)]
pub async fn apply(state: &AppState, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let mut deleted = 0;
    let mut after_id = 0;
    loop {
        let downloaded = Query::select()
            .column(file_downloads::Column::PackageId)
            .from(file_downloads::Entity)
            .to_owned();
        let by_downloads = Condition::all()
            .add(packages::Column::ExpirationKind.is_in([
                columns::Kind::AfterAnyRecipientDownloads,
                columns::Kind::AfterAllRecipientsDownload,
            ]))
            .add(packages::Column::Id.in_subquery(downloaded));
        // The shortest "after N days" is one day: younger packages need not be looked at.
        let by_age = Condition::all()
            .add(packages::Column::ExpirationKind.eq(columns::Kind::AfterDays))
            .add(packages::Column::SentAt.lte(now - Duration::days(1)));
        let candidates = live_packages()
            .filter(Condition::any().add(by_downloads).add(by_age))
            .filter(packages::Column::Id.gt(after_id))
            .order_by_asc(packages::Column::Id)
            .limit(BATCH)
            .all(&state.db)
            .await?;
        let Some(last) = candidates.last() else {
            break;
        };
        after_id = last.id;
        for id in due(&state.db, &candidates, now).await? {
            if delete_files(state, id, now, Deletion::Expired).await? {
                deleted += 1;
            }
        }
        if (candidates.len() as u64) < BATCH {
            break;
        }
    }
    purge(state, None).await?;
    Ok(deleted)
}

/// Applies package `package_id`'s policy at `now` (after one of its files was downloaded).
pub async fn apply_to_package(
    state: &AppState,
    package_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(package) = live_packages()
        .filter(packages::Column::Id.eq(package_id))
        .one(&state.db)
        .await?
    else {
        return Ok(false);
    };
    if due(&state.db, std::slice::from_ref(&package), now)
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    delete_files(state, package_id, now, Deletion::Expired).await
}

/// Sent packages whose files remain.
fn live_packages() -> sea_orm::Select<packages::Entity> {
    packages::Entity::find()
        .filter(packages::Column::State.eq(packages::State::Sent))
        .filter(packages::Column::FilesDeletedAt.is_null())
}

/// The ids among `candidates` whose policy says their files go now, in three queries whatever their
/// number.
async fn due(
    db: &impl ConnectionTrait,
    candidates: &[packages::Model],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    let ids: Vec<i64> = candidates.iter().map(|p| p.id).collect();
    let recipients = count_by_package(
        db,
        package_recipients::Entity::find()
            .filter(package_recipients::Column::PackageId.is_in(ids.clone())),
        package_recipients::Column::PackageId,
        package_recipients::Column::UserId,
    )
    .await?;
    let files = count_by_package(
        db,
        package_files::Entity::find().filter(package_files::Column::PackageId.is_in(ids.clone())),
        package_files::Column::PackageId,
        package_files::Column::Id,
    )
    .await?;
    let per_recipient: Vec<(i64, i64, i64)> = file_downloads::Entity::find()
        .select_only()
        .columns([
            file_downloads::Column::PackageId,
            file_downloads::Column::UserId,
        ])
        .column_as(
            Expr::from(Func::count(Expr::col(file_downloads::Column::FileId))),
            "files",
        )
        .filter(file_downloads::Column::PackageId.is_in(ids))
        .group_by(file_downloads::Column::PackageId)
        .group_by(file_downloads::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    let mut done: HashMap<i64, u64> = HashMap::new();
    for (package_id, _user, count) in per_recipient {
        let file_count = files.get(&package_id).copied().unwrap_or_default();
        if file_count > 0 && count >= file_count {
            *done.entry(package_id).or_default() += 1;
        }
    }
    let count = |map: &HashMap<i64, i64>, id| u64::try_from(map.get(&id).copied().unwrap_or(0));
    let mut due = Vec::new();
    for package in candidates {
        let downloads = Downloads {
            recipients: count(&recipients, package.id).unwrap_or_default(),
            files: count(&files, package.id).unwrap_or_default(),
            recipients_done: done.get(&package.id).copied().unwrap_or_default(),
        };
        let policy = columns::from_columns(package.expiration_kind, package.expiration_days)?;
        if is_due(policy, package.sent_at, now, downloads) {
            due.push(package.id);
        }
    }
    Ok(due)
}

/// `COUNT(counted)` of `rows` grouped by `package`.
async fn count_by_package<E: EntityTrait>(
    db: &impl ConnectionTrait,
    rows: sea_orm::Select<E>,
    package: E::Column,
    counted: E::Column,
) -> Result<HashMap<i64, i64>, DbErr> {
    let counts: Vec<(i64, i64)> = rows
        .select_only()
        .column(package)
        .column_as(Expr::from(Func::count(Expr::col(counted))), "n")
        .group_by(package)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts.into_iter().collect())
}

/// Why a package's files are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// Its expiration policy said so: the sender is notified.
    Expired,
    /// An admin's "delete files now".
    ByAdmin,
}

impl Deletion {
    fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::ByAdmin => "deleted by an admin",
        }
    }
}

/// Deletes package `package_id`'s files at `now`: marks the package and its files in one
/// transaction (with the sender's notification when they expired), then removes the bytes. Returns
/// `false` when the package is not a sent package whose files remain (another instance, or an
/// admin, deleted them first).
#[tracing::instrument(skip_all, fields(package.id = package_id))]
pub async fn delete_files(
    state: &AppState,
    package_id: i64,
    now: DateTime<Utc>,
    cause: Deletion,
) -> Result<bool, DbErr> {
    let txn = state.db.begin().await?;
    let claimed = packages::Entity::update_many()
        .col_expr(packages::Column::FilesDeletedAt, Expr::value(now))
        .filter(packages::Column::Id.eq(package_id))
        .filter(packages::Column::State.eq(packages::State::Sent))
        .filter(packages::Column::FilesDeletedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    package_files::Entity::update_many()
        .col_expr(
            package_files::Column::State,
            Expr::value(package_files::State::Deleted),
        )
        .col_expr(package_files::Column::DeletedAt, Expr::value(now))
        .filter(package_files::Column::PackageId.eq(package_id))
        .filter(package_files::Column::State.eq(package_files::State::Complete))
        .exec(&txn)
        .await?;
    if cause == Deletion::Expired {
        crate::services::notifications::files_expired(&txn, package_id, now).await?;
    }
    txn.commit().await?;
    tracing::info!(why = cause.as_str(), "package files deleted");
    purge(state, Some(package_id)).await?;
    // Uploads a crash kept from being removed when their files completed (a one-part upload's
    // bytes may be the very file's, linked): they go too, or housekeeping retries.
    if let Err(error) =
        crate::services::uploads::remove_finished_uploads(state, Some(package_id)).await
    {
        tracing::warn!(%error, "could not remove the deleted files' upload bytes yet");
    }
    Ok(true)
}

/// Removes the bytes of deleted files not removed yet (of one package, or all), recording each
/// success; a failure is logged and retried by the next pass. Returns how many were removed.
pub async fn purge(state: &AppState, package_id: Option<i64>) -> Result<u64, DbErr> {
    let mut purged = 0;
    let mut after_id = 0;
    loop {
        let mut query = package_files::Entity::find()
            .filter(package_files::Column::State.eq(package_files::State::Deleted))
            .filter(package_files::Column::PurgedAt.is_null())
            .filter(package_files::Column::Id.gt(after_id));
        if let Some(id) = package_id {
            query = query.filter(package_files::Column::PackageId.eq(id));
        }
        let files = query
            .order_by_asc(package_files::Column::Id)
            .limit(BATCH)
            .all(&state.db)
            .await?;
        let Some(last) = files.last() else {
            break;
        };
        after_id = last.id;
        for file in &files {
            if let Err(error) = state.node.delete_object(&file.storage_key).await {
                tracing::warn!(file.id = file.id, %error, "could not remove a deleted file's bytes yet");
                continue;
            }
            package_files::Entity::update_many()
                .col_expr(package_files::Column::PurgedAt, Expr::value(Utc::now()))
                .filter(package_files::Column::Id.eq(file.id))
                .exec(&state.db)
                .await?;
            purged += 1;
        }
        if (files.len() as u64) < BATCH {
            break;
        }
    }
    Ok(purged)
}

/// An admin's "delete this package's files now", through the same path as expiration.
#[tracing::instrument(skip_all, fields(package.id = package_id, user.id = admin.id))]
pub async fn delete_by_admin(
    state: &AppState,
    admin: &users::Model,
    package_id: i64,
) -> Result<(), AppError> {
    let package = packages::Entity::find_by_id(package_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !package.is_sent() {
        return Err(AppError::Conflict(
            "This package is still a draft: only a sent package's files can be deleted here (the \
             sender or an admin can delete the whole draft)."
                .into(),
        ));
    }
    if let Some(at) = package.files_deleted_at {
        return Err(already_deleted(at));
    }
    let now = Utc::now();
    if !delete_files(state, package_id, now, Deletion::ByAdmin).await? {
        return Err(already_deleted(now));
    }
    Ok(())
}

fn already_deleted(at: DateTime<Utc>) -> AppError {
    AppError::Conflict(format!(
        "This package's files were already deleted ({}).",
        at.format("%Y-%m-%d %H:%M UTC")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn downloads(recipients: u64, files: u64, recipients_done: u64) -> Downloads {
        Downloads {
            recipients,
            files,
            recipients_done,
        }
    }

    #[test]
    fn none_never_expires() {
        let now = Utc::now();
        let old = Some(now - Duration::days(10_000));
        assert!(!is_due(
            ExpirationPolicy::None,
            old,
            now,
            downloads(2, 3, 2)
        ));
    }

    #[test]
    fn after_any_needs_one_recipient_with_every_file() {
        let policy = ExpirationPolicy::AfterAnyRecipientDownloads;
        let now = Utc::now();
        assert!(!is_due(policy, Some(now), now, downloads(2, 3, 0)));
        assert!(is_due(policy, Some(now), now, downloads(2, 3, 1)));
        assert!(!is_due(policy, Some(now), now, downloads(2, 0, 1)));
    }

    #[test]
    fn after_all_needs_every_recipient() {
        let policy = ExpirationPolicy::AfterAllRecipientsDownload;
        let now = Utc::now();
        assert!(!is_due(policy, Some(now), now, downloads(2, 3, 1)));
        assert!(is_due(policy, Some(now), now, downloads(2, 3, 2)));
        assert!(!is_due(policy, Some(now), now, downloads(0, 3, 0)));
    }

    #[test]
    fn after_days_counts_from_sending() {
        let policy = ExpirationPolicy::AfterDays { days: 7 };
        let now = Utc::now();
        let sent = now - Duration::days(7);
        assert!(is_due(policy, Some(sent), now, downloads(1, 1, 0)));
        assert!(!is_due(
            policy,
            Some(sent + Duration::seconds(1)),
            now,
            downloads(1, 1, 1)
        ));
        assert!(!is_due(policy, None, now, downloads(1, 1, 1)));
    }
}
