//! What a real `ferry serve` writes to its log at level `info`: enough for an investigation (the
//! client's address on every request line, the user once authenticated, a clear line for a failed
//! sign-in) and never a secret (passwords, session values, transfer tokens).

use std::process::Stdio;

use serde_json::json;

use crate::{
    crash::http::{api, call},
    crash::process::{ADMIN_PASSWORD, free_addr},
    crash::support::{eventually, finish, new_upload, test_bytes},
};

#[tokio::test]
async fn request_lines_name_the_client_and_the_user_and_never_a_secret() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let log_path = temp.path().join("stderr.log");
    let (web, gateway) = (free_addr(), free_addr());
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("serve")
        .env("FERRY_DATA_DIR", &data)
        .env("FERRY_HTTP_ADDR", web.to_string())
        .env("FERRY_GATEWAY_ADDR", gateway.to_string())
        .env("FERRY_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("FERRY_WEB_DIR", data.join("no-web-app"))
        .env("FERRY_LOG", "info")
        .env_remove("FERRY_NODE_URL")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    eventually("ferry serve answers", || async {
        let ready = tokio::net::TcpStream::connect(web).await.is_ok();
        ready.then_some(())
    })
    .await;

    let wrong_password = "a-wrong-password-9f3e1c";
    let wrong = api(
        web,
        "/api/v1/session",
        None,
        json!({ "username": "admin", "password": wrong_password }),
    )
    .await;
    assert_eq!(wrong.status, 401);
    let bytes = test_bytes(10_000);
    let upload = new_upload(web, gateway, bytes.len()).await;
    finish(gateway, &upload, 0, &bytes).await;
    let cookie = crate::crash::support::sign_in(web, "admin", ADMIN_PASSWORD).await;
    let me = call(
        "GET",
        web,
        "/api/v1/session",
        &[("Cookie", cookie.clone())],
        b"",
    )
    .await;
    assert_eq!(me.status, 200);
    let spec = api(
        web,
        &format!("/api/v1/packages/{}/transfer_spec/download", upload.package),
        Some(&cookie),
        json!({}),
    )
    .await;
    assert_eq!(spec.status, 200);
    let download_token = spec.json()["token"].as_str().unwrap().to_owned();
    let got = call(
        "GET",
        gateway,
        &format!("/files/{}", upload.file),
        &[("Authorization", format!("Bearer {download_token}"))],
        b"",
    )
    .await;
    assert_eq!(got.body, bytes);

    server.kill().await.unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    let failed = log
        .lines()
        .find(|line| line.contains("sign-in failed"))
        .unwrap_or_else(|| panic!("a line for the failed sign-in in {log}"));
    assert!(failed.contains("127.0.0.1"), "{failed}");
    assert!(
        log.lines()
            .any(|line| line.contains("route=\"/api/v1/session\"")
                && line.contains("client.address=127.0.0.1")),
        "web request lines name the client: {log}"
    );
    assert!(
        log.lines()
            .any(|line| line.contains("gateway_request")
                && line.contains("client.address=127.0.0.1")),
        "gateway request lines name the client: {log}"
    );
    assert!(log.contains("user.id=1"), "the authenticated user: {log}");
    let (package, file) = (
        format!("package.id={}", upload.package),
        format!("file.id={}", upload.file),
    );
    assert!(
        log.lines().any(|line| line.contains("gateway_request")
            && line.contains("PATCH")
            && line.contains(&package)
            && line.contains(&file)
            && line.contains("bytes=10000")
            && line.contains("status=204")),
        "the PATCH's line names its package, file and bytes: {log}"
    );
    assert!(
        log.lines().any(|line| line.contains("download ended")
            && line.contains(&package)
            && line.contains(&file)
            && line.contains("user.id=1")
            && line.contains("bytes=10000")),
        "a download says what it sent when it ends: {log}"
    );
    let session_value = cookie.split_once('=').unwrap().1;
    for secret in [
        wrong_password,
        ADMIN_PASSWORD,
        session_value,
        upload.token.as_str(),
        download_token.as_str(),
    ] {
        assert!(!log.contains(secret), "{secret:?} is in the log");
    }
}
