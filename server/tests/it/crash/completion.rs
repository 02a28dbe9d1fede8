//! `ferry serve` killed at each step of completing a file (`FERRY_TEST_CRASH_AT`, see
//! `ferry_server::fault`), with its node in-process on local disk, as a separate `ferry node`, and
//! on S3; and a separate node stopped gracefully (SIGTERM, as in an upgrade) as a file completes.
//! Each time the file completes, on the next PATCH or at start-up, the package is sent exactly
//! once, and once an admin deleted its files no byte of it is left under any data dir or in the
//! bucket.

use std::{net::SocketAddr, time::Duration};

use tokio::{io::AsyncWriteExt, net::TcpStream, process::Child};

use crate::{
    crash::http::{call, patch, request_head, tus_headers},
    crash::process::{ADMIN_PASSWORD, start_node, start_node_logging},
    crash::site::{Backend, Site, assert_downloads_as, delete_files, package_state, payload},
    crash::support::{
        CHUNK, Upload, eventually, half_sent_patch, new_upload, offset_of, sign_in, written_past,
    },
};

/// Sends `bytes` from `offset` to the end in one PATCH to a server that aborts on the way: no
/// answer comes, and the process ends.
async fn patch_into_crash(
    server: &mut Child,
    gateway: SocketAddr,
    upload: &Upload,
    offset: usize,
    bytes: &[u8],
) {
    let mut stream = TcpStream::connect(gateway).await.unwrap();
    let mut headers = tus_headers(&upload.token);
    headers.push(("Content-Type", "application/offset+octet-stream".to_owned()));
    headers.push(("Upload-Offset", offset.to_string()));
    let head = request_head(
        "PATCH",
        gateway,
        &upload.url,
        &headers,
        bytes.len() - offset,
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&bytes[offset..]).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    let status = tokio::time::timeout(Duration::from_secs(60), server.wait())
        .await
        .expect("the server stops at its crash point")
        .unwrap();
    assert!(!status.success(), "{status}");
}

/// Kills `ferry serve` at `step` as the last chunk of a two-chunk file arrives, starts it again
/// and checks that the file completes (`resend`: by sending the last chunk again, as a client
/// told the old offset does; else it completed before the crash), is sent once, and leaves
/// nothing behind once deleted.
async fn killed_at(backend: Backend, step: &str, resend: bool) {
    let mut site = Site::new(backend).await;
    let bytes = payload(CHUNK + 54_321, step.len() as u64 * 7919 + backend as u64);
    let mut server = site.serve(Some(step)).await;
    let upload = new_upload(site.web, site.gateway, bytes.len()).await;
    let first = patch(site.gateway, &upload.url, &upload.token, 0, &bytes[..CHUNK]).await;
    assert_eq!(first.status, 204);
    patch_into_crash(&mut server, site.gateway, &upload, CHUNK, &bytes).await;

    let mut server = site.serve(None).await;
    let cookie = sign_in(site.web, "admin", ADMIN_PASSWORD).await;
    let offset = offset_of(site.gateway, &upload).await;
    if resend {
        assert_eq!(offset, CHUNK, "the last chunk was never acknowledged");
        assert_eq!(
            package_state(&site, &cookie, &upload).await,
            ("draft".into(), 0)
        );
        let last = patch(
            site.gateway,
            &upload.url,
            &upload.token,
            CHUNK,
            &bytes[CHUNK..],
        )
        .await;
        assert_eq!(last.status, 204, "{}", String::from_utf8_lossy(&last.body));
        assert_eq!(
            last.header("upload-offset"),
            Some(bytes.len().to_string().as_str())
        );
    } else {
        assert_eq!(offset, bytes.len());
    }
    assert_eq!(
        package_state(&site, &cookie, &upload).await,
        ("sent".into(), 1)
    );
    assert_downloads_as(&site, &cookie, &upload, &bytes).await;

    delete_files(&site, &cookie, &upload).await;
    server.kill().await.unwrap();
    if let Some(mut node) = site.node.take() {
        node.kill().await.unwrap();
    }
    site.assert_nothing_left_of(&bytes).await;
}

