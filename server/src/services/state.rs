//! `AppState`: what every handler may reach. Cheap to clone.

use std::sync::Arc;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use super::{desktop_client::DesktopClient, downloads::DeliveryRecords, uploads::UploadLocks};
use crate::{
    config::Config,
    instance::InstanceId,
    storage::{self, TransferNode, http::HttpNode},
    transfer::token::TransferKeys,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Signs and verifies transfer tokens.
    pub transfer_keys: Arc<TransferKeys>,
    /// Where package files live: the local-disk node under `<data dir>/storage`, an S3-compatible
    /// bucket (`storage = "s3"`), or a separate `ferry node` reached over HTTP (`node_url`).
    pub node: Arc<dyn TransferNode>,
    /// Which uploads (and files) a request of this process is writing right now.
    pub upload_locks: UploadLocks,
    /// Download records still being written (a body that ended or was dropped).
    pub download_records: DeliveryRecords,
    /// The `ferry-desktop` binary offered for download, if there is one.
    pub desktop_client: DesktopClient,
}

impl AppState {
    /// Builds the state, loading (or creating) the transfer-token key and the transfer node, and
    /// claiming the data dir's instance id for as long as the state lives.
    pub fn new(db: DatabaseConnection, config: Config) -> anyhow::Result<Self> {
        let keys = TransferKeys::load(
            config.token_secret.as_ref().map(|s| s.expose()),
            &config.data_dir,
        )?;
        let node = open_node(&config)?;
        Ok(Self {
            desktop_client: DesktopClient::new(config.desktop_client.clone()),
            upload_locks: UploadLocks::new(db.clone(), InstanceId::claim(&config.data_dir)),
            db,
            config: Arc::new(config),
            transfer_keys: Arc::new(keys),
            node,
            download_records: DeliveryRecords::default(),
        })
    }
}

/// The separate node if `node_url` is set, else the in-process node on its storage.
fn open_node(config: &Config) -> anyhow::Result<Arc<dyn TransferNode>> {
    if let Some(remote) = &config.remote_node {
        let node =
            HttpNode::new(remote).context("invalid setting node_url (env FERRY_NODE_URL)")?;
        return Ok(Arc::new(node));
    }
    storage::open(&config.storage, &config.data_dir)
}
