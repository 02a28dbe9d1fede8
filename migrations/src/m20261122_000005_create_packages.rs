//! Packages, their recipients and their files.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Packages::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Packages::Id))
                    .col(big_integer(Packages::SenderId))
                    .col(text(Packages::Title))
                    .col(text(Packages::Note))
                    .col(string_len(Packages::State, 16))
                    .col(string_len(Packages::ExpirationKind, 40))
                    .col(integer_null(Packages::ExpirationDays))
                    .col(timestamp_with_time_zone(Packages::CreatedAt))
                    .col(timestamp_with_time_zone_null(Packages::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_packages_sender")
                            .from(Packages::Table, Packages::SenderId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_packages_sender_created")
                    .table(Packages::Table)
                    .col(Packages::SenderId)
                    .col(Packages::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PackageRecipients::Table)
                    .if_not_exists()
                    .col(big_integer(PackageRecipients::PackageId))
                    .col(big_integer(PackageRecipients::UserId))
                    .col(timestamp_with_time_zone(PackageRecipients::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PackageRecipients::PackageId)
                            .col(PackageRecipients::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_package_recipients_package")
                            .from(PackageRecipients::Table, PackageRecipients::PackageId)
                            .to(Packages::Table, Packages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_package_recipients_user")
                            .from(PackageRecipients::Table, PackageRecipients::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_package_recipients_user")
                    .table(PackageRecipients::Table)
                    .col(PackageRecipients::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PackageFiles::Table)
                    .if_not_exists()
                    .col(big_pk_auto(PackageFiles::Id))
                    .col(big_integer(PackageFiles::PackageId))
                    .col(text(PackageFiles::Name))
                    .col(big_integer(PackageFiles::Size))
                    .col(string_len(PackageFiles::State, 16).default("pending"))
                    .col(string_len_uniq(PackageFiles::StorageKey, 64))
                    .col(string_len_null(PackageFiles::Sha256, 64))
                    .col(timestamp_with_time_zone(PackageFiles::CreatedAt))
                    .col(timestamp_with_time_zone_null(PackageFiles::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_package_files_package")
                            .from(PackageFiles::Table, PackageFiles::PackageId)
                            .to(Packages::Table, Packages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_package_files_package")
                    .table(PackageFiles::Table)
                    .col(PackageFiles::PackageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PackageFiles::Table.into_iden(),
            PackageRecipients::Table.into_iden(),
            Packages::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Packages {
    Table,
    Id,
    SenderId,
    Title,
    Note,
    State,
    ExpirationKind,
    ExpirationDays,
    CreatedAt,
    SentAt,
    /// Added by `m20261122_000009_track_downloads`.
    FilesDeletedAt,
}

#[derive(DeriveIden)]
enum PackageRecipients {
    Table,
    PackageId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum PackageFiles {
    Table,
    Id,
    PackageId,
    Name,
    Size,
    State,
    StorageKey,
    Sha256,
    CreatedAt,
    CompletedAt,
    /// Added by `m20261122_000009_track_downloads`.
    DeletedAt,
    PurgedAt,
}
