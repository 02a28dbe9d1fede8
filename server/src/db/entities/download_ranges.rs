//! One byte range of a file delivered to a user by one download response. Insert-only: concurrent
//! downloads (several instances) each add their own row, so none is lost.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "download_ranges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The file's package (kept here so a page of packages reads its progress in one query).
    pub package_id: i64,
    pub file_id: i64,
    pub user_id: i64,
    /// First byte delivered.
    pub range_start: i64,
    /// One past the last byte delivered.
    pub range_end: i64,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::package_files::Entity",
        from = "Column::FileId",
        to = "super::package_files::Column::Id",
        on_delete = "Cascade"
    )]
    File,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl ActiveModelBehavior for ActiveModel {}
