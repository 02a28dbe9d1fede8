//! Admin settings: a single row (id 1). Absent means the built-in defaults.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .if_not_exists()
                    .col(integer(Settings::Id).primary_key())
                    .col(boolean(Settings::GatewayEnabled))
                    .col(integer(Settings::MaxFilesPerPackage))
                    .col(boolean(Settings::UsersMayChangeDesktopClient))
                    .col(string_len(Settings::DefaultExpirationKind, 40))
                    .col(integer_null(Settings::DefaultExpirationDays))
                    .col(timestamp_with_time_zone(Settings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Settings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Id,
    GatewayEnabled,
    MaxFilesPerPackage,
    UsersMayChangeDesktopClient,
    DefaultExpirationKind,
    DefaultExpirationDays,
    UpdatedAt,
}
