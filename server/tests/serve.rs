//! `run` on real sockets: both listeners answer, the gateway writes its own log file, and a shutdown
//! signal stops the server cleanly.

use std::time::Duration;

use ferry_server::{
    Listeners,
    cli::ServeArgs,
    config::{Config, FileConfig},
    run, telemetry,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("reads");
    response
}

#[tokio::test]
async fn serves_both_listeners_logs_the_gateway_and_stops_on_signal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ServeArgs {
        data_dir: Some(dir.path().to_owned()),
        http_addr: Some("127.0.0.1:0".into()),
        gateway_addr: Some("127.0.0.1:0".into()),
        admin_password: Some("admin-password-1".into()),
        ..ServeArgs::default()
    };
    let config = Config::merge(&args, FileConfig::default()).expect("valid config");
    let log_file = config.gateway_log.clone();
    let guard = telemetry::init(&config).expect("logging starts");
    let listeners = Listeners::bind(&config).expect("binds");
    let web = listeners.web.local_addr().expect("addr");
    let gateway = listeners.gateway.local_addr().expect("addr");

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(config, listeners, async {
        let _ = stopped.await;
    }));

    // The listeners are bound before `run`, so connections queue until it serves them.
    let health = get(web, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    let page = get(gateway, "/").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("successfully connected"));
    assert!(
        dir.path().join("ferry.db").exists(),
        "the default database is a SQLite file"
    );

    stop.send(()).expect("server still running");
    let outcome = tokio::time::timeout(Duration::from_secs(30), server).await;
    outcome
        .expect("stops within the grace period")
        .expect("no panic")
        .expect("no error");

    drop(guard); // flushes the gateway log
    let log = std::fs::read_to_string(&log_file).expect("the gateway log file exists");
    assert!(log.contains("gateway_request"), "{log}");
    assert!(log.contains("route=\"/\""), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes in the file: {log}"
    );
    assert!(
        !log.contains("/healthz"),
        "web requests stay out of the gateway log: {log}"
    );
}
