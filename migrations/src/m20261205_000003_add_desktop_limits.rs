//! The desktop client's limits beside the browser's: files per package (default 10,000) and bytes
//! per package (null, the default: no bound).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Settings::Table)
                    .add_column(integer(Settings::DesktopMaxFilesPerPackage).default(10_000))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Settings::Table)
                    .add_column(big_integer_null(Settings::DesktopMaxPackageBytes))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Settings::DesktopMaxFilesPerPackage,
            Settings::DesktopMaxPackageBytes,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Settings::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    DesktopMaxFilesPerPackage,
    DesktopMaxPackageBytes,
}
