//! One in-app notification of one user: a package arrived, a recipient downloaded all of a package's
//! files, or a package's files expired. The title and the other person's name are copied in, so the
//! notification still reads right after the package is deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Whom it is for.
    pub user_id: i64,
    /// `package_received`, `package_downloaded` or `files_expired` (see [`app::types::NotificationKind`]).
    pub kind: String,
    pub package_id: Option<i64>,
    pub package_title: String,
    /// The sender (received), the recipient (downloaded), or empty (expired).
    pub actor_name: String,
    pub created_at: ChronoDateTimeUtc,
    pub read_at: Option<ChronoDateTimeUtc>,
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

impl ActiveModelBehavior for ActiveModel {}
