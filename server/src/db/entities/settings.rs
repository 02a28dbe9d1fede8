//! The admin settings row (id 1).

use sea_orm::entity::prelude::*;

/// The only row's id.
pub const ROW_ID: i32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub gateway_enabled: bool,
    pub max_files_per_package: i32,
    pub users_may_change_desktop_client: bool,
    pub default_expiration_kind: crate::db::expiration::Kind,
    pub default_expiration_days: Option<i32>,
    pub directory_exact_email: bool,
    pub user_quota_bytes: Option<i64>,
    pub desktop_max_files_per_package: i32,
    pub desktop_max_package_bytes: Option<i64>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
