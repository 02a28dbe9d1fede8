//! An account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// `admin` or `user` (see [`app::types::Role`]).
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    /// The "Disable desktop client" preference.
    pub desktop_client_disabled: bool,
    /// "Email me when a package arrives".
    pub email_on_receive: bool,
    /// "Email me when my package is downloaded".
    pub email_on_download: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sessions::Entity")]
    Sessions,
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

pub const ROLE_ADMIN: &str = "admin";
pub const ROLE_USER: &str = "user";

impl Model {
    pub fn role(&self) -> app::types::Role {
        if self.role == ROLE_ADMIN {
            app::types::Role::Admin
        } else {
            app::types::Role::User
        }
    }
}

/// The database spelling of a role.
pub fn role_name(role: app::types::Role) -> &'static str {
    match role {
        app::types::Role::Admin => ROLE_ADMIN,
        app::types::Role::User => ROLE_USER,
    }
}
