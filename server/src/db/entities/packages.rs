//! A package: title, note, expiration policy and state. Recipients and files are rows of their own.

use sea_orm::entity::prelude::*;

pub const STATE_DRAFT: &str = "draft";
pub const STATE_SENT: &str = "sent";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "packages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sender_id: i64,
    pub title: String,
    pub note: String,
    /// `draft` or `sent`.
    pub state: String,
    /// See [`crate::db::expiration`].
    pub expiration_kind: String,
    pub expiration_days: Option<i32>,
    pub created_at: ChronoDateTimeUtc,
    pub sent_at: Option<ChronoDateTimeUtc>,
    /// When the files were deleted (expiration policy or an admin); the package stays listed.
    pub files_deleted_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::SenderId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    Sender,
    #[sea_orm(has_many = "super::package_recipients::Entity")]
    Recipients,
    #[sea_orm(has_many = "super::package_files::Entity")]
    Files,
}

impl Related<super::package_recipients::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Recipients.def()
    }
}

impl Related<super::package_files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Files.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn state(&self) -> app::types::PackageState {
        if self.state == STATE_SENT {
            app::types::PackageState::Sent
        } else {
            app::types::PackageState::Draft
        }
    }

    pub fn is_sent(&self) -> bool {
        self.state == STATE_SENT
    }
}
