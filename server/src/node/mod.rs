//! `ferry node`: the transfer node as its own process, which gateways (`ferry serve` with
//! `node_url`) reach over HTTP instead of writing to their own disk. It serves any
//! [`TransferNode`] through a small token-authorized API ([`crate::storage::http::wire`] lists it) and keeps that node's
//! guarantees: an append answers only once what it counts is durable, a publish is atomic.
//!
//! The node behind the API is the local-disk one under `<data_dir>/storage`, or an S3-compatible
//! bucket (`storage = "s3"`).

pub mod api;
mod auth;
pub mod error;

use std::{future::Future, net::TcpListener, sync::Arc};

use anyhow::Context;
use axum::{
    Router, middleware,
    routing::{get, post, put},
};
use axum_server::Handle;

use self::{api::NodeState, auth::NodeToken};
use crate::{
    SHUTDOWN_GRACE,
    config::Storage,
    config::{NodeConfig, Secret},
    storage::TransferNode,
    storage::http::wire,
    telemetry::http::{self as trace, Listener},
};

/// The node API in front of `node`; every request must carry `token`.
pub fn router(node: Arc<dyn TransferNode>, token: Secret) -> Router {
    Router::new()
        .route(wire::HEALTH, get(api::health))
        .route(wire::UPLOADS, get(api::idle_uploads))
        .route(
            wire::UPLOAD,
            put(api::create_upload)
                .patch(api::append)
                .delete(api::discard_upload),
        )
        .route(wire::UPLOAD_TRUNCATE, post(api::truncate_upload))
        .route(
            wire::OBJECT,
            post(api::publish)
                .get(api::read_object)
                .delete(api::delete_object),
        )
        .route(wire::OBJECT_SIZE, get(api::object_size))
        .fallback(api::not_found)
        .with_state(NodeState { node })
        .layer(middleware::from_fn_with_state(
            NodeToken::new(token),
            auth::require_token,
        ))
        .layer(trace::layer(Listener::Node))
}

/// Binds the node's address, naming the setting when it cannot be used.
pub fn bind(config: &NodeConfig) -> anyhow::Result<TcpListener> {
    let addr = config.node_addr;
    let listener = TcpListener::bind(addr).with_context(|| {
        format!("invalid setting node_addr (env FERRY_NODE_ADDR): cannot listen on {addr}")
    })?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Opens the node on its storage (local disk under the data dir, or S3) and serves its API on `listener` until `shutdown`
/// resolves; then lets in-flight requests (an append being made durable) finish.
pub async fn run(
    config: NodeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    crate::data_dir::prepare(&config.data_dir)?;
    let node = crate::storage::open(&config.storage, &config.data_dir)?;
    let storage = match &config.storage {
        Storage::Local => config.storage_dir().display().to_string(),
        Storage::S3(s3) => format!("S3 bucket {}", s3.bucket),
    };
    let url = format!("http://{}", listener.local_addr()?);
    println!("Ferry {} transfer node is running.", crate::VERSION);
    println!("  Storage:  {storage}");
    println!("  Node API: {url}");
    tracing::info!(%url, %storage, "transfer node started");

    let handle = Handle::new();
    let served = crate::serve(
        listener,
        router(node, config.node_token),
        None,
        handle.clone(),
        Some(crate::HEADER_READ_TIMEOUT),
        // The node's clients are gateways, each carrying many transfers: no per-address bound.
        crate::connections::PerAddressLimit::new(&[], usize::MAX),
    );
    let stop = async {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        handle.graceful_shutdown(Some(SHUTDOWN_GRACE));
        std::future::pending::<()>().await;
    };
    tokio::select! {
        result = served => result?,
        () = stop => {}
    }
    tracing::info!("stopped");
    Ok(())
}
