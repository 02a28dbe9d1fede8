//! A node that dies in the middle of an append: the append fails (so the gateway stores no new
//! offset), and once the node is back, the next append at the acknowledged offset discards what the
//! dead one wrote beyond it, through the same client (its pool reconnects).

use bytes::Bytes;
use ferry_server::storage::TransferNode;

use crate::{
    common::NODE_TOKEN,
    node::support::{NodeServer, Stored, body, client, fed_body},
};

const MIB: usize = 1 << 20;

#[tokio::test]
async fn a_node_killed_mid_append_fails_it_and_the_next_append_discards_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let server = NodeServer::start(&storage, "127.0.0.1:0".parse().unwrap());
    let addr = server.addr;
    let node = client(&server.url(), NODE_TOKEN);
    node.create_upload("up-1").await.unwrap();
    let first = node
        .append("up-1", 0, 100, body(&[b"hello"]), None)
        .await
        .unwrap();
    assert_eq!(first.written, 5);

    // More than the node's write buffer arrives, so some of it reaches the file, then the node dies.
    let (feed, fed) = fed_body();
    let appending = {
        let node = node.clone();
        tokio::spawn(async move { node.append("up-1", 5, u64::MAX, fed, None).await })
    };
    let chunk = Bytes::from(vec![b'x'; MIB]);
    for _ in 0..3 {
        feed.send(chunk.clone()).await.unwrap();
    }
    let path = storage.join("uploads/up-1.part");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::metadata(&path).unwrap().len() <= 5 + MIB as u64 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the node never wrote"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.kill();
    let failed = appending.await.unwrap();
    assert!(
        failed.is_err(),
        "an append the node never answered fails: {failed:?}"
    );
    drop(feed);
    assert!(
        std::fs::metadata(&path).unwrap().len() > 5,
        "unacknowledged bytes were left behind"
    );

    let restarted = NodeServer::start(&storage, addr);
    let resumed = node
        .append("up-1", 5, 100, body(&[b" world"]), None)
        .await
        .unwrap();
    assert_eq!((resumed.written, resumed.body_complete), (6, true));
    assert_eq!(
        Stored::Disk(storage.clone()).upload_bytes("up-1").await,
        b"hello world"
    );
    let published = node.publish(&["up-1".into()], "ab-hello").await.unwrap();
    assert_eq!(published.size, 11);
    assert_eq!(published.crc32, crc32fast::hash(b"hello world"));
    drop(restarted);
}
