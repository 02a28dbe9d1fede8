//! The admin setting that lets the user directory find a person by their exact, full email
//! address (off by default: addresses are never shown, and a search must not confirm them).

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
                    .add_column(boolean(Settings::DirectoryExactEmail).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Settings::Table)
                    .drop_column(Settings::DirectoryExactEmail)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    DirectoryExactEmail,
}
