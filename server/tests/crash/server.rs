//! The gateway process (`ferry serve`, node in-process) killed mid-upload.

use crate::{
    http::patch,
    process::{free_addr, start},
    support::{
        CHUNK, assert_published, half_sent_patch, new_upload, objects, offset_of,
        resume_after_crash, test_bytes,
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

    // The next chunk is half sent when the server dies.
    let stream = half_sent_patch(
        gateway,
        &upload,
        CHUNK,
        CHUNK,
        &bytes[CHUNK..CHUNK + CHUNK / 2],
    )
    .await;
    server.kill().await.unwrap();
    drop(stream);
    assert!(objects(data_dir).is_empty(), "nothing is published");

    let mut server = start(data_dir, web, gateway, None).await;
    let offset = offset_of(gateway, &upload).await;
    assert!(
        (CHUNK..=CHUNK + CHUNK / 2).contains(&offset),
        "resumes from acknowledged (or durably written) bytes: {offset}"
    );
    assert!(objects(data_dir).is_empty(), "still nothing is published");

    resume_after_crash(gateway, &upload, offset, &bytes).await;
    assert_published(data_dir, &bytes);
    server.kill().await.unwrap();
}
