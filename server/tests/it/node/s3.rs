//! What only the S3 node has to get right, on a real S3-compatible server (moto): uploads that
//! outgrow one part, resuming with a fresh node (another process, another instance, a restarted
//! `ferry node`), cutting back a chunk whose parts were already handed to the store, and no
//! multipart upload left behind.

use std::sync::Arc;

use bytes::Bytes;
use ferry_server::storage::{StorageError, TransferNode, s3::S3Node};
use futures_util::stream;
use sha2::Digest;

use crate::{
    common::{NODE_TOKEN, s3::TestBucket},
    node::support::{NodeServer, body, client, fed_body, read_all},
};

const KEY: &str = "fedcba9876543210fedcba9876543210";
const MIB: usize = 1 << 20;

/// A node of `bucket` with parts of 5 MiB, S3's minimum, so a few MiB cross part boundaries.
fn fresh_node(bucket: &TestBucket) -> S3Node {
    S3Node::new(&bucket.settings())
        .unwrap()
        .with_part_size(5 * MIB)
}

/// `len` bytes that differ from position to position (and with `seed`).
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 12) as u8)
        .collect()
}

/// `bytes` as a body of 256 KiB pieces, as a request body arrives.
fn pieces(bytes: &[u8]) -> ferry_server::storage::ByteStream {
    pieces_of(bytes, 256 << 10)
}

/// `bytes` as a body of `size`-byte pieces.
fn pieces_of(bytes: &[u8], size: usize) -> ferry_server::storage::ByteStream {
    let chunks: Vec<std::io::Result<Bytes>> = bytes
        .chunks(size)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Box::pin(stream::iter(chunks))
}

async fn append(node: &S3Node, id: &str, offset: usize, bytes: &[u8]) {
    let appended = node
        .append(id, offset as u64, u64::MAX, pieces(bytes), None)
        .await
        .unwrap();
    assert_eq!(appended.written, bytes.len() as u64);
    assert!(appended.body_complete);
}

/// The upload's manifest.
async fn manifest(bucket: &TestBucket, id: &str) -> serde_json::Value {
    use object_store::ObjectStore;
    let path = format!("uploads/{id}/manifest.json");
    let got = bucket.store().get(&path.as_str().into()).await.unwrap();
    serde_json::from_slice(&got.bytes().await.unwrap()).unwrap()
}

/// The part sizes the upload's manifest records.
async fn part_sizes(bucket: &TestBucket, id: &str) -> Vec<u64> {
    manifest(bucket, id).await["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["size"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn an_upload_resumes_on_a_fresh_node_and_publishes_the_same_bytes() {
    let bucket = TestBucket::create().await;
    let file = pattern(15 * MIB + 12345, 7);
    let (first, second, rest) = (MIB, MIB + 6 * MIB, file.len());

    // Each PATCH on a node with nothing in memory: as after a restart, or on another instance.
    let node = fresh_node(&bucket);
    node.create_upload("up-a").await.unwrap();
    append(&node, "up-a", 0, &file[..first]).await;
    assert!(
        part_sizes(&bucket, "up-a").await.is_empty(),
        "1 MiB: a tail only"
    );
    assert!(bucket.multipart_uploads().await.is_empty());
    append(&fresh_node(&bucket), "up-a", first, &file[first..second]).await;
    assert_eq!(part_sizes(&bucket, "up-a").await, vec![5 * MIB as u64]);
    append(&fresh_node(&bucket), "up-a", second, &file[second..rest]).await;
    let sizes = part_sizes(&bucket, "up-a").await;
    assert!(sizes.iter().all(|&s| s >= 5 * MIB as u64), "{sizes:?}");
    assert_eq!(bucket.multipart_uploads().await.len(), 1);

    let published = fresh_node(&bucket)
        .publish(&["up-a".into()], KEY)
        .await
        .unwrap();
    assert_eq!(published.size, file.len() as u64);
    assert_eq!(published.sha256, hex::encode(sha2::Sha256::digest(&file)));
    let reader = fresh_node(&bucket);
    assert_eq!(read_all(&reader, KEY).await, file);
    assert!(bucket.multipart_uploads().await.is_empty(), "completed");
    // Published again (a retried completion): refused, the object unchanged.
    let again = reader.publish(&["up-a".into()], KEY).await.unwrap_err();
    assert!(matches!(again, StorageError::AlreadyExists), "{again:?}");
    // A joined upload takes no more bytes, and says so: a completion cut short finishes from it.
    let body = futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"x"))]);
    let more = reader.append("up-a", 0, 1, Box::pin(body), None).await;
    assert!(matches!(more, Err(StorageError::Joined)), "{more:?}");
    reader.discard_upload("up-a").await.unwrap();
    assert!(bucket.keys("uploads").await.is_empty());
    assert_eq!(read_all(&reader, KEY).await, file);
}

