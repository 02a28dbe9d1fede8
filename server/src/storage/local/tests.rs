//! The local node on a temp dir: appends, truncation, publishing.

use std::io;

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use sha2::Digest;

use super::*;

fn body(chunks: &[&[u8]]) -> ByteStream {
    let items: Vec<io::Result<Bytes>> = chunks
        .iter()
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Box::pin(stream::iter(items))
}

fn failing_body(first: &'static [u8]) -> ByteStream {
    Box::pin(stream::iter(vec![
        Ok(Bytes::from_static(first)),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "client gone",
        )),
        Ok(Bytes::from_static(b"never")),
    ]))
}

fn node() -> (tempfile::TempDir, LocalNode) {
    let dir = tempfile::tempdir().unwrap();
    let node = LocalNode::open(&dir.path().join("storage")).unwrap();
    (dir, node)
}

async fn read_all(node: &LocalNode, key: &str) -> Vec<u8> {
    let size = node.object_size(key).await.unwrap();
    let mut stream = node.read_object(key, 0, size).await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

#[tokio::test]
async fn appends_truncate_unacknowledged_bytes_and_report_durable_counts() {
    let (dir, node) = node();
    node.create_upload("up-1").await.unwrap();
    node.create_upload("up-1").await.unwrap(); // idempotent
    let first = node
        .append("up-1", 0, 100, body(&[b"hello ", b"wor"]), None)
        .await
        .unwrap();
    assert_eq!(first.written, 9);
    assert!(first.body_complete);
    // Bytes 6..9 were written but (say) never acknowledged: appending at 6 replaces them.
    let second = node
        .append("up-1", 6, 100, body(&[b"world"]), Some(DigestKind::Sha1))
        .await
        .unwrap();
    assert_eq!(second.written, 5);
    assert_eq!(
        second.digest.unwrap(),
        sha1::Sha1::digest(b"world").to_vec()
    );
    let path = dir.path().join("storage/uploads/up-1.part");
    assert_eq!(std::fs::read(&path).unwrap(), b"hello world");

    node.truncate_upload("up-1", 5).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"hello");
    let broken = node
        .append("up-1", 5, 100, failing_body(b", you"), None)
        .await
        .unwrap();
    assert_eq!(broken.written, 5);
    assert!(!broken.body_complete);
    assert_eq!(std::fs::read(&path).unwrap(), b"hello, you");

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

    let ahead = node.append("up-1", 99, 1, body(&[b"x"]), None).await;
    assert!(ahead.is_err(), "an offset past the stored bytes is refused");
    node.discard_upload("up-1").await.unwrap();
    node.discard_upload("up-1").await.unwrap();
    assert!(matches!(
        node.append("up-1", 0, 1, body(&[b"x"]), None).await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn publish_joins_parts_atomically_under_the_key() {
    let (dir, node) = node();
    for (id, bytes) in [("p1", &b"one "[..]), ("p2", b"two "), ("p3", b"three")] {
        node.create_upload(id).await.unwrap();
        node.append(id, 0, 100, body(&[bytes]), None).await.unwrap();
    }
    let key = "0123456789abcdef0123456789abcdef";
    let parts = ["p1", "p2", "p3"].map(String::from);

    // A missing part fails the publish and leaves nothing behind: no object, no temp file.
    let missing = node
        .publish(&["p1".into(), "nope".into()], key)
        .await
        .unwrap_err();
    assert!(matches!(missing, StorageError::NotFound), "{missing:?}");
    assert!(matches!(
        node.object_size(key).await,
        Err(StorageError::NotFound)
    ));
    let shard = dir.path().join("storage/objects/01");
    let leftovers = |d: &std::path::Path| std::fs::read_dir(d).map_or(0, |r| r.count());
    assert_eq!(leftovers(&shard), 0);

    let published = node.publish(&parts, key).await.unwrap();
    assert_eq!(published.size, 13);
    assert_eq!(
        published.sha256,
        hex::encode(sha2::Sha256::digest(b"one two three"))
    );
    assert_eq!(published.crc32, crc32fast::hash(b"one two three"));
    assert_eq!(read_all(&node, key).await, b"one two three");
    assert_eq!(leftovers(&shard), 1, "only the object, no temp file");
    assert!(shard.join(key).exists());

    let again = node.publish(&parts, key).await.unwrap_err();
    assert!(matches!(again, StorageError::AlreadyExists), "{again:?}");
    assert_eq!(read_all(&node, key).await, b"one two three");

    let mut middle = node.read_object(key, 4, 3).await.unwrap();
    assert_eq!(middle.next().await.unwrap().unwrap(), &b"two"[..]);
    assert!(node.read_object(key, 10, 4).await.is_err());

    node.delete_object(key).await.unwrap();
    node.delete_object(key).await.unwrap();
    assert!(!shard.join(key).exists());
}

#[tokio::test]
async fn names_outside_the_server_alphabet_never_reach_the_disk() {
    let (_dir, node) = node();
    for bad in ["", "../etc", "a/b", "UPPER", "a.b", "x\0"] {
        assert!(node.create_upload(bad).await.is_err(), "{bad:?}");
        assert!(node.delete_object(bad).await.is_err(), "{bad:?}");
    }
    assert!(node.object_size("a").await.is_err(), "keys need a shard");
}

#[tokio::test]
async fn reads_span_many_buffers_and_a_shrunken_object_ends_in_an_error() {
    let (dir, node) = node();
    // Over four read buffers, in uneven pieces.
    let bytes: Vec<u8> = (0..2_300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    node.create_upload("big").await.unwrap();
    let pieces: Vec<&[u8]> = bytes.chunks(300_001).collect();
    node.append("big", 0, bytes.len() as u64, body(&pieces), None)
        .await
        .unwrap();
    let key = "89abcdef0123456789abcdef01234567";
    node.publish(&["big".into()], key).await.unwrap();

    assert_eq!(read_all(&node, key).await, bytes);
    for (offset, len) in [(1, 524_288), (524_287, 1_048_577), (1_999_999, 300_001)] {
        let mut stream = node.read_object(key, offset, len).await.unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        let range = usize::try_from(offset).unwrap()..usize::try_from(offset + len).unwrap();
        assert_eq!(out, bytes[range], "{offset}+{len}");
    }

    // The object cut short behind the node's back (a damaged disk, say): the stream does not end
    // looking complete.
    let mut stream = node.read_object(key, 0, bytes.len() as u64).await.unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("storage/objects/89").join(key))
        .unwrap()
        .set_len(1_000_000)
        .unwrap();
    let mut delivered = 0;
    let mut failed = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => delivered += chunk.len(),
            Err(error) => failed = Some(error),
        }
    }
    let error = failed.expect("a short object ends in an error");
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof, "{error}");
    assert!(delivered < bytes.len());
}
