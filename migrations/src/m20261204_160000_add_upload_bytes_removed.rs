//! Records when an upload's bytes were removed from the transfer node. Removing them is the last
//! step of completing a file, and a crash can come before it; the upload rows stay (so `HEAD` still
//! answers a client resuming a finished upload), so this column is what housekeeping reads to find
//! the bytes still to remove: every upload of a complete or deleted file with no date here.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Left empty on existing rows: the first housekeeping pass removes (or finds gone) their
        // bytes and fills it in, which also clears what earlier versions left behind.
        manager
            .alter_table(
                Table::alter()
                    .table(Uploads::Table)
                    .add_column(timestamp_with_time_zone_null(Uploads::BytesRemovedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_uploads_bytes_removed")
                    .table(Uploads::Table)
                    .col(Uploads::BytesRemovedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_uploads_bytes_removed")
                    .table(Uploads::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Uploads::Table)
                    .drop_column(Uploads::BytesRemovedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Uploads {
    Table,
    BytesRemovedAt,
}
