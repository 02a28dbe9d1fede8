//! The admin setting that bounds what one user may keep stored (files of their packages and their
//! uploads in progress), in bytes; null (the default) means no bound.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Settings::Table)
                    .add_column(big_integer_null(Settings::UserQuotaBytes))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Settings::Table)
                    .drop_column(Settings::UserQuotaBytes)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    UserQuotaBytes,
}
