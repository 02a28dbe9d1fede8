//! Package rules: who may see a package ([`find_visible`], the one gate every package endpoint
//! passes), what a valid new package is, the Received and Sent lists, reading and deleting.

mod new_package;
mod views;

use app::types::{NewPackage, PackageDetail, PackagePage, PackageSummary, PageQuery};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, TransactionTrait,
    sea_query::{Expr, Query},
};

use crate::{
    db::{
        entities::{package_files, package_recipients, packages, uploads, users},
        expiration,
    },
    error::AppError,
    services::settings,
    storage::TransferNode,
};

/// Sends a draft whose files are all complete (and which has at least one): it becomes visible to
/// its recipients. Call inside the transaction that completed or dropped the last pending file,
/// after locking the package row. Returns whether this call sent it. Its recipients are notified in
/// the same transaction (and emailed through the outbox when `mail` is configured).
pub async fn send_if_all_files_complete(
    txn: &impl ConnectionTrait,
    mail: Option<&crate::config::MailConfig>,
    package_id: i64,
    now: chrono::DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let files = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package_id))
        .count(txn)
        .await?;
    let pending = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package_id))
        .filter(package_files::Column::State.ne(package_files::State::Complete))
        .count(txn)
        .await?;
    if files == 0 || pending > 0 {
        return Ok(false);
    }
    let sent = packages::Entity::update_many()
        .col_expr(packages::Column::State, Expr::value(packages::State::Sent))
        .col_expr(packages::Column::SentAt, Expr::value(now))
        .filter(packages::Column::Id.eq(package_id))
        .filter(packages::Column::State.eq(packages::State::Draft))
        .exec(txn)
        .await?;
    if sent.rows_affected != 1 {
        return Ok(false);
    }
    crate::services::notifications::package_sent(txn, mail, package_id, now).await?;
    Ok(true)
}

/// Locks a draft's row for the rest of the transaction (PostgreSQL row lock; SQLite write lock), so
/// concurrent completions and spec changes of one package are serialized. `false` when the package
/// is no longer a draft.
pub async fn lock_draft(
    txn: &impl ConnectionTrait,
    package_id: i64,
) -> Result<bool, sea_orm::DbErr> {
    let locked = packages::Entity::update_many()
        .col_expr(packages::Column::State, Expr::col(packages::Column::State))
        .filter(packages::Column::Id.eq(package_id))
        .filter(packages::Column::State.eq(packages::State::Draft))
        .exec(txn)
        .await?;
    Ok(locked.rows_affected == 1)
}

/// Why the caller may see a package, as decided by [`find_visible`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The caller sent it; drafts included.
    Sender,
    /// The caller is an admin who did not send it.
    Admin,
    /// The caller is a recipient and the package is sent.
    Recipient,
}

impl Access {
    /// Only the sender and admins may delete a package.
    pub fn may_delete(self) -> bool {
        matches!(self, Self::Sender | Self::Admin)
    }

    /// Only the sender and admins see how far each recipient got.
    pub fn sees_recipient_status(self) -> bool {
        matches!(self, Self::Sender | Self::Admin)
    }
}

/// The package `id` as `user` may see it, and why they may. Every package endpoint (reads, writes,
/// the upload and download transfer specs) starts here: a package the user may not see, a
/// recipient's draft included, fails with the same [`AppError::NotFound`] as an id that does not
/// exist, so no one can learn that another user's package exists.
#[tracing::instrument(skip_all, fields(package.id = id, user.id = user.id))]
pub async fn find_visible(
    db: &impl ConnectionTrait,
    user: &users::Model,
    id: i64,
) -> Result<(packages::Model, Access), AppError> {
    let is_admin = user.is_admin();
    let mut query = packages::Entity::find_by_id(id);
    if !is_admin {
        query = query.filter(
            Condition::any()
                .add(packages::Column::SenderId.eq(user.id))
                .add(received_by(user.id)),
        );
    }
    let package = query.one(db).await?.ok_or(AppError::NotFound)?;
    let access = if package.sender_id == user.id {
        Access::Sender
    } else if is_admin {
        Access::Admin
    } else {
        Access::Recipient
    };
    Ok((package, access))
}

