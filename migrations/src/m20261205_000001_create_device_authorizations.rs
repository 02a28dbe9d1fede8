//! Device sign-in (`ferry-desktop login`, RFC 8628): one row per code handed to a device. Only the
//! SHA-256 of the device code and of the user code are kept, like API tokens; the API token an
//! approval gives is made when the device collects it, so no secret is ever stored.

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
                    .table(DeviceAuthorizations::Table)
                    .if_not_exists()
                    .col(big_pk_auto(DeviceAuthorizations::Id))
                    .col(string_len_uniq(DeviceAuthorizations::DeviceCodeHash, 64))
                    .col(string_len_uniq(DeviceAuthorizations::UserCodeHash, 64))
                    .col(string_len(DeviceAuthorizations::DeviceName, 100))
                    .col(string_len(DeviceAuthorizations::State, 16))
                    .col(integer(DeviceAuthorizations::IntervalSecs))
                    .col(timestamp_with_time_zone(DeviceAuthorizations::CreatedAt))
                    .col(timestamp_with_time_zone(DeviceAuthorizations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        DeviceAuthorizations::LastPolledAt,
                    ))
                    .col(big_integer_null(DeviceAuthorizations::UserId))
                    .col(timestamp_with_time_zone_null(
                        DeviceAuthorizations::DecidedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        DeviceAuthorizations::RedeemedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_device_authorizations_user")
                            .from(DeviceAuthorizations::Table, DeviceAuthorizations::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_device_authorizations_expires_at")
                    .table(DeviceAuthorizations::Table)
                    .col(DeviceAuthorizations::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeviceAuthorizations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DeviceAuthorizations {
    Table,
    Id,
    DeviceCodeHash,
    UserCodeHash,
    DeviceName,
    State,
    IntervalSecs,
    CreatedAt,
    ExpiresAt,
    LastPolledAt,
    UserId,
    DecidedAt,
    RedeemedAt,
}
