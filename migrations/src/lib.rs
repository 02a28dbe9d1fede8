//! Ferry's schema, written with sea-query so the same migrations run on SQLite and PostgreSQL.
//! The server applies them at start-up; files are named `mYYYYMMDD_HHMMSS_verb_noun.rs`.
#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_users;
mod m20261122_000002_create_sessions;
mod m20261122_000003_create_api_tokens;
mod m20261122_000004_create_settings;
mod m20261122_000005_create_packages;
mod m20261122_000006_create_login_throttle;
mod m20261122_000007_create_uploads;
mod m20261122_000008_add_upload_metadata;
mod m20261122_000009_track_downloads;
mod m20261122_000010_create_notifications;
mod m20261122_000012_create_leases;
mod m20261204_000001_add_directory_email_lookup;
mod m20261204_000002_add_api_token_expiry;
mod m20261204_000003_add_user_storage_quota;
mod m20261204_160000_add_upload_bytes_removed;
mod m20261205_000001_create_device_authorizations;
mod m20261205_000002_add_package_file_path;
mod m20261205_000003_add_desktop_limits;
mod m20261206_000001_add_package_file_crc32;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_sessions::Migration),
            Box::new(m20261122_000003_create_api_tokens::Migration),
            Box::new(m20261122_000004_create_settings::Migration),
            Box::new(m20261122_000005_create_packages::Migration),
            Box::new(m20261122_000006_create_login_throttle::Migration),
            Box::new(m20261122_000007_create_uploads::Migration),
            Box::new(m20261122_000008_add_upload_metadata::Migration),
            Box::new(m20261122_000009_track_downloads::Migration),
            Box::new(m20261122_000010_create_notifications::Migration),
            Box::new(m20261122_000012_create_leases::Migration),
            Box::new(m20261204_000001_add_directory_email_lookup::Migration),
            Box::new(m20261204_000002_add_api_token_expiry::Migration),
            Box::new(m20261204_000003_add_user_storage_quota::Migration),
            Box::new(m20261204_160000_add_upload_bytes_removed::Migration),
            Box::new(m20261205_000001_create_device_authorizations::Migration),
            Box::new(m20261205_000002_add_package_file_path::Migration),
            Box::new(m20261205_000003_add_desktop_limits::Migration),
            Box::new(m20261206_000001_add_package_file_crc32::Migration),
        ]
    }
}
