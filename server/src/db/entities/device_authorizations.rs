//! A code handed to a device signing in (RFC 8628). Only hashes of its two codes are stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "device_authorizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the device's polling secret.
    #[sea_orm(unique)]
    pub device_code_hash: String,
    /// SHA-256 of the normalized user code (`ABCDEFGH`).
    #[sea_orm(unique)]
    pub user_code_hash: String,
    pub device_name: String,
    pub state: State,
    /// Seconds the device must wait between polls; grows by 5 on each `slow_down`.
    pub interval_secs: i32,
    pub created_at: ChronoDateTimeUtc,
    pub expires_at: ChronoDateTimeUtc,
    pub last_polled_at: Option<ChronoDateTimeUtc>,
    /// Who approved or denied it.
    pub user_id: Option<i64>,
    pub decided_at: Option<ChronoDateTimeUtc>,
    /// When the device collected its token (it gets one at most once).
    pub redeemed_at: Option<ChronoDateTimeUtc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum State {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "denied")]
    Denied,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
