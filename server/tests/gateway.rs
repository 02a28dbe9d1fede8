//! The gateway listener's check page and `/info`.

mod common;

use axum::http::StatusCode;
use common::{Engine, TestApp, TestRequest, send};

#[tokio::test]
async fn check_page_tells_a_person_the_browser_is_connected() {
    let app = TestApp::start(Engine::Sqlite).await;
    let page = send(&app.gateway, TestRequest::get("/")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.text
            .contains("successfully connected to the Ferry HTTP gateway")
    );
    assert!(page.text.contains("plain HTTP"));
    assert!(!page.text.contains("self-signed"));
    let certificate = send(&app.gateway, TestRequest::get("/certificate.pem")).await;
    assert_eq!(certificate.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn check_page_explains_self_signed_certificates_and_offers_the_certificate() {
    let app =
        TestApp::start_with(Engine::Sqlite, |args| args.tls = Some("self-signed".into())).await;
    ferry_server::tls::rustls_config(&app.state.config)
        .await
        .unwrap();
    let page = send(&app.gateway, TestRequest::get("/")).await;
    assert!(page.text.contains("self-signed certificate"));
    let certificate = send(&app.gateway, TestRequest::get("/certificate.pem")).await;
    assert_eq!(certificate.status, StatusCode::OK);
    assert!(certificate.text.starts_with("-----BEGIN CERTIFICATE-----"));
}

#[tokio::test]
async fn info_describes_the_gateway() {
    let app = TestApp::start(Engine::Sqlite).await;
    let info = send(&app.gateway, TestRequest::get("/info")).await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.body["name"], "Ferry HTTP gateway");
    assert_eq!(info.body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info.body["tls"], false);
    assert!(info.body["protocols"].is_array());
}

#[tokio::test]
async fn self_signed_certificate_is_made_once_and_kept() {
    let app =
        TestApp::start_with(Engine::Sqlite, |args| args.tls = Some("self-signed".into())).await;
    let (cert, key) = ferry_server::tls::self_signed_paths(&app.state.config);
    ferry_server::tls::rustls_config(&app.state.config)
        .await
        .unwrap();
    let first = std::fs::read(&cert).unwrap();
    ferry_server::tls::rustls_config(&app.state.config)
        .await
        .unwrap();
    assert_eq!(
        first,
        std::fs::read(&cert).unwrap(),
        "the certificate must be reused"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the private key must be private");
    }
}
