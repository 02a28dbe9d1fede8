//! A package: title, note, expiration policy and state. Recipients and files are rows of their own.

use sea_orm::entity::prelude::*;

/// A package is a draft until its last file is complete, then sent (visible to recipients).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum State {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "sent")]
    Sent,
}

impl From<State> for app::types::PackageState {
    fn from(state: State) -> Self {
        match state {
            State::Draft => Self::Draft,
            State::Sent => Self::Sent,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "packages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sender_id: i64,
    pub title: String,
    pub note: String,
    pub state: State,
    /// See [`crate::db::expiration`].
    pub expiration_kind: crate::db::expiration::Kind,
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
    pub fn is_sent(&self) -> bool {
        self.state == State::Sent
    }
}
