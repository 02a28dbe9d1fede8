//! Downloads and expiration. Each delivered byte range of a file to a user is a row of its own
//! (`download_ranges`, insert-only, so several gateway instances recording at once never lose one);
//! once a user's ranges cover a whole file, one `file_downloads` row says so (its primary key makes
//! recording it idempotent). A package whose files were deleted (expiration or an admin) keeps its
//! rows, with `files_deleted_at`; each file keeps its row too, `deleted_at` when it was marked and
//! `purged_at` once its bytes are gone from the transfer node.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261122_000001_create_users::Users,
    m20261122_000005_create_packages::{PackageFiles, Packages},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DownloadRanges::Table)
                    .if_not_exists()
                    .col(big_pk_auto(DownloadRanges::Id))
                    .col(big_integer(DownloadRanges::PackageId))
                    .col(big_integer(DownloadRanges::FileId))
                    .col(big_integer(DownloadRanges::UserId))
                    .col(big_integer(DownloadRanges::RangeStart))
                    .col(big_integer(DownloadRanges::RangeEnd))
                    .col(timestamp_with_time_zone(DownloadRanges::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_download_ranges_file")
                            .from(DownloadRanges::Table, DownloadRanges::FileId)
                            .to(PackageFiles::Table, PackageFiles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_download_ranges_user")
                            .from(DownloadRanges::Table, DownloadRanges::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, first) in [
            ("idx_download_ranges_file_user", DownloadRanges::FileId),
            (
                "idx_download_ranges_package_user",
                DownloadRanges::PackageId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(DownloadRanges::Table)
                        .col(first)
                        .col(DownloadRanges::UserId)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(FileDownloads::Table)
                    .if_not_exists()
                    .col(big_integer(FileDownloads::FileId))
                    .col(big_integer(FileDownloads::UserId))
                    .col(big_integer(FileDownloads::PackageId))
                    .col(timestamp_with_time_zone(FileDownloads::CompletedAt))
                    .primary_key(
                        Index::create()
                            .col(FileDownloads::FileId)
                            .col(FileDownloads::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_file_downloads_file")
                            .from(FileDownloads::Table, FileDownloads::FileId)
                            .to(PackageFiles::Table, PackageFiles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_file_downloads_user")
                            .from(FileDownloads::Table, FileDownloads::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_file_downloads_package_user")
                    .table(FileDownloads::Table)
                    .col(FileDownloads::PackageId)
                    .col(FileDownloads::UserId)
                    .to_owned(),
            )
            .await?;

        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Packages::Table)
                    .add_column(timestamp_with_time_zone_null(Packages::FilesDeletedAt))
                    .to_owned(),
            )
            .await?;
        for column in [PackageFiles::DeletedAt, PackageFiles::PurgedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PackageFiles::Table)
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [PackageFiles::PurgedAt, PackageFiles::DeletedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PackageFiles::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Packages::Table)
                    .drop_column(Packages::FilesDeletedAt)
                    .to_owned(),
            )
            .await?;
        for table in [
            FileDownloads::Table.into_iden(),
            DownloadRanges::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum DownloadRanges {
    Table,
    Id,
    PackageId,
    FileId,
    UserId,
    /// First byte delivered.
    RangeStart,
    /// One past the last byte delivered.
    RangeEnd,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FileDownloads {
    Table,
    FileId,
    UserId,
    PackageId,
    CompletedAt,
}
