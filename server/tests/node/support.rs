//! A node API server on its own runtime (so a test can kill it, connections and all), clients of
//! it, and bodies that arrive whole, break off, or wait for the test.

use std::{io, net::SocketAddr, path::Path, sync::Arc};

use bytes::Bytes;
use ferry_server::{
    config::{RemoteNode, Secret},
    storage::{ByteStream, TransferNode, http::HttpNode, local::LocalNode},
};
use futures_util::{StreamExt, stream};

use crate::common::NODE_TOKEN;

/// `ferry node`'s router over a local-disk node, served on a runtime of its own.
pub struct NodeServer {
    pub addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl NodeServer {
    /// Serves `storage` on `addr` (port 0 for any).
    pub fn start(storage: &Path, addr: SocketAddr) -> Self {
        let node = LocalNode::open(storage).unwrap();
        let router = ferry_server::node::router(Arc::new(node), Secret::new(NODE_TOKEN));
        let listener = std::net::TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await
        });
        Self {
            addr,
            runtime: Some(runtime),
        }
    }

    /// Stops the node at once, as a crash would: every task (an append in progress too) is
    /// dropped and every socket closed before this returns.
    pub fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            std::thread::spawn(move || drop(runtime)).join().unwrap();
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// An HTTP node client of the server at `url` with `token`.
pub fn client(url: &str, token: &str) -> HttpNode {
    HttpNode::new(&RemoteNode {
        url: url.parse().unwrap(),
        token: Secret::new(token),
    })
    .unwrap()
}

pub fn body(chunks: &[&[u8]]) -> ByteStream {
    let items: Vec<io::Result<Bytes>> = chunks
        .iter()
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Box::pin(stream::iter(items))
}

/// `first`, then an error (the client went away), then bytes that must never be written.
pub fn failing_body(first: &'static [u8]) -> ByteStream {
    Box::pin(stream::iter(vec![
        Ok(Bytes::from_static(first)),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "client gone",
        )),
        Ok(Bytes::from_static(b"never")),
    ]))
}

/// A body fed by the test: each chunk sent on the returned channel, until it is dropped.
pub fn fed_body() -> (tokio::sync::mpsc::Sender<Bytes>, ByteStream) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let stream = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok(chunk), rx))
    });
    (tx, Box::pin(stream))
}

pub async fn read_all(node: &dyn TransferNode, key: &str) -> Vec<u8> {
    let size = node.object_size(key).await.unwrap();
    let mut stream = node.read_object(key, 0, size).await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

/// The bytes of upload `id` on disk under `storage`.
pub fn upload_bytes(storage: &Path, id: &str) -> Vec<u8> {
    std::fs::read(storage.join("uploads").join(format!("{id}.part"))).unwrap()
}