macro_rules! crash_tests {
    ($($name:ident: $backend:expr, $step:literal, $resend:literal;)*) => {$(
        #[tokio::test]
        async fn $name() {
            killed_at($backend, $step, $resend).await;
        }
    )*};
}

crash_tests! {
    local_killed_after_append: Backend::Local, "completion:after_append", true;
    local_killed_after_publish: Backend::Local, "completion:after_publish", true;
    local_killed_after_complete: Backend::Local, "completion:after_complete", false;
    local_killed_after_discard: Backend::Local, "completion:after_discard", false;
    separate_node_killed_after_append: Backend::SeparateNode, "completion:after_append", true;
    separate_node_killed_after_publish: Backend::SeparateNode, "completion:after_publish", true;
    separate_node_killed_after_complete: Backend::SeparateNode, "completion:after_complete", false;
    separate_node_killed_after_discard: Backend::SeparateNode, "completion:after_discard", false;
    s3_killed_after_append: Backend::S3, "completion:after_append", true;
    s3_killed_after_publish: Backend::S3, "completion:after_publish", true;
    s3_killed_after_complete: Backend::S3, "completion:after_complete", false;
    s3_killed_after_discard: Backend::S3, "completion:after_discard", false;
}

/// A separate node stopped gracefully (SIGTERM) while the last chunk is on its way: the node
/// finishes that append and exits, so publishing the file fails. The PATCH fails too, with the
/// offset before the chunk, and once the node is back the chunk sent again completes the file.
#[tokio::test]
async fn a_node_stopped_at_completion_fails_the_patch_and_the_resent_chunk_completes() {
    node_stopped_at_completion(true).await;
}

/// The same with a client that does not wait for the answer: the failed completion is logged all
/// the same, with its upload, file and package.
#[tokio::test]
async fn a_completion_failing_after_its_client_left_is_logged() {
    node_stopped_at_completion(false).await;
}

async fn node_stopped_at_completion(client_waits: bool) {
    let mut site = Site::new(Backend::SeparateNode).await;
    site.node.take().unwrap().kill().await.unwrap();
    let (node, mut log) = start_node_logging(&site.node_dir(), site.node_addr).await;
    let bytes = payload(3 * CHUNK + 77_777, 42);
    let mut server = site.serve(None).await;
    let upload = new_upload(site.web, site.gateway, bytes.len()).await;
    let first = patch(site.gateway, &upload.url, &upload.token, 0, &bytes[..CHUNK]).await;
    assert_eq!(first.status, 204);

    // Half the last chunk reaches the node's file; then the node is told to stop, and once it
    // says it is finishing its in-flight requests, the rest goes.
    let half = CHUNK + (bytes.len() - CHUNK) / 2;
    let sent = &bytes[CHUNK..half];
    let mut stream = half_sent_patch(site.gateway, &upload, CHUNK, bytes.len() - CHUNK, sent).await;
    written_past(&site.node_dir(), &upload, CHUNK).await;
    let mut node = node;
    let pid = node.id().unwrap().to_string();
    let signalled = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await;
    assert!(signalled.unwrap().success());
    while let Some(line) = log.recv().await {
        if line.contains("shutting down") {
            break;
        }
    }
    stream.write_all(&bytes[half..]).await.unwrap();
    if client_waits {
        let mut answer = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer)
            .await
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 5"), "{answer}");
    } else {
        drop(stream);
    }
    let id = upload.url.rsplit('/').next().unwrap();
    let logged = [
        "completing a file failed".to_owned(),
        format!("upload.id={id}"),
        format!("file.id={}", upload.file),
        format!("package.id={}", upload.package),
    ];
    let log_file = site.gateway_dir().join("logs/gateway.log");
    eventually("the failed completion is logged", || async {
        let log = std::fs::read_to_string(&log_file).unwrap_or_default();
        log.lines()
            .any(|line| logged.iter().all(|part| line.contains(part.as_str())))
            .then_some(())
    })
    .await;
    let exited = tokio::time::timeout(Duration::from_secs(60), node.wait()).await;
    assert!(exited.expect("the node stops").unwrap().success());

    let cookie = sign_in(site.web, "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        offset_of(site.gateway, &upload).await,
        CHUNK,
        "the offset is not final"
    );
    assert_eq!(
        package_state(&site, &cookie, &upload).await,
        ("draft".into(), 0)
    );

    site.node = Some(start_node(&site.node_dir(), site.node_addr).await);
    let last = patch(
        site.gateway,
        &upload.url,
        &upload.token,
        CHUNK,
        &bytes[CHUNK..],
    )
    .await;
    assert_eq!(last.status, 204, "{}", String::from_utf8_lossy(&last.body));
    assert_eq!(
        package_state(&site, &cookie, &upload).await,
        ("sent".into(), 1)
    );
    assert_downloads_as(&site, &cookie, &upload, &bytes).await;

    delete_files(&site, &cookie, &upload).await;
    server.kill().await.unwrap();
    site.node.take().unwrap().kill().await.unwrap();
    site.assert_nothing_left_of(&bytes).await;
}

