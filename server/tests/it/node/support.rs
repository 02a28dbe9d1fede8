//! A node API server on its own runtime (so a test can kill it, connections and all), clients of
//! it, and bodies that arrive whole, break off, or wait for the test.

use std::{io, net::SocketAddr, path::Path, sync::Arc};

use bytes::Bytes;
use ferry_server::{
    config::{RemoteNode, Secret},
    storage::{ByteStream, TransferNode, http::HttpNode, local::LocalNode},
};
use futures_util::{StreamExt, stream};

use crate::common::{NODE_TOKEN, s3::TestBucket};

/// `ferry node`'s router over a local-disk node, served on a runtime of its own.
pub struct NodeServer {
    pub addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl NodeServer {
    /// Serves `storage` on `addr` (port 0 for any).
    pub fn start(storage: &Path, addr: SocketAddr) -> Self {
        Self::serve(Arc::new(LocalNode::open(storage).unwrap()), addr)
    }

    /// Serves `node` on `addr` (port 0 for any).
    pub fn serve(node: Arc<dyn TransferNode>, addr: SocketAddr) -> Self {
        let router = ferry_server::node::router(node, Secret::new(NODE_TOKEN));
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

/// Where a node under test keeps its bytes, for looking at them behind its back.
pub enum Stored {
    /// The local node's storage directory.
    Disk(std::path::PathBuf),
    Bucket(TestBucket),
}

impl Stored {
    /// The bytes of upload `id`: its file, or (for uploads shorter than one part, all a contract
    /// test writes) the tail object its manifest names.
    pub async fn upload_bytes(&self, id: &str) -> Vec<u8> {
        match self {
            Self::Disk(storage) => {
                std::fs::read(storage.join("uploads").join(format!("{id}.part"))).unwrap()
            }
            Self::Bucket(bucket) => {
                use object_store::ObjectStore;
                let store = bucket.store();
                let manifest = format!("uploads/{id}/manifest.json");
                let bytes = store.get(&manifest.as_str().into()).await.unwrap();
                let manifest: serde_json::Value =
                    serde_json::from_slice(&bytes.bytes().await.unwrap()).unwrap();
                assert_eq!(manifest["parts"], serde_json::json!([]), "no full part yet");
                let Some(tail) = manifest["tail"].as_object() else {
                    return Vec::new();
                };
                let key = format!("uploads/{id}/{}", tail["key"].as_str().unwrap());
                let len = tail["len"].as_u64().unwrap();
                let got = store.get_range(&key.as_str().into(), 0..len).await.unwrap();
                got.to_vec()
            }
        }
    }

    /// Names of stored objects (published files, and for the disk, temp files beside them).
    pub async fn object_entries(&self) -> usize {
        match self {
            Self::Disk(storage) => {
                std::fs::read_dir(storage.join("objects/01")).map_or(0, |r| r.count())
            }
            Self::Bucket(bucket) => bucket.keys("objects").await.len(),
        }
    }

    /// How many things are stored for uploads.
    pub async fn upload_entries(&self) -> usize {
        match self {
            Self::Disk(storage) => std::fs::read_dir(storage.join("uploads")).unwrap().count(),
            Self::Bucket(bucket) => bucket.keys("uploads").await.len(),
        }
    }
}
