//! A fake server answering `receive` with paths that try to leave the target folder, and a target
//! folder with links planted in it: the client writes nothing outside the target folder, follows
//! no link, and says which paths it refused.

use axum::{
    Json, Router,
    extract::Path as UrlPath,
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
};

use super::*;

/// The files the fake package has: (path, bytes).
fn files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("../../etc/x", b"escape by dot-dot"),
        ("/abs", b"absolute"),
        ("a/../../b", b"dot-dot in the middle"),
        ("..\\..\\win", b"backslashes"),
        ("C:/drive", b"drive letter"),
        ("nul.txt", b"device name"),
        ("line\nbreak", b"control character"),
        ("linked/x", b"through a planted folder link"),
        ("planted.txt", b"onto a planted file link"),
        ("ok/fine.txt", b"a plain file"),
    ]
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A package API and gateway in one, answering one package (id 7) with [`files`].
async fn fake_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let gateway = base.clone();
    let package = move || {
        let files: Vec<Value> = files()
            .iter()
            .enumerate()
            .map(|(n, (path, bytes))| {
                json!({"id": n, "name": path.rsplit('/').next(), "path": path, "size": bytes.len(),
                       "state": "complete", "sha256": sha(bytes)})
            })
            .collect();
        json!({
            "id": 7, "title": "Hostile", "sender": {"id": 1, "username": "mallory", "display_name": "M"},
            "recipients": [], "state": "sent", "file_count": files.len(), "total_size": 0,
            "created_at": "2026-01-01T00:00:00Z", "sent_at": "2026-01-01T00:00:00Z",
            "my_download_state": "not_downloaded", "files_deleted_at": null, "note": "",
            "expiration": {"kind": "none"}, "files": files, "recipient_status": null, "can_delete": false,
        })
    };
    let spec = move || {
        let files: Vec<Value> = files()
            .iter()
            .enumerate()
            .map(|(n, (path, bytes))| {
                json!({"id": n, "name": path.rsplit('/').next(), "path": path, "size": bytes.len(),
                       "complete": true, "url": format!("{gateway}/files/{n}"), "sha256": sha(bytes)})
            })
            .collect();
        json!({
            "transfer_type": "http_gateway", "direction": "receive", "client": "desktop", "package_id": 7,
            "gateway_url": gateway, "tus_endpoint": null, "files": files, "chunk_size": 1 << 20,
            "parallel": 1, "expires_at": "2099-01-01T00:00:00Z", "token": "fake-token",
        })
    };
    let router = Router::new()
        .route(paths::PACKAGE, get(move || async move { Json(package()) }))
        .route(
            paths::PACKAGE_DOWNLOAD_SPEC,
            post(move || async move { Json(spec()) }),
        )
        .route(
            paths::GATEWAY_FILE,
            get(|UrlPath(n): UrlPath<usize>| async move {
                match files().get(n) {
                    Some((_, bytes)) => (StatusCode::OK, bytes.to_vec()).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_server_writes_nothing_outside_the_target_dir() {
    let url = fake_server().await;
    let base = tempfile::tempdir().unwrap();
    let outside = base.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let target = base.path().join("deep/er/target");
    std::fs::create_dir_all(&target).unwrap();
    std::os::unix::fs::symlink(&outside, target.join("linked")).unwrap();
    std::os::unix::fs::symlink(outside.join("planted.txt"), target.join("planted.txt")).unwrap();
    let before = tree(base.path());

    let desktop = Desktop::new(&url, Some("any-token"));
    let dir = target.display().to_string();
    let ran = desktop
        .run(&["--json", "receive", "7", "--dir", &dir])
        .await;
    assert_eq!(
        ran.code, 1,
        "refused paths fail the receive: {}\n{}",
        ran.stdout, ran.stderr
    );

    assert_eq!(
        tree(&outside),
        BTreeMap::new(),
        "nothing written through the links"
    );
    let mut after = tree(base.path());
    let fine = after.remove("deep/er/target/ok/fine.txt");
    assert_eq!(fine, Some(sha(b"a plain file")), "the plain file is saved");
    let planted = after.remove("deep/er/target/planted (1).txt");
    assert_eq!(
        planted,
        Some(sha(b"onto a planted file link")),
        "saved beside the link, not through it"
    );
    assert_eq!(
        after,
        before,
        "nothing else was written anywhere under {}",
        base.path().display()
    );
    assert!(!Path::new("/abs").exists() && !Path::new("/b").exists());

    let refused: Vec<String> = ran
        .events()
        .into_iter()
        .filter(|e| e["event"] == "file_failed")
        .map(|e| e["path"].as_str().unwrap_or_default().to_owned())
        .collect();
    for bad in [
        "../../etc/x",
        "/abs",
        "a/../../b",
        "..\\..\\win",
        "C:/drive",
        "nul.txt",
        "linked/x",
    ] {
        assert!(
            refused.iter().any(|p| p == bad),
            "{bad:?} is refused: {refused:?}"
        );
    }
}
