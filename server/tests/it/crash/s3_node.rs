//! A separate transfer node (`ferry node`) keeping its files in an S3 bucket (moto), killed under a
//! running gateway in the middle of an upload: the upload resumes from the last acknowledged byte
//! once it is back, no part of the file is ever published, and nothing is left behind in the bucket.

use object_store::{ObjectStore as _, path::Path};

use crate::{
    common::s3::TestBucket,
    crash::cluster::s3_env,
    crash::http::patch,
    crash::process::{free_addr, start, start_node_with},
    crash::support::{
        CHUNK, eventually, finish, half_sent_patch, kill_node_under_patch, new_upload, test_bytes,
    },
};

/// The S3 node's part size.
const PART: usize = 16 << 20;

#[tokio::test]
async fn a_killed_s3_node_restarts_and_the_upload_resumes_without_a_partial_publish() {
    let dir = tempfile::tempdir().unwrap();
    let (node_dir, gateway_dir) = (dir.path().join("node"), dir.path().join("gateway"));
    let (node_addr, web, gateway) = (free_addr(), free_addr(), free_addr());
    let node_url = format!("http://{node_addr}");
    let bucket = TestBucket::create().await;
    let s3 = s3_env(&bucket);
    let bytes = test_bytes(2 * PART + 3 * CHUNK + 54_321);

    let mut node = start_node_with(&node_dir, node_addr, &s3).await;
    let mut server = start(&gateway_dir, web, gateway, Some(&node_url)).await;
    let upload = new_upload(web, gateway, bytes.len()).await;
    let first = patch(gateway, &upload.url, &upload.token, 0, &bytes[..CHUNK]).await;
    assert_eq!(first.status, 204);

    // The next PATCH streams through the gateway into the node, past a whole part, when the node
    // dies: once the upload's manifest names its multipart upload, a part is on its way to it.
    let sent = &bytes[CHUNK..2 * CHUNK + PART];
    let stream = half_sent_patch(gateway, &upload, CHUNK, bytes.len() - CHUNK, sent).await;
    let id = upload.url.rsplit('/').next().unwrap();
    let manifest = Path::from(format!("uploads/{id}/manifest.json"));
    let store = bucket.store();
    eventually("the node starts a multipart upload", || async {
        let stored = store.get(&manifest).await.ok()?.bytes().await.unwrap();
        let manifest: serde_json::Value = serde_json::from_slice(&stored).unwrap();
        (!manifest["multipart"].is_null()).then_some(())
    })
    .await;
    kill_node_under_patch(&mut node, stream, gateway, &upload, CHUNK).await;
    assert!(
        bucket.keys("objects").await.is_empty(),
        "nothing is published"
    );

    let mut node = start_node_with(&node_dir, node_addr, &s3).await;
    finish(gateway, &upload, CHUNK, &bytes).await;
    let published = bucket.keys("objects").await;
    assert_eq!(published.len(), 1, "{published:?}");
    let stored = store.get(&Path::from(published[0].as_str())).await;
    let stored = stored.unwrap().bytes().await.unwrap();
    assert!(
        stored[..] == bytes[..],
        "the published file is byte-identical"
    );
    assert!(
        bucket.keys("uploads").await.is_empty(),
        "the upload's bytes were discarded"
    );
    assert!(
        bucket.multipart_uploads().await.is_empty(),
        "no multipart upload is left behind"
    );
    assert!(
        !node_dir.join("storage").exists() && !gateway_dir.join("storage").exists(),
        "no file bytes on either process's disk"
    );
    server.kill().await.unwrap();
    node.kill().await.unwrap();
}
