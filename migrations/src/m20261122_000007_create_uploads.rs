//! tus uploads in progress: each belongs to one declared file of a package. A file is uploaded as
//! one `single` upload, or as several `partial` uploads joined by a `final` one (tus concatenation).
//! `offset` only ever holds bytes the transfer node has made durable.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000005_create_packages::PackageFiles;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Uploads::Table)
                    .if_not_exists()
                    .col(string_len(Uploads::Id, 32).primary_key())
                    .col(big_integer(Uploads::FileId))
                    .col(string_len(Uploads::Kind, 16))
                    .col(big_integer(Uploads::Length))
                    .col(big_integer(Uploads::Offset).default(0))
                    .col(text_null(Uploads::ConcatParts))
                    .col(timestamp_with_time_zone(Uploads::CreatedAt))
                    .col(timestamp_with_time_zone(Uploads::UpdatedAt))
                    .col(timestamp_with_time_zone(Uploads::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Uploads::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_uploads_file")
                            .from(Uploads::Table, Uploads::FileId)
                            .to(PackageFiles::Table, PackageFiles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_uploads_file")
                    .table(Uploads::Table)
                    .col(Uploads::FileId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_uploads_expires")
                    .table(Uploads::Table)
                    .col(Uploads::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Uploads::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Uploads {
    Table,
    Id,
    FileId,
    Kind,
    Length,
    Offset,
    ConcatParts,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    CompletedAt,
}
