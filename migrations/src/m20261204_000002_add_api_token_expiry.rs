//! API tokens expire: `expires_at` (null: never, only when a user chose so). Tokens made before this
//! migration, which had no expiry, get the default lifetime of 90 days from now.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Days a token made before expiry existed still works.
const GRACE_DAYS: i64 = 90;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .add_column(timestamp_with_time_zone_null(ApiTokens::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        let until = chrono::Utc::now() + chrono::TimeDelta::days(GRACE_DAYS);
        manager
            .exec_stmt(
                Query::update()
                    .table(ApiTokens::Table)
                    .value(ApiTokens::ExpiresAt, until)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .drop_column(ApiTokens::ExpiresAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    ExpiresAt,
}
