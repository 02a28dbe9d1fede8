//! In-app notifications: recording an event (in the caller's transaction, with its email in the
//! outbox when the user wants one), listing them, the bell's unread count, and marking them read.
//!
//! Events: a package was sent to you ([`package_sent`]); a recipient downloaded every file of your
//! package ([`package_downloaded`]); your package's files were deleted by expiry
//! ([`files_expired`], in the app only).

use app::types::{Notification, NotificationKind, NotificationPage, PageQuery};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::{
    config::MailConfig,
    db::entities::{notifications, package_recipients, packages, users},
    error::AppError,
    services::mail,
};

/// One event for one user, as recorded.
struct Event<'a> {
    kind: NotificationKind,
    package: &'a packages::Model,
    actor_name: &'a str,
}

/// Records `event` for `user` and, when `mail` is configured and `wants_email`, queues its email.
async fn record(
    txn: &impl ConnectionTrait,
    mail: Option<&MailConfig>,
    user: &users::Model,
    event: Event<'_>,
    wants_email: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = notifications::ActiveModel {
        user_id: Set(user.id),
        kind: Set(event.kind.as_str().to_owned()),
        package_id: Set(Some(event.package.id)),
        package_title: Set(event.package.title.clone()),
        actor_name: Set(event.actor_name.to_owned()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if let Some(config) = mail
        && wants_email
        && !user.disabled
    {
        mail::outbox::enqueue(txn, config, user, &row, now).await?;
    }
    Ok(())
}

/// A package was just sent (call in the sending transaction): each recipient is told.
pub async fn package_sent(
    txn: &impl ConnectionTrait,
    mail: Option<&MailConfig>,
    package_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(package) = packages::Entity::find_by_id(package_id).one(txn).await? else {
        return Ok(());
    };
    let sender = users::Entity::find_by_id(package.sender_id)
        .one(txn)
        .await?;
    let sender_name = sender.map(|s| s.display_name).unwrap_or_default();
    let recipient_ids = package_recipients::Entity::find()
        .select_only()
        .column(package_recipients::Column::UserId)
        .filter(package_recipients::Column::PackageId.eq(package_id));
    let recipients = users::Entity::find()
        .filter(users::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(recipient_ids)))
        .order_by_asc(users::Column::Id)
        .all(txn)
        .await?;
    for recipient in &recipients {
        let event = Event {
            kind: NotificationKind::PackageReceived,
            package: &package,
            actor_name: &sender_name,
        };
        record(txn, mail, recipient, event, recipient.email_on_receive, now).await?;
    }
    Ok(())
}

/// Recipient `recipient_id` now has every file of package `package_id` (call in the transaction
/// that recorded the last file): the sender is told.
pub async fn package_downloaded(
    txn: &impl ConnectionTrait,
    mail: Option<&MailConfig>,
    package_id: i64,
    recipient_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(package) = packages::Entity::find_by_id(package_id).one(txn).await? else {
        return Ok(());
    };
    let Some(sender) = users::Entity::find_by_id(package.sender_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let recipient = users::Entity::find_by_id(recipient_id).one(txn).await?;
    let recipient_name = recipient.map(|r| r.display_name).unwrap_or_default();
    let event = Event {
        kind: NotificationKind::PackageDownloaded,
        package: &package,
        actor_name: &recipient_name,
    };
    record(txn, mail, &sender, event, sender.email_on_download, now).await
}

/// Package `package_id`'s files were deleted by its expiration policy (call in the transaction that
/// marked them): the sender is told, in the app only.
pub async fn files_expired(
    txn: &impl ConnectionTrait,
    package_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(package) = packages::Entity::find_by_id(package_id).one(txn).await? else {
        return Ok(());
    };
    let Some(sender) = users::Entity::find_by_id(package.sender_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let event = Event {
        kind: NotificationKind::FilesExpired,
        package: &package,
        actor_name: "",
    };
    record(txn, None, &sender, event, false, now).await
}

fn to_dto(row: notifications::Model) -> Option<Notification> {
    Some(Notification {
        id: row.id,
        kind: NotificationKind::parse(&row.kind)?,
        package_id: row.package_id,
        package_title: row.package_title,
        actor_name: row.actor_name,
        created_at: row.created_at,
        read_at: row.read_at,
    })
}

/// How many of `user_id`'s notifications are unread: one count over the (user, read_at) index.
pub async fn unread(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(db)
        .await
}

/// A page of `user_id`'s notifications, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
    query: PageQuery,
) -> Result<NotificationPage, AppError> {
    query.check().map_err(AppError::BadRequest)?;
    let mine = notifications::Entity::find().filter(notifications::Column::UserId.eq(user_id));
    let total = mine.clone().count(db).await?;
    let rows = mine
        .order_by_desc(notifications::Column::CreatedAt)
        .order_by_desc(notifications::Column::Id)
        .offset(u64::from(query.page - 1) * u64::from(query.per_page))
        .limit(u64::from(query.per_page))
        .all(db)
        .await?;
    Ok(NotificationPage {
        items: rows.into_iter().filter_map(to_dto).collect(),
        page: query.page,
        per_page: query.per_page,
        total,
        unread: unread(db, user_id).await?,
    })
}

/// Marks one of `user_id`'s notifications read (again is fine); someone else's is not found.
pub async fn mark_read(db: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<(), AppError> {
    let mine = notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if mine.read_at.is_none() {
        notifications::Entity::update_many()
            .col_expr(notifications::Column::ReadAt, Expr::value(Utc::now()))
            .filter(notifications::Column::Id.eq(id))
            .filter(notifications::Column::ReadAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Marks every unread notification of `user_id` read.
pub async fn mark_all_read(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
