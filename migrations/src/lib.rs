//! Ferry's schema, written with sea-query so the same migrations run on SQLite and PostgreSQL.
//! The server applies them at start-up; files are named `mYYYYMMDD_HHMMSS_verb_noun.rs`.
#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_users;
mod m20261122_000002_create_sessions;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_sessions::Migration),
        ]
    }
}
