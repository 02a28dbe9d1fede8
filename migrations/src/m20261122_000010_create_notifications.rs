//! Notifications: in-app events per user (`notifications`, read or unread) and the mail outbox
//! (`mail_outbox`), written in the same transaction as what caused them. Each outbox row holds a
//! rendered message; a sender worker claims it with a lease (`claimed_until`, `claim_token`), so
//! several instances never send one twice, and retries it with backoff (`attempts`,
//! `next_attempt_at`, `last_error`). Two per-user preferences say which events are also emailed.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            boolean(UsersPreferences::EmailOnReceive).default(true),
            boolean(UsersPreferences::EmailOnDownload).default(false),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Notifications::Id))
                    .col(big_integer(Notifications::UserId))
                    .col(string_len(Notifications::Kind, 32))
                    // No foreign key: the notification outlives a deleted package (its title is kept).
                    .col(big_integer_null(Notifications::PackageId))
                    .col(string(Notifications::PackageTitle))
                    .col(string_len(Notifications::ActorName, 128))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_user")
                            .from(Notifications::Table, Notifications::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The bell's unread count and the list are both one index range.
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_user_read")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::ReadAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MailOutbox::Id))
                    .col(big_integer_null(MailOutbox::NotificationId))
                    .col(string_len(MailOutbox::ToAddress, 254))
                    .col(string_len(MailOutbox::ToName, 128))
                    .col(string(MailOutbox::Subject))
                    .col(text(MailOutbox::TextBody))
                    .col(text(MailOutbox::HtmlBody))
                    .col(string_len(MailOutbox::State, 16))
                    .col(integer(MailOutbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::ClaimedUntil))
                    .col(string_len_null(MailOutbox::ClaimToken, 64))
                    .col(text_null(MailOutbox::LastError))
                    .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_outbox_state_next")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::State)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Notifications::Table).to_owned())
            .await?;
        for column in [
            UsersPreferences::EmailOnDownload,
            UsersPreferences::EmailOnReceive,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum UsersPreferences {
    EmailOnReceive,
    EmailOnDownload,
}

#[derive(DeriveIden)]
pub enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    PackageId,
    PackageTitle,
    ActorName,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
pub enum MailOutbox {
    Table,
    Id,
    NotificationId,
    ToAddress,
    ToName,
    Subject,
    TextBody,
    HtmlBody,
    State,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    ClaimToken,
    LastError,
    CreatedAt,
    SentAt,
}
