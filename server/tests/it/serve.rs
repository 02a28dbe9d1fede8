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

/// `ferry serve`'s configuration on `data_dir`, both listeners on free loopback ports.
fn config_in(data_dir: &std::path::Path) -> Config {
    let args = ServeArgs {
        data_dir: Some(data_dir.to_owned()),
        http_addr: Some("127.0.0.1:0".into()),
        gateway_addr: Some("127.0.0.1:0".into()),
        admin_password: Some("admin-password-1".into()),
        ..ServeArgs::default()
    };
    Config::merge(&args, FileConfig::default()).expect("valid config")
}

#[tokio::test]
async fn serves_both_listeners_logs_the_gateway_and_stops_on_signal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config_in(dir.path());
    let log_file = config.gateway_log.clone();
    // On this thread only, not for the whole process: tests in other threads have gateways of
    // their own, whose requests must not land in this log.
    let (subscriber, guard) = telemetry::subscriber(&config).expect("logging starts");
    let _logging = tracing::subscriber::set_default(subscriber);
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

/// Connects to `addr` from the loopback address `from` (127.0.0.0/8 is all loopback).
async fn connect_from(from: &str, addr: std::net::SocketAddr) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(format!("{from}:0").parse().expect("a loopback address"))?;
    socket.connect(addr).await
}

/// One client holding 2,000 idle connections (twice the usual soft open-file limit) cannot stop the
/// server: past its share its connections are closed at once, and another client is still answered
/// on both listeners. Once it lets go, it may connect again.
#[tokio::test]
async fn one_client_holding_thousands_of_connections_does_not_stop_the_server() {
    use ferry_server::connections::{MAX_PER_ADDRESS, raise_open_file_limit};

    raise_open_file_limit();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config_in(dir.path());
    let listeners = Listeners::bind(&config).expect("binds");
    let web = listeners.web.local_addr().expect("addr");
    let gateway = listeners.gateway.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(config, listeners, async {
        let _ = stopped.await;
    }));

    let mut held = Vec::new();
    for n in 0..2_000 {
        let target = if n % 2 == 0 { web } else { gateway };
        held.push(connect_from("127.0.0.3", target).await.expect("connects"));
    }
    // The server keeps MAX_PER_ADDRESS of them and closes the rest.
    let mut closed = 0;
    for stream in &mut held {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(20), stream.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert_eq!(
        closed,
        2_000 - MAX_PER_ADDRESS,
        "all past the limit are closed"
    );

    for addr in [web, gateway] {
        let mut other = connect_from("127.0.0.4", addr).await.expect("connects");
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        other.write_all(request.as_bytes()).await.expect("writes");
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(20), other.read_to_string(&mut answer))
            .await
            .expect("another client is answered")
            .expect("reads");
        assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    }

    drop(held);
    let mut again = None;
    for _ in 0..100 {
        let mut stream = connect_from("127.0.0.3", web).await.expect("connects");
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {web}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("writes");
        let mut answer = String::new();
        if stream.read_to_string(&mut answer).await.is_ok() && answer.starts_with("HTTP/1.1 200") {
            again = Some(answer);
            break;
        }
        // The server notices the closed connections as it reads them: give it a moment.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        again.is_some(),
        "the client's places are given back when it lets go"
    );

    stop.send(()).expect("server still running");
    server.await.expect("no panic").expect("no error");
}
