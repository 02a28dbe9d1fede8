//! A lease held by one instance (see the `create_leases` migration and `services::uploads::locks`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leases")]
pub struct Model {
    /// What is leased, e.g. `upload:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// `<instance>:<random>`: the process that holds it, and which of its locks.
    pub holder: String,
    pub expires_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