#[tokio::test]
async fn one_node_keeps_the_digest_running_and_joins_several_uploads() {
    let bucket = TestBucket::create().await;
    let node = fresh_node(&bucket);
    let one = pattern(6 * MIB + 3, 1);
    node.create_upload("single").await.unwrap();
    append(&node, "single", 0, &one[..2 * MIB]).await;
    append(&node, "single", 2 * MIB, &one[2 * MIB..]).await;
    let published = node.publish(&["single".into()], KEY).await.unwrap();
    assert_eq!(published.sha256, hex::encode(sha2::Sha256::digest(&one)));
    assert_eq!(
        published.crc32,
        crc32fast::hash(&one),
        "kept running beside the SHA-256"
    );
    assert_eq!(read_all(&node, KEY).await, one);

    // Several uploads (tus concatenation), some with parts, some tails only.
    let uploads = [
        ("c-1", pattern(5 * MIB + 1, 2)),
        ("c-2", pattern(100, 3)),
        ("c-3", pattern(7 * MIB, 4)),
    ];
    let mut joined = Vec::new();
    for (id, bytes) in &uploads {
        node.create_upload(id).await.unwrap();
        append(&node, id, 0, bytes).await;
        joined.extend_from_slice(bytes);
    }
    let ids: Vec<String> = uploads.iter().map(|(id, _)| (*id).to_owned()).collect();
    let key = "0a1b2c3d4e5f0a1b2c3d4e5f0a1b2c3d";
    let published = fresh_node(&bucket).publish(&ids, key).await.unwrap();
    assert_eq!(published.size, joined.len() as u64);
    assert_eq!(published.sha256, hex::encode(sha2::Sha256::digest(&joined)));
    assert_eq!(published.crc32, crc32fast::hash(&joined));
    assert_eq!(read_all(&node, key).await, joined);
    let mut middle = Vec::new();
    let mut range = node
        .read_object(key, 5 * MIB as u64 - 10, 120)
        .await
        .unwrap();
    while let Some(piece) = futures_util::StreamExt::next(&mut range).await {
        middle.extend_from_slice(&piece.unwrap());
    }
    assert_eq!(middle, joined[5 * MIB - 10..5 * MIB + 110]);
    assert!(bucket.multipart_uploads().await.is_empty());
}

#[tokio::test]
async fn parts_are_cut_at_exactly_the_part_size_whatever_pieces_the_body_comes_in() {
    // A part never holds more than its size: the memory an upload holds is one part.
    let bucket = TestBucket::create().await;
    let node = fresh_node(&bucket);
    let file = pattern(21 * MIB + 5, 11);
    node.create_upload("even").await.unwrap();
    let first = 17 * MIB + 3;
    let appended = node
        .append(
            "even",
            0,
            u64::MAX,
            pieces_of(&file[..first], 300_007),
            None,
        )
        .await
        .unwrap();
    assert_eq!(appended.written, first as u64);
    let part = 5 * MIB as u64;
    assert_eq!(part_sizes(&bucket, "even").await, vec![part, part, part]);
    let tail = &manifest(&bucket, "even").await["tail"]["len"];
    assert_eq!(tail.as_u64(), Some(2 * MIB as u64 + 3));

    // The next append goes on behind the tail (read back by a node that never saw it): the tail and
    // the body fill a fourth part of exactly 5 MiB, and the rest is the new tail.
    let appended = fresh_node(&bucket)
        .append(
            "even",
            first as u64,
            u64::MAX,
            pieces_of(&file[first..], 777),
            None,
        )
        .await
        .unwrap();
    assert_eq!(appended.written, (file.len() - first) as u64);
    assert_eq!(part_sizes(&bucket, "even").await, vec![part; 4]);
    let tail = &manifest(&bucket, "even").await["tail"]["len"];
    assert_eq!(tail.as_u64(), Some(MIB as u64 + 5));
    // Published by a node without the running digest: streamed through and hashed on the way.
    let published = fresh_node(&bucket)
        .publish(&["even".into()], KEY)
        .await
        .unwrap();
    assert_eq!(published.sha256, hex::encode(sha2::Sha256::digest(&file)));
    assert_eq!(read_all(&node, KEY).await, file);
}