/// `ferry serve` killed while joining a file's parts (tus concatenation), after publishing it: the
/// final upload is at its full offset with its file pending, and the restarted server finishes
/// it at start-up, with no request from the client.
#[tokio::test]
async fn a_final_upload_cut_short_is_finished_at_start_up() {
    let site = Site::new(Backend::Local).await;
    let bytes = payload(2 * CHUNK + 999, 7);
    let mut server = site.serve(Some("completion:after_publish")).await;
    let upload = new_upload(site.web, site.gateway, bytes.len()).await;
    let parts = [&bytes[..CHUNK], &bytes[CHUNK..]];
    let mut urls = vec![];
    for part in parts {
        let mut headers = tus_headers(&upload.token);
        headers.push(("Upload-Length", part.len().to_string()));
        headers.push(("Upload-Concat", "partial".to_owned()));
        headers.push(("Upload-Metadata", metadata(upload.file)));
        let created = call("POST", site.gateway, "/tus/", &headers, b"").await;
        assert_eq!(created.status, 201);
        let url = created.header("location").unwrap().to_owned();
        let sent = patch(site.gateway, &url, &upload.token, 0, part).await;
        assert_eq!(sent.status, 204);
        urls.push(url);
    }
    let mut headers = tus_headers(&upload.token);
    headers.push(("Upload-Concat", format!("final;{}", urls.join(" "))));
    headers.push(("Upload-Metadata", metadata(upload.file)));
    let mut stream = TcpStream::connect(site.gateway).await.unwrap();
    let head = request_head("POST", site.gateway, "/tus/", &headers, 0);
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert!(!server.wait().await.unwrap().success());

    let mut server = site.serve(None).await;
    let cookie = sign_in(site.web, "admin", ADMIN_PASSWORD).await;
    let sent = eventually("start-up housekeeping sends the package", || async {
        let state = package_state(&site, &cookie, &upload).await;
        (state.0 == "sent").then_some(state)
    })
    .await;
    assert_eq!(sent, ("sent".into(), 1));
    assert_downloads_as(&site, &cookie, &upload, &bytes).await;
    delete_files(&site, &cookie, &upload).await;
    server.kill().await.unwrap();
    site.assert_nothing_left_of(&bytes).await;
}

/// `Upload-Metadata` naming `file`.
fn metadata(file: i64) -> String {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        "file_id {},filename {}",
        b64(&file.to_string()),
        b64("big.bin")
    )
}
