//! Packages as people see them: rows joined with their sender, recipients, file totals and download
//! progress (from the tracking records, [`progress`]), loaded for a whole page in a fixed handful of
//! queries (never one per package).

use std::collections::{HashMap, HashSet};

use app::types::{
    Delivery, DownloadState, PackageDetail, PackageFile, PackageSummary, RecipientStatus,
    UserSummary,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, Func},
};

use super::Access;
use crate::{
    db::{
        entities::{package_files, package_recipients, packages, users},
        expiration,
    },
    error::AppError,
    services::downloads::progress::{self, Received},
};

/// The list entries for `rows`, in their order. `viewer` gets `my_download_state` on the sent
/// packages they are a recipient of; pass `None` for the sender's own list.
pub(super) async fn summaries(
    db: &impl ConnectionTrait,
    rows: &[packages::Model],
    viewer: Option<i64>,
) -> Result<Vec<PackageSummary>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let related = Related::load(db, rows).await?;
    rows.iter()
        .map(|package| related.summary(package, viewer))
        .collect()
}

/// Everything about one package that `viewer` may see through `access`.
pub(super) async fn detail(
    db: &impl ConnectionTrait,
    viewer: &users::Model,
    package: packages::Model,
    access: Access,
) -> Result<PackageDetail, AppError> {
    let related = Related::load(db, std::slice::from_ref(&package)).await?;
    let summary = related.summary(&package, Some(viewer.id))?;
    let files = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package.id))
        .order_by_asc(package_files::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|file| PackageFile {
            id: file.id,
            state: file.state.into(),
            name: file.name,
            path: file.path,
            size: u64::try_from(file.size).unwrap_or_default(),
            sha256: file.sha256,
        })
        .collect();
    let recipient_status = access.sees_recipient_status().then(|| {
        summary
            .recipients
            .iter()
            .map(|user| {
                let progress = related.progress_of(package.id, user.id);
                RecipientStatus {
                    user: user.clone(),
                    state: progress.state,
                    downloaded_at: progress.downloaded_at,
                    files_downloaded: progress.files_downloaded,
                }
            })
            .collect()
    });
    Ok(PackageDetail {
        summary,
        note: package.note,
        expiration: expiration::from_columns(package.expiration_kind, package.expiration_days)?,
        files,
        recipient_status,
        can_delete: access.may_delete(),
    })
}

/// One recipient's progress on one package.
#[derive(Debug, Clone, Copy)]
struct Progress {
    state: DownloadState,
    downloaded_at: Option<DateTime<Utc>>,
    files_downloaded: u32,
}

impl Progress {
    /// The progress of a recipient with these records on a package of `file_count` files.
    fn of(received: Received, file_count: i64) -> Self {
        let complete = file_count > 0 && i64::from(received.files) >= file_count;
        let state = if complete {
            DownloadState::Downloaded
        } else if received.files > 0 || received.partial_bytes {
            DownloadState::PartiallyDownloaded
        } else {
            DownloadState::NotDownloaded
        };
        Self {
            state,
            downloaded_at: received.last_completed_at.filter(|_| complete),
            files_downloaded: received.files,
        }
    }
}

/// What a page of packages needs besides its own rows.
struct Related {
    /// Recipient ids by package id.
    recipients: HashMap<i64, Vec<i64>>,
    /// Senders and recipients by user id.
    people: HashMap<i64, UserSummary>,
    /// (file count, total bytes) by package id; absent when a package has no files.
    files: HashMap<i64, (i64, i64)>,
    /// Download records by (package id, recipient id).
    received: HashMap<(i64, i64), Received>,
}

