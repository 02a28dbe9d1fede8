//! One contract, four nodes: what the gateway relies on holds for the local-disk node, the S3 node
//! (on a real S3-compatible server), and the HTTP node in front of `ferry node`'s API serving each.

use std::{io, sync::Arc, time::Duration};

use ferry_server::storage::{DigestKind, StorageError, TransferNode, local::LocalNode, s3::S3Node};
use sha2::Digest;

use crate::{
    common::NODE_TOKEN,
    common::s3::TestBucket,
    node::support::{NodeServer, Stored, body, client, failing_body, read_all},
};

const KEY: &str = "0123456789abcdef0123456789abcdef";

async fn appends_report_durable_counts(node: &dyn TransferNode, storage: &Stored) {
    node.create_upload("up-1").await.unwrap();
    node.create_upload("up-1").await.unwrap(); // idempotent
    let first = node
        .append("up-1", 0, 100, body(&[b"hello ", b"wor"]), None)
        .await
        .unwrap();
    assert_eq!((first.written, first.body_complete), (9, true));
    // Bytes 6..9 were never acknowledged (say): appending at 6 replaces them.
    let second = node
        .append("up-1", 6, 100, body(&[b"world"]), Some(DigestKind::Sha1))
        .await
        .unwrap();
    assert_eq!(second.written, 5);
    assert_eq!(
        second.digest.unwrap(),
        sha1::Sha1::digest(b"world").to_vec()
    );
    assert_eq!(storage.upload_bytes("up-1").await, b"hello world");

    node.truncate_upload("up-1", 5).await.unwrap();
    assert_eq!(storage.upload_bytes("up-1").await, b"hello");
    let broken = node
        .append("up-1", 5, 100, failing_body(b", you"), None)
        .await
        .unwrap();
    assert_eq!(broken.written, 5, "what arrived before the break is kept");
    assert!(!broken.body_complete);
    assert_eq!(storage.upload_bytes("up-1").await, b"hello, you");

    let capped = node
        .append("up-1", 10, 3, body(&[b"abcdef"]), Some(DigestKind::Sha256))
        .await
        .unwrap();
    assert_eq!(capped.written, 3, "never more than max");
    assert!(!capped.body_complete);
    assert_eq!(
        capped.digest.unwrap(),
        sha2::Sha256::digest(b"abc").to_vec()
    );
    assert_eq!(storage.upload_bytes("up-1").await, b"hello, youabc");

    let ahead = node.append("up-1", 99, 1, body(&[b"x"]), None).await;
    assert!(ahead.is_err(), "an offset past the stored bytes is refused");
    assert_eq!(
        node.idle_uploads(Duration::ZERO).await.unwrap(),
        vec!["up-1".to_owned()]
    );
    assert!(
        node.idle_uploads(Duration::from_secs(3600))
            .await
            .unwrap()
            .is_empty()
    );
    node.discard_upload("up-1").await.unwrap();
    node.discard_upload("up-1").await.unwrap();
    assert!(matches!(
        node.append("up-1", 0, 1, body(&[b"x"]), None).await,
        Err(StorageError::NotFound)
    ));
    // Also when the node answers before it has read a long body.
    let long = vec![0u8; 4 << 20];
    assert!(matches!(
        node.append("up-1", 0, u64::MAX, body(&[&long, &long]), None)
            .await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        node.truncate_upload("up-1", 0).await,
        Err(StorageError::NotFound)
    ));
}

async fn publish_is_atomic_and_once(node: &dyn TransferNode, storage: &Stored) {
    for (id, bytes) in [("p1", &b"one "[..]), ("p2", b"two "), ("p3", b"three")] {
        node.create_upload(id).await.unwrap();
        node.append(id, 0, 100, body(&[bytes]), None).await.unwrap();
    }
    let parts = ["p1", "p2", "p3"].map(String::from);
    let missing = node
        .publish(&["p1".into(), "nope".into()], KEY)
        .await
        .unwrap_err();
    assert!(matches!(missing, StorageError::NotFound), "{missing:?}");
    assert!(matches!(
        node.object_size(KEY).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(storage.object_entries().await, 0, "no object, no temp file");

    let published = node.publish(&parts, KEY).await.unwrap();
    assert_eq!(published.size, 13);
    assert_eq!(
        published.sha256,
        hex::encode(sha2::Sha256::digest(b"one two three"))
    );
    assert_eq!(node.object_size(KEY).await.unwrap(), 13);
    assert_eq!(read_all(node, KEY).await, b"one two three");
    let again = node.publish(&parts, KEY).await.unwrap_err();
    assert!(matches!(again, StorageError::AlreadyExists), "{again:?}");

    let mut middle = node.read_object(KEY, 4, 3).await.unwrap();
    let mut got = Vec::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut middle).await {
        got.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(got, b"two");
    assert!(node.read_object(KEY, 10, 4).await.is_err(), "past the end");

    node.delete_object(KEY).await.unwrap();
    node.delete_object(KEY).await.unwrap();
    assert_eq!(storage.object_entries().await, 0);
}

async fn foreign_names_never_reach_the_disk(node: &dyn TransferNode, storage: &Stored) {
    for bad in ["", "../etc", "a/b", "UPPER", "a.b", "x\0", "..", "%2e%2e"] {
        let invalid = |e: StorageError| matches!(e, StorageError::Io(e) if e.kind() == io::ErrorKind::InvalidInput);
        assert!(
            invalid(node.create_upload(bad).await.unwrap_err()),
            "{bad:?}"
        );
        assert!(
            invalid(node.delete_object(bad).await.unwrap_err()),
            "{bad:?}"
        );
        assert!(
            invalid(node.discard_upload(bad).await.unwrap_err()),
            "{bad:?}"
        );
        let publish = node.publish(&[bad.to_owned()], KEY).await.unwrap_err();
        assert!(invalid(publish), "{bad:?}");
    }
    assert!(node.object_size("a").await.is_err(), "keys need a shard");
    assert_eq!(storage.upload_entries().await, 0);
}

/// Runs `check` on a local node, an S3 node, and an HTTP node in front of each, on fresh storage.
macro_rules! on_every_node {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn local() {
                let dir = tempfile::tempdir().unwrap();
                let storage = dir.path().join("storage");
                let node = LocalNode::open(&storage).unwrap();
                super::$name(&node, &Stored::Disk(storage)).await;
            }

            #[tokio::test]
            async fn s3() {
                let bucket = TestBucket::create().await;
                let node = S3Node::new(&bucket.settings()).unwrap();
                super::$name(&node, &Stored::Bucket(bucket)).await;
            }

            #[tokio::test]
            async fn http_s3() {
                let bucket = TestBucket::create().await;
                let node = S3Node::new(&bucket.settings()).unwrap();
                let server = NodeServer::serve(Arc::new(node), "127.0.0.1:0".parse().unwrap());
                let node = client(&server.url(), NODE_TOKEN);
                super::$name(&node, &Stored::Bucket(bucket)).await;
            }

            #[tokio::test]
            async fn http() {
                let dir = tempfile::tempdir().unwrap();
                let storage = dir.path().join("storage");
                let server = NodeServer::start(&storage, "127.0.0.1:0".parse().unwrap());
                let node = client(&server.url(), NODE_TOKEN);
                super::$name(&node, &Stored::Disk(storage)).await;
            }
        }
    };
}

on_every_node!(appends_report_durable_counts);
on_every_node!(publish_is_atomic_and_once);
on_every_node!(foreign_names_never_reach_the_disk);
