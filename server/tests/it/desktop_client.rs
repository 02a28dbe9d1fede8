//! The desktop client offered for download by the web listener: streamed with its SHA-256, without
//! sign-in, announced in `/api/v1/config`, and a 404 in the API's error shape when there is none.

use app::paths;
use axum::http::StatusCode;
use ferry_server::{
    cli::ServeArgs,
    config::{Config, FileConfig},
};

use crate::common::{Engine, TestApp, TestRequest};

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn without_a_binary_nothing_is_offered() {
    // The test binary's directory holds no `ferry-desktop`.
    let app = TestApp::start(Engine::Sqlite).await;
    let config = app.call(TestRequest::get(paths::CLIENT_CONFIG)).await;
    assert_eq!(config.status, StatusCode::OK);
    assert!(
        config.body.get("desktop_client_sha256").is_none(),
        "{}",
        config.text
    );
    for path in [
        paths::DESKTOP_CLIENT_LINUX_X86_64,
        paths::DESKTOP_CLIENT_LINUX_X86_64_SHA256,
    ] {
        let response = app.call(TestRequest::get(path)).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.error_code(),
            "not_found",
            "{path}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn the_binary_and_its_checksum_are_served_to_anyone() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("ferry-desktop");
    let bytes = b"#!/bin/sh\necho 'a dummy ferry-desktop'\n".repeat(50_000);
    std::fs::write(&binary, &bytes).unwrap();
    let app = TestApp::start_with(Engine::Sqlite, |args| {
        args.desktop_client = Some(binary.clone());
    })
    .await;

    let config = app.call(TestRequest::get(paths::CLIENT_CONFIG)).await;
    assert_eq!(config.body["desktop_client_sha256"], sha256_hex(&bytes));

    let (status, headers, body) = get_bytes(&app, paths::DESKTOP_CLIENT_LINUX_X86_64).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, bytes, "the file, whole");
    assert_eq!(headers["content-length"], bytes.len().to_string().as_str());
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"ferry-desktop-linux-x86_64\""
    );
    let line = app
        .call(TestRequest::get(paths::DESKTOP_CLIENT_LINUX_X86_64_SHA256))
        .await;
    assert_eq!(line.status, StatusCode::OK);
    assert_eq!(
        line.text,
        format!("{}  ferry-desktop-linux-x86_64\n", sha256_hex(&bytes))
    );

    // A rebuilt binary is offered with its own checksum.
    let rebuilt = b"a newer build".to_vec();
    std::fs::write(&binary, &rebuilt).unwrap();
    let config = app.call(TestRequest::get(paths::CLIENT_CONFIG)).await;
    assert_eq!(config.body["desktop_client_sha256"], sha256_hex(&rebuilt));
    let (_, _, body) = get_bytes(&app, paths::DESKTOP_CLIENT_LINUX_X86_64).await;
    assert_eq!(body, rebuilt);
}

#[test]
fn a_configured_binary_must_exist() {
    let args = ServeArgs {
        desktop_client: Some("/nonexistent/ferry-desktop".into()),
        ..ServeArgs::default()
    };
    let error = Config::merge(&args, FileConfig::default()).unwrap_err();
    assert_eq!(error.name, "desktop_client");
    assert!(
        error.to_string().contains("FERRY_DESKTOP_CLIENT"),
        "{error}"
    );
}

async fn get_bytes(app: &TestApp, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.web.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body.to_vec())
}
