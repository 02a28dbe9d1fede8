//! A separate transfer node (`ferry node`) killed under a running gateway mid-upload, and the
//! settings the two processes must agree on.

use tokio::process::Command;

use crate::{
    crash::http::patch,
    crash::process::{ADMIN_PASSWORD, NODE_TOKEN, free_addr, start, start_node},
    crash::support::{
        CHUNK, assert_published, finish, half_sent_patch, kill_node_under_patch, new_upload,
        objects, test_bytes, written_past,
    },
};

#[tokio::test]
async fn a_killed_node_restarts_and_the_upload_resumes_without_a_partial_publish() {
    let dir = tempfile::tempdir().unwrap();
    let (node_dir, gateway_dir) = (dir.path().join("node"), dir.path().join("gateway"));
    let (node_addr, web, gateway) = (free_addr(), free_addr(), free_addr());
    let node_url = format!("http://{node_addr}");
    let bytes = test_bytes(4 * CHUNK + 54_321);

    let mut node = start_node(&node_dir, node_addr).await;
    let mut server = start(&gateway_dir, web, gateway, Some(&node_url)).await;
    let upload = new_upload(web, gateway, bytes.len()).await;
    let first = patch(gateway, &upload.url, &upload.token, 0, &bytes[..CHUNK]).await;
    assert_eq!(first.status, 204);

    // The next PATCH streams through the gateway into the node, and bytes past the acknowledged
    // ones reach the node's file, when the node dies.
    let stream = half_sent_patch(
        gateway,
        &upload,
        CHUNK,
        2 * CHUNK,
        &bytes[CHUNK..CHUNK + 3 * CHUNK / 2],
    )
    .await;
    let id = upload.url.rsplit('/').next().unwrap();
    let part = node_dir.join("storage/uploads").join(format!("{id}.part"));
    written_past(&node_dir, &upload, CHUNK).await;
    kill_node_under_patch(&mut node, stream, gateway, &upload, CHUNK).await;
    assert!(std::fs::metadata(&part).unwrap().len() > CHUNK as u64);
    assert!(objects(&node_dir).is_empty(), "nothing is published");

    let mut node = start_node(&node_dir, node_addr).await;
    finish(gateway, &upload, CHUNK, &bytes).await;
    assert_published(&node_dir, &bytes);
    assert!(
        !gateway_dir.join("storage").exists(),
        "the gateway keeps no file bytes of its own"
    );
    server.kill().await.unwrap();
    node.kill().await.unwrap();
}

#[tokio::test]
async fn the_node_needs_a_token_and_the_gateway_the_same_one() {
    let dir = tempfile::tempdir().unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("node")
        .env("FERRY_DATA_DIR", dir.path().join("node"))
        .env("FERRY_NODE_ADDR", free_addr().to_string())
        .env_remove("FERRY_NODE_TOKEN")
        .output()
        .await
        .unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("invalid setting node_token (env FERRY_NODE_TOKEN)"),
        "{message}"
    );

    let node_addr = free_addr();
    let mut node = start_node(&dir.path().join("node"), node_addr).await;
    let wrong = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("serve")
        .env("FERRY_DATA_DIR", dir.path().join("gateway"))
        .env("FERRY_HTTP_ADDR", free_addr().to_string())
        .env("FERRY_GATEWAY_ADDR", free_addr().to_string())
        .env("FERRY_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("FERRY_NODE_URL", format!("http://{node_addr}"))
        .env("FERRY_NODE_TOKEN", format!("{NODE_TOKEN}-not-the-same"))
        .output()
        .await
        .unwrap();
    assert!(!wrong.status.success());
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(message.contains("node_token"), "{message}");
    assert!(!message.contains(NODE_TOKEN), "the token is never printed");
    node.kill().await.unwrap();
}