impl Related {
    async fn load(db: &impl ConnectionTrait, rows: &[packages::Model]) -> Result<Self, AppError> {
        let ids: Vec<i64> = rows.iter().map(|package| package.id).collect();
        let addressed: Vec<(i64, i64)> = package_recipients::Entity::find()
            .select_only()
            .columns([
                package_recipients::Column::PackageId,
                package_recipients::Column::UserId,
            ])
            .filter(package_recipients::Column::PackageId.is_in(ids.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let mut recipients: HashMap<i64, Vec<i64>> = HashMap::new();
        for &(package_id, user_id) in &addressed {
            recipients.entry(package_id).or_default().push(user_id);
        }
        let people_ids = rows
            .iter()
            .map(|package| package.sender_id)
            .chain(addressed.iter().map(|&(_, user_id)| user_id));
        let people = user_summaries(db, people_ids).await?;
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast it back so both engines answer an integer.
        let totals: Vec<(i64, i64, i64)> = package_files::Entity::find()
            .select_only()
            .column(package_files::Column::PackageId)
            .column_as(
                Expr::from(Func::count(Expr::col(package_files::Column::Id))),
                "file_count",
            )
            .column_as(
                Expr::from(Func::cast_as(
                    Func::sum(Expr::col(package_files::Column::Size)),
                    Alias::new("BIGINT"),
                )),
                "total_size",
            )
            .filter(package_files::Column::PackageId.is_in(ids.clone()))
            .group_by(package_files::Column::PackageId)
            .into_tuple()
            .all(db)
            .await?;
        let files = totals
            .into_iter()
            .map(|(package_id, count, size)| (package_id, (count, size)))
            .collect();
        let received = progress::load(db, &ids).await?;
        Ok(Self {
            recipients,
            people,
            files,
            received,
        })
    }

    fn progress_of(&self, package_id: i64, user_id: i64) -> Progress {
        let received = self
            .received
            .get(&(package_id, user_id))
            .copied()
            .unwrap_or_default();
        let (file_count, _) = self.files.get(&package_id).copied().unwrap_or_default();
        Progress::of(received, file_count)
    }

    fn summary(
        &self,
        package: &packages::Model,
        viewer: Option<i64>,
    ) -> Result<PackageSummary, AppError> {
        let sender = self
            .people
            .get(&package.sender_id)
            .cloned()
            .ok_or_else(|| {
                anyhow::anyhow!("package {} has no sender {}", package.id, package.sender_id)
            })?;
        let mut recipients: Vec<UserSummary> = self
            .recipients
            .get(&package.id)
            .into_iter()
            .flatten()
            .filter_map(|user_id| self.people.get(user_id).cloned())
            .collect();
        recipients.sort_by(|a, b| a.username.cmp(&b.username));
        let my_download_state = viewer
            .filter(|&viewer| package.is_sent() && recipients.iter().any(|r| r.id == viewer))
            .map(|viewer| self.progress_of(package.id, viewer).state);
        let (file_count, total_size) = self.files.get(&package.id).copied().unwrap_or_default();
        // The sender's lists (`viewer` None: Sent, the admins' list) and page.
        let delivery = (package.is_sent()
            && viewer.is_none_or(|viewer| viewer == package.sender_id))
        .then(|| self.delivery(package.id, &recipients));
        Ok(PackageSummary {
            id: package.id,
            title: package.title.clone(),
            sender,
            recipients,
            state: package.state.into(),
            file_count: u32::try_from(file_count).unwrap_or(u32::MAX),
            total_size: u64::try_from(total_size).unwrap_or_default(),
            created_at: package.created_at,
            sent_at: package.sent_at,
            my_download_state,
            files_deleted_at: package.files_deleted_at,
            delivery,
        })
    }

    fn delivery(&self, package_id: i64, recipients: &[UserSummary]) -> Delivery {
        let mut delivery = Delivery {
            recipients: u32::try_from(recipients.len()).unwrap_or(u32::MAX),
            downloaded: 0,
            partially: 0,
            most_files: 0,
        };
        for recipient in recipients {
            let progress = self.progress_of(package_id, recipient.id);
            match progress.state {
                DownloadState::Downloaded => delivery.downloaded += 1,
                DownloadState::PartiallyDownloaded => delivery.partially += 1,
                DownloadState::NotDownloaded => {}
            }
            delivery.most_files = delivery.most_files.max(progress.files_downloaded);
        }
        delivery
    }
}

/// Senders and recipients by id, in one query (no password hashes loaded).
async fn user_summaries(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, UserSummary>, AppError> {
    let ids: HashSet<i64> = ids.into_iter().collect();
    let rows: Vec<(i64, String, String)> = users::Entity::find()
        .select_only()
        .columns([
            users::Column::Id,
            users::Column::Username,
            users::Column::DisplayName,
        ])
        .filter(users::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, username, display_name)| {
            let summary = UserSummary {
                id,
                username,
                display_name,
            };
            (id, summary)
        })
        .collect())
}
