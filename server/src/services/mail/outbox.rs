//! Writing emails to the outbox (inside the event's transaction) and the admins' view of it.

use app::types::{OutboxMail, OutboxReport};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::render::{About, one_line, render};
use crate::{
    config::MailConfig,
    db::entities::{mail_outbox, notifications, users},
};

/// Undelivered mails an admin sees at most.
const REPORT_LIMIT: u64 = 50;

/// Renders the email of `notification` for `user` and queues it, unless the user has no address.
pub async fn enqueue(
    txn: &impl ConnectionTrait,
    config: &MailConfig,
    user: &users::Model,
    notification: &notifications::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(address) = user
        .email
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    else {
        return Ok(());
    };
    let Some(kind) = app::types::NotificationKind::parse(&notification.kind) else {
        return Ok(());
    };
    let Some(package_id) = notification.package_id else {
        return Ok(());
    };
    let rendered = render(
        config,
        &About {
            kind,
            package_id,
            package_title: &notification.package_title,
            actor_name: &notification.actor_name,
            to_name: &user.display_name,
        },
    );
    mail_outbox::ActiveModel {
        notification_id: Set(Some(notification.id)),
        to_address: Set(address.to_owned()),
        to_name: Set(one_line(&user.display_name)),
        subject: Set(rendered.subject),
        text_body: Set(rendered.text),
        html_body: Set(rendered.html),
        state: Set(mail_outbox::State::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        claim_token: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// How many mails are pending or failed, and the most recent of them.
pub async fn report(db: &impl ConnectionTrait, email_enabled: bool) -> Result<OutboxReport, DbErr> {
    let count = |state: mail_outbox::State| {
        mail_outbox::Entity::find()
            .filter(mail_outbox::Column::State.eq(state))
            .count(db)
    };
    let pending = count(mail_outbox::State::Pending).await?;
    let failed = count(mail_outbox::State::Failed).await?;
    let rows = mail_outbox::Entity::find()
        .filter(
            mail_outbox::Column::State
                .is_in([mail_outbox::State::Pending, mail_outbox::State::Failed]),
        )
        .order_by_desc(mail_outbox::Column::CreatedAt)
        .order_by_desc(mail_outbox::Column::Id)
        .limit(REPORT_LIMIT)
        .all(db)
        .await?;
    Ok(OutboxReport {
        email_enabled,
        pending,
        failed,
        items: rows
            .into_iter()
            .map(|row| OutboxMail {
                id: row.id,
                to_address: row.to_address,
                subject: row.subject,
                state: row.state.to_value(),
                attempts: u32::try_from(row.attempts).unwrap_or_default(),
                last_error: row.last_error,
                next_attempt_at: row.next_attempt_at,
                created_at: row.created_at,
            })
            .collect(),
    })
}
