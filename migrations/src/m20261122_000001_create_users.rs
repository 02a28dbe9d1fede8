//! Accounts: who can sign in, and whether they are an admin.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Users::Id))
                    .col(string_len_uniq(Users::Username, 64))
                    .col(string_len(Users::DisplayName, 128))
                    .col(string_len_null(Users::Email, 254))
                    .col(string_len(Users::Role, 16))
                    .col(string(Users::PasswordHash))
                    .col(boolean(Users::Disabled).default(false))
                    .col(boolean(Users::DesktopClientDisabled).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    Email,
    Role,
    PasswordHash,
    Disabled,
    DesktopClientDisabled,
    CreatedAt,
    UpdatedAt,
}
