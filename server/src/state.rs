//! `AppState`: what every handler may reach. Cheap to clone.

use std::sync::Arc;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    services::{downloads::DeliveryRecords, uploads::UploadLocks},
    storage::{TransferNode, local::LocalNode},
    transfer::token::TransferKeys,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Signs and verifies transfer tokens.
    pub transfer_keys: Arc<TransferKeys>,
    /// Where package files live (the local-disk node under `<data dir>/storage`).
    pub node: Arc<dyn TransferNode>,
    /// Which uploads (and files) a request of this process is writing right now.
    pub upload_locks: UploadLocks,
    /// Download records still being written (a body that ended or was dropped).
    pub download_records: DeliveryRecords,
}

impl AppState {
    /// Builds the state, loading (or creating) the transfer-token key and the storage directories.
    pub fn new(db: DatabaseConnection, config: Config) -> anyhow::Result<Self> {
        let keys = TransferKeys::load(
            config.token_secret.as_ref().map(|s| s.expose()),
            &config.data_dir,
        )?;
        let storage = config.data_dir.join("storage");
        let node = LocalNode::open(&storage).with_context(|| {
            format!(
                "invalid setting data_dir (env FERRY_DATA_DIR): cannot create {}",
                storage.display()
            )
        })?;
        Ok(Self {
            db,
            config: Arc::new(config),
            transfer_keys: Arc::new(keys),
            node: Arc::new(node),
            upload_locks: UploadLocks::default(),
            download_records: DeliveryRecords::default(),
        })
    }
}
