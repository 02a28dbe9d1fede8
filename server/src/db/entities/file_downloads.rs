//! A file a user has received every byte of (over one download or several). Its primary key makes
//! recording it idempotent: whichever instance sees the ranges cover the file first inserts it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "file_downloads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub file_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// The file's package.
    pub package_id: i64,
    /// When the last missing byte was delivered.
    pub completed_at: ChronoDateTimeUtc,
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