/// Packages addressed to `user_id` that are sent: what recipients may see.
fn received_by(user_id: i64) -> Condition {
    let addressed = Query::select()
        .column(package_recipients::Column::PackageId)
        .from(package_recipients::Entity)
        .and_where(package_recipients::Column::UserId.eq(user_id))
        .to_owned();
    Condition::all()
        .add(packages::Column::State.eq(packages::State::Sent))
        .add(packages::Column::Id.in_subquery(addressed))
}

/// Creates a draft from `new`: checks the title and note, resolves the recipients, fills in the
/// admin's default expiration. The sender may be among the recipients (it is harmless: they see
/// the package in Received once it is sent, as with email to oneself).
#[tracing::instrument(skip_all, fields(user.id = sender.id))]
pub async fn create(
    db: &DatabaseConnection,
    sender: &users::Model,
    new: NewPackage,
) -> Result<PackageDetail, AppError> {
    let title = new_package::check_title(&new.title)?;
    new_package::check_note(&new.note)?;
    let recipient_ids = new_package::resolve_recipients(db, &new.recipients).await?;
    let policy = match new.expiration {
        Some(policy) => policy,
        None => settings::load(db).await?.default_expiration,
    };
    policy.validate().map_err(AppError::BadRequest)?;
    let (expiration_kind, expiration_days) = expiration::to_columns(policy);

    let now = Utc::now();
    let txn = db.begin().await?;
    let package = packages::ActiveModel {
        sender_id: Set(sender.id),
        title: Set(title),
        note: Set(new.note),
        state: Set(packages::State::Draft),
        expiration_kind: Set(expiration_kind.to_owned()),
        expiration_days: Set(expiration_days),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    package_recipients::Entity::insert_many(recipient_ids.iter().map(|&user_id| {
        package_recipients::ActiveModel {
            package_id: Set(package.id),
            user_id: Set(user_id),
            created_at: Set(now),
        }
    }))
    .exec(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(
        package.id = package.id,
        recipients = recipient_ids.len(),
        "draft created"
    );
    views::detail(db, sender, package, Access::Sender).await
}

/// Sent packages addressed to `user`, newest sent first.
#[tracing::instrument(skip_all, fields(user.id = user.id))]
pub async fn received(
    db: &impl ConnectionTrait,
    user: &users::Model,
    query: PageQuery,
) -> Result<PackagePage, AppError> {
    query.check().map_err(AppError::BadRequest)?;
    let matching = packages::Entity::find().filter(received_by(user.id));
    let (rows, total) = newest_first(db, matching, packages::Column::SentAt, query).await?;
    let items = views::summaries(db, &rows, Some(user.id)).await?;
    Ok(page_of(items, query, total))
}

/// The packages `user` sent, drafts included, newest created first.
#[tracing::instrument(skip_all, fields(user.id = user.id))]
pub async fn sent(
    db: &impl ConnectionTrait,
    user: &users::Model,
    query: PageQuery,
) -> Result<PackagePage, AppError> {
    query.check().map_err(AppError::BadRequest)?;
    let matching = packages::Entity::find().filter(packages::Column::SenderId.eq(user.id));
    let (rows, total) = newest_first(db, matching, packages::Column::CreatedAt, query).await?;
    let items = views::summaries(db, &rows, None).await?;
    Ok(page_of(items, query, total))
}

/// Sent packages whose files remain on the transfer node, newest sent first (for admins: the
/// caller checks).
#[tracing::instrument(skip_all)]
pub async fn with_files(
    db: &impl ConnectionTrait,
    query: PageQuery,
) -> Result<PackagePage, AppError> {
    query.check().map_err(AppError::BadRequest)?;
    let matching = packages::Entity::find()
        .filter(packages::Column::State.eq(packages::State::Sent))
        .filter(packages::Column::FilesDeletedAt.is_null());
    let (rows, total) = newest_first(db, matching, packages::Column::SentAt, query).await?;
    let items = views::summaries(db, &rows, None).await?;
    Ok(page_of(items, query, total))
}

/// The requested page of `matching`, newest by `time` first (then by id), and how many match.
async fn newest_first(
    db: &impl ConnectionTrait,
    matching: Select<packages::Entity>,
    time: packages::Column,
    query: PageQuery,
) -> Result<(Vec<packages::Model>, u64), AppError> {
    let total = matching.clone().count(db).await?;
    let rows = matching
        .order_by_desc(time)
        .order_by_desc(packages::Column::Id)
        .offset(u64::from(query.page - 1) * u64::from(query.per_page))
        .limit(u64::from(query.per_page))
        .all(db)
        .await?;
    Ok((rows, total))
}

fn page_of(items: Vec<PackageSummary>, query: PageQuery, total: u64) -> PackagePage {
    PackagePage {
        items,
        page: query.page,
        per_page: query.per_page,
        total,
    }
}

/// One package as `user` may see it.
pub async fn show(
    db: &impl ConnectionTrait,
    user: &users::Model,
    id: i64,
) -> Result<PackageDetail, AppError> {
    let (package, access) = find_visible(db, user, id).await?;
    views::detail(db, user, package, access).await
}

/// Deletes a package with its recipients and files, for its sender or an admin; a recipient is
/// told they may not.
#[tracing::instrument(skip_all, fields(package.id = id, user.id = user.id))]
pub async fn delete(
    db: &DatabaseConnection,
    node: &dyn TransferNode,
    user: &users::Model,
    id: i64,
) -> Result<(), AppError> {
    // Checked before the transaction: on SQLite a read-then-write transaction can fail to upgrade its
    // snapshot under a concurrent writer, and the deletes below are harmless if the row went meanwhile.
    let (package, access) = find_visible(db, user, id).await?;
    if !access.may_delete() {
        return Err(AppError::Forbidden(
            "Only the sender or an admin can delete a package.".into(),
        ));
    }
    let txn = db.begin().await?;
    // Published bytes: complete files, deleted ones whose bytes are not removed yet, and pending
    // ones (a completion cut short may have published one without recording it).
    let stored: Vec<String> = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package.id))
        .filter(package_files::Column::PurgedAt.is_null())
        .all(&txn)
        .await?
        .into_iter()
        .map(|file| file.storage_key)
        .collect();
    // Upload bytes still on the node: those of unfinished uploads, and any a crash kept after
    // completion. Their rows go with the files (cascade), so they are removed here, after commit.
    let file_ids = Query::select()
        .column(package_files::Column::Id)
        .from(package_files::Entity)
        .and_where(package_files::Column::PackageId.eq(package.id))
        .to_owned();
    let upload_ids: Vec<String> = uploads::Entity::find()
        .select_only()
        .column(uploads::Column::Id)
        .filter(uploads::Column::FileId.in_subquery(file_ids))
        .filter(uploads::Column::BytesRemovedAt.is_null())
        .into_tuple()
        .all(&txn)
        .await?;
    package_files::Entity::delete_many()
        .filter(package_files::Column::PackageId.eq(package.id))
        .exec(&txn)
        .await?;
    package_recipients::Entity::delete_many()
        .filter(package_recipients::Column::PackageId.eq(package.id))
        .exec(&txn)
        .await?;
    packages::Entity::delete_by_id(package.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    // The bytes go after the rows, so no row ever points at missing bytes.
    crate::storage::delete_unreferenced(node, stored, "package deleted").await;
    for id in upload_ids {
        // What stays (the node is down) is reclaimed once idle, as bytes no row refers to.
        if let Err(error) = node.discard_upload(&id).await {
            tracing::warn!(upload.id = %id, %error, "a deleted package's upload bytes stay for now");
        }
    }
    tracing::info!(by = ?access, "package deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_senders_and_admins_delete_or_see_recipient_status() {
        for access in [Access::Sender, Access::Admin] {
            assert!(access.may_delete() && access.sees_recipient_status());
        }
        assert!(!Access::Recipient.may_delete());
        assert!(!Access::Recipient.sees_recipient_status());
    }
}