#[tokio::test]
async fn a_chunk_already_in_parts_is_cut_back_to_where_it_began() {
    let bucket = TestBucket::create().await;
    let node = fresh_node(&bucket);
    let good = pattern(12 * MIB, 5);
    node.create_upload("cut").await.unwrap();
    append(&node, "cut", 0, &good[..3 * MIB]).await;
    // A 6 MiB chunk fills a part, then fails its checksum: the gateway cuts it off.
    append(&node, "cut", 3 * MIB, &pattern(6 * MIB, 99)).await;
    assert_eq!(part_sizes(&bucket, "cut").await.len(), 1);
    node.truncate_upload("cut", 3 * MIB as u64).await.unwrap();
    assert!(part_sizes(&bucket, "cut").await.is_empty());
    let inside = node.truncate_upload("cut", 1).await;
    assert!(inside.is_ok(), "into the tail is fine: {inside:?}");
    append(&fresh_node(&bucket), "cut", 1, &good[1..3 * MIB]).await;

    // The same chunk again but the gateway never recorded it: the next append at the old offset
    // replaces it (from a node that never saw it).
    append(&node, "cut", 3 * MIB, &pattern(6 * MIB, 42)).await;
    append(
        &fresh_node(&bucket),
        "cut",
        3 * MIB,
        &good[3 * MIB..9 * MIB],
    )
    .await;
    append(&fresh_node(&bucket), "cut", 9 * MIB, &good[9 * MIB..]).await;
    let before_part = fresh_node(&bucket).truncate_upload("cut", MIB as u64).await;
    assert!(
        before_part.is_err(),
        "bytes inside a part from before the last append cannot be read back"
    );

    let published = fresh_node(&bucket)
        .publish(&["cut".into()], KEY)
        .await
        .unwrap();
    assert_eq!(published.sha256, hex::encode(sha2::Sha256::digest(&good)));
    assert_eq!(read_all(&node, KEY).await, good);
}

#[tokio::test]
async fn discarding_aborts_the_multipart_upload_and_leaves_nothing() {
    let bucket = TestBucket::create().await;
    let node = fresh_node(&bucket);
    node.create_upload("gone").await.unwrap();
    append(&node, "gone", 0, &pattern(6 * MIB, 9)).await;
    append(&node, "gone", 6 * MIB, b"tail").await;
    assert_eq!(bucket.multipart_uploads().await.len(), 1);
    assert!(!bucket.keys("uploads/gone").await.is_empty());
    assert_eq!(
        node.idle_uploads(std::time::Duration::ZERO).await.unwrap(),
        vec!["gone".to_owned()]
    );

    fresh_node(&bucket).discard_upload("gone").await.unwrap();
    assert!(bucket.multipart_uploads().await.is_empty(), "aborted");
    assert!(
        bucket.keys("uploads").await.is_empty(),
        "no manifest, tail or data left"
    );
    node.discard_upload("gone").await.unwrap();
    assert!(matches!(
        node.append("gone", 0, 10, body(&[b"x"]), None).await,
        Err(StorageError::NotFound)
    ));
    assert!(
        node.idle_uploads(std::time::Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_separate_node_on_s3_killed_mid_append_resumes_after_a_restart() {
    let bucket = TestBucket::create().await;
    let serve = |addr| NodeServer::serve(Arc::new(fresh_node(&bucket)), addr);
    let server = serve("127.0.0.1:0".parse().unwrap());
    let addr = server.addr;
    let node = client(&server.url(), NODE_TOKEN);
    node.create_upload("up-1").await.unwrap();
    let first = node
        .append("up-1", 0, 100, body(&[b"hello"]), None)
        .await
        .unwrap();
    assert_eq!(first.written, 5);

    // More than a part arrives, so the node starts handing a part to the store; then it dies.
    let (feed, fed) = fed_body();
    let appending = {
        let node = node.clone();
        tokio::spawn(async move { node.append("up-1", 5, u64::MAX, fed, None).await })
    };
    let chunk = Bytes::from(vec![b'x'; MIB]);
    for _ in 0..6 {
        feed.send(chunk.clone()).await.unwrap();
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while bucket.multipart_uploads().await.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no part was started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.kill();
    let failed = appending.await.unwrap();
    assert!(
        failed.is_err(),
        "an append never answered fails: {failed:?}"
    );
    drop(feed);

    // A new node process: nothing in memory, everything from the bucket.
    let _restarted = serve(addr);
    let resumed = node
        .append("up-1", 5, 100, body(&[b" world"]), None)
        .await
        .unwrap();
    assert_eq!((resumed.written, resumed.body_complete), (6, true));
    let published = node.publish(&["up-1".into()], KEY).await.unwrap();
    assert_eq!(
        published.sha256,
        hex::encode(sha2::Sha256::digest(b"hello world"))
    );
    assert_eq!(read_all(&node, KEY).await, b"hello world");
    assert!(
        bucket.multipart_uploads().await.is_empty(),
        "the unused multipart upload was aborted"
    );
}
