//! The gateway process (`ferry serve`, node in-process) killed mid-upload.

use crate::{
    crash::http::patch,
    crash::process::{free_addr, start},
    crash::support::{
        CHUNK, assert_published, finish, half_sent_patch, new_upload, objects, offset_of,
        test_bytes, written_past,
    },
};

#[tokio::test]
async fn a_killed_server_resumes_the_upload_and_never_publishes_part_of_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path();
    let (web, gateway) = (free_addr(), free_addr());
    let bytes = test_bytes(3 * CHUNK + 12_345);

    let mut server = start(data_dir, web, gateway, None).await;
    let upload = new_upload(web, gateway, bytes.len()).await;
    let first = patch(gateway, &upload.url, &upload.token, 0, &bytes[..CHUNK]).await;
    assert_eq!(first.status, 204);
    assert_eq!(
        first.header("upload-offset"),
        Some(CHUNK.to_string().as_str())
    );

    // The next chunk is partly sent, and partly written (the server holds the upload's lease),
    // when the server dies.
    let sent = CHUNK + 3 * CHUNK / 4;
    let stream = half_sent_patch(gateway, &upload, CHUNK, CHUNK, &bytes[CHUNK..sent]).await;
    written_past(data_dir, &upload, CHUNK).await;
    server.kill().await.unwrap();
    drop(stream);
    assert!(objects(data_dir).is_empty(), "nothing is published");

    let mut server = start(data_dir, web, gateway, None).await;
    let offset = offset_of(gateway, &upload).await;
    assert!(
        (CHUNK..=sent).contains(&offset),
        "resumes from acknowledged (or durably written) bytes: {offset}"
    );
    assert!(objects(data_dir).is_empty(), "still nothing is published");

    // The restarted server is the same instance (it owns the data dir again), so the lease the
    // killed one held on the upload does not answer 423 Locked: the next PATCH goes on at once.
    finish(gateway, &upload, offset, &bytes).await;
    assert_published(data_dir, &bytes);
    server.kill().await.unwrap();
}
