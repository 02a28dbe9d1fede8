//! A sender with a draft, a transfer spec and a tus upload of one file; resuming and checking it.

use std::{net::SocketAddr, path::Path, time::Duration};

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    crash::http::{api, call, patch, request_head, tus_headers},
    crash::process::ADMIN_PASSWORD,
};

pub const CHUNK: usize = 1 << 20;

pub fn objects(data: &Path) -> Vec<std::path::PathBuf> {
    let root = data.join("storage").join("objects");
    let mut found = vec![];
    for shard in std::fs::read_dir(root).unwrap() {
        for entry in std::fs::read_dir(shard.unwrap().path()).unwrap() {
            found.push(entry.unwrap().path());
        }
    }
    found
}

/// `len` bytes that are not all the same.
pub fn test_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8) ^ (i >> 11) as u8).collect()
}

/// A tus upload of one file: its URL and the transfer token that may write it, and the package
/// and file it belongs to.
pub struct Upload {
    pub url: String,
    pub token: String,
    pub package: i64,
    pub file: i64,
}

/// Signs `username` in on `web`; the session cookie (`name=value`).
pub async fn sign_in(web: SocketAddr, username: &str, password: &str) -> String {
    let signed_in = api(
        web,
        "/api/v1/session",
        None,
        json!({ "username": username, "password": password }),
    )
    .await;
    assert_eq!(signed_in.status, 200);
    signed_in
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Signs in as the admin, makes a draft to itself declaring `big.bin` of `len` bytes, and creates
/// its tus upload.
pub async fn new_upload(web: SocketAddr, gateway: SocketAddr, len: usize) -> Upload {
    let cookie = sign_in(web, "admin", ADMIN_PASSWORD).await;
    let draft = json!({ "title": "Crash test", "recipients": ["admin"] });
    new_package(web, gateway, &cookie, draft, len).await
}

/// Makes the draft `package` (a `NewPackage`) as the holder of `cookie`, declaring `big.bin` of
/// `len` bytes, and creates its tus upload.
pub async fn new_package(
    web: SocketAddr,
    gateway: SocketAddr,
    cookie: &str,
    package: Value,
    len: usize,
) -> Upload {
    let draft = api(web, "/api/v1/packages", Some(cookie), package).await;
    assert_eq!(
        draft.status,
        201,
        "{}",
        String::from_utf8_lossy(&draft.body)
    );
    let package = draft.json()["id"].as_i64().unwrap();
    let spec = api(
        web,
        &format!("/api/v1/packages/{package}/transfer_spec/upload"),
        Some(cookie),
        json!({ "files": [{ "name": "big.bin", "size": len }] }),
    )
    .await;
    assert_eq!(spec.status, 200, "{}", String::from_utf8_lossy(&spec.body));
    let spec = spec.json();
    let token = spec["token"].as_str().unwrap().to_owned();
    let file = spec["files"][0]["id"].as_i64().unwrap();

    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut headers = tus_headers(&token);
    headers.push(("Upload-Length", len.to_string()));
    headers.push((
        "Upload-Metadata",
        format!(
            "file_id {},filename {}",
            b64(&file.to_string()),
            b64("big.bin")
        ),
    ));
    let created = call("POST", gateway, "/tus/", &headers, b"").await;
    assert_eq!(created.status, 201);
    Upload {
        url: created.header("location").unwrap().to_owned(),
        token,
        package,
        file,
    }
}

/// Starts a PATCH at `offset` that declares `declared` bytes but sends only `sent`; the caller
/// decides what happens to the connection.
pub async fn half_sent_patch(
    gateway: SocketAddr,
    upload: &Upload,
    offset: usize,
    declared: usize,
    sent: &[u8],
) -> TcpStream {
    let mut stream = TcpStream::connect(gateway).await.unwrap();
    let mut headers = tus_headers(&upload.token);
    headers.push(("Content-Type", "application/offset+octet-stream".to_owned()));
    headers.push(("Upload-Offset", offset.to_string()));
    let head = request_head("PATCH", gateway, &upload.url, &headers, declared);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

/// Waits until the local-disk node under `data` has written more than `len` bytes of `upload` to
/// its file: an append is under way, so the gateway holds the upload's lease.
pub async fn written_past(data: &Path, upload: &Upload, len: usize) {
    let id = upload.url.rsplit('/').next().unwrap();
    let part = data.join("storage/uploads").join(format!("{id}.part"));
    eventually("the node writes the upload", || async {
        let written = std::fs::metadata(&part).map_or(0, |file| file.len());
        (written > len as u64).then_some(())
    })
    .await;
}

/// Kills the transfer node `node` under the PATCH in flight on `stream`: the gateway answers that
/// PATCH 500, and the upload's offset stays at `acknowledged`, what the node made durable before.
pub async fn kill_node_under_patch(
    node: &mut tokio::process::Child,
    mut stream: TcpStream,
    gateway: SocketAddr,
    upload: &Upload,
    acknowledged: usize,
) {
    node.kill().await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer))
        .await
        .expect("the gateway answers when its node dies")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
    assert_eq!(
        offset_of(gateway, upload).await,
        acknowledged,
        "bytes the node never acknowledged are not counted"
    );
}

/// The upload's offset as the gateway tells it (`HEAD`).
pub async fn offset_of(gateway: SocketAddr, upload: &Upload) -> usize {
    let head = call(
        "HEAD",
        gateway,
        &upload.url,
        &tus_headers(&upload.token),
        b"",
    )
    .await;
    assert_eq!(head.status, 200);
    head.header("upload-offset").unwrap().parse().unwrap()
}

/// Sends the rest of `bytes` from `offset`, a `CHUNK` per PATCH.
pub async fn finish(gateway: SocketAddr, upload: &Upload, offset: usize, bytes: &[u8]) {
    let mut at = offset;
    while at < bytes.len() {
        let end = (at + CHUNK).min(bytes.len());
        let answer = patch(gateway, &upload.url, &upload.token, at, &bytes[at..end]).await;
        assert_eq!(
            answer.status,
            204,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        at = end;
    }
}

/// The one object published under `data`, which must be exactly `bytes`.
pub fn assert_published(data: &Path, bytes: &[u8]) {
    let published = objects(data);
    assert_eq!(published.len(), 1);
    let stored = std::fs::read(&published[0]).unwrap();
    assert!(stored == bytes, "the published file is byte-identical");
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&stored)),
        hex::encode(sha2::Sha256::digest(bytes))
    );
}

/// Polls `check` until it answers `Some`, for at most 30 seconds (`what` names what is awaited).
pub async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
