//! `AppState`: what every handler may reach. Cheap to clone.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{config::Config, transfer::token::TransferKeys};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Signs and verifies transfer tokens.
    pub transfer_keys: Arc<TransferKeys>,
}

impl AppState {
    /// Builds the state, loading (or creating) the transfer-token key.
    pub fn new(db: DatabaseConnection, config: Config) -> anyhow::Result<Self> {
        let keys = TransferKeys::load(
            config.token_secret.as_ref().map(|s| s.expose()),
            &config.data_dir,
        )?;
        Ok(Self {
            db,
            config: Arc::new(config),
            transfer_keys: Arc::new(keys),
        })
    }
}
