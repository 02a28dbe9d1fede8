//! The gateway listener's check page and `/info`.

use app::types::Settings;
use axum::http::StatusCode;
use ferry_server::services::settings;

use crate::common::{Engine, TestApp, TestRequest, send};

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
async fn check_page_says_when_an_admin_has_turned_the_gateway_off() {
    let app = TestApp::start(Engine::Sqlite).await;
    let off = Settings {
        gateway_enabled: false,
        ..Settings::default()
    };
    settings::save(&app.state.db, off).await.unwrap();
    let page = send(&app.gateway, TestRequest::get("/")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("The Ferry HTTP gateway is turned off"));
    assert!(!page.text.contains("will now work"));
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

/// A client that starts a request and never finishes its headers is cut off after the header read
/// timeout (here 1 s instead of the gateway's 30), while a complete request on the same listener is
/// answered: slow or stalled clients cannot hold a connection.
#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::start(Engine::Sqlite).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = axum_server::Handle::new();
    let timeout = Duration::from_secs(1);
    let server = tokio::spawn(ferry_server::serve(
        listener,
        app.gateway.clone(),
        None,
        handle.clone(),
        Some(timeout),
        ferry_server::connections::PerAddressLimit::new(&[], 16),
    ));

    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /info HTTP/1.1\r\nHost: gateway\r\n")
        .await
        .unwrap();
    let started = Instant::now();

    let mut complete = tokio::net::TcpStream::connect(addr).await.unwrap();
    complete
        .write_all(b"GET /info HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    complete.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stalled.read_to_end(&mut rest))
        .await
        .expect("the stalled connection is closed by the server");
    let waited = started.elapsed();
    assert!(
        read.is_err() || !String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 200"),
        "no answer to half a request: {}",
        String::from_utf8_lossy(&rest)
    );
    assert!(
        waited >= timeout - Duration::from_millis(100),
        "closed only after the timeout, not at once ({waited:?})"
    );
    handle.shutdown();
    server.await.unwrap().unwrap();
}
