//! The database: connecting (SQLite in WAL mode, or PostgreSQL), migrating, and the entities.

pub mod entities;
pub mod expiration;

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

/// Connects to `url` and applies every pending migration.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // WAL lets readers run beside the writer; FULL sync keeps every acknowledged commit on disk.
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    let db = Database::connect(options)
        .await
        .with_context(|| format!("cannot open the database ({})", redact_url(url)))?;
    Migrator::up(&db, None)
        .await
        .context("applying database migrations failed")?;
    Ok(db)
}

/// The URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
