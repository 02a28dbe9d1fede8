//! How the gateway's HTTP/1.1 server (hyper) frames a PATCH body it cannot trust, before any of
//! Ferry's code sees the request: with both `Transfer-Encoding: chunked` and `Content-Length`, the
//! chunked encoding alone counts (the `Content-Length` is dropped) and the connection is closed
//! after the answer, as RFC 9112 (6.1, 6.3) allows, so nothing can be smuggled behind the body; a
//! malformed `Content-Length` is refused (400) and the connection closed.

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    crash::http::tus_headers,
    crash::process::{free_addr, start},
    crash::support::{new_upload, offset_of},
};

/// Sends `head` (ending in its blank line) and `body` on a connection of its own; what came back
/// before the server closed it.
async fn exchange(gateway: std::net::SocketAddr, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(gateway).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_framed_two_ways_counts_as_chunked_and_ends_the_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (web, gateway) = (free_addr(), free_addr());
    let mut server = start(dir.path(), web, gateway, None).await;
    let upload = new_upload(web, gateway, 10).await;
    let mut head = format!("PATCH {} HTTP/1.1\r\nHost: {gateway}\r\n", upload.url);
    for (name, value) in tus_headers(&upload.token) {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n");

    let two_ways = format!("{head}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
    let answer = exchange(gateway, &two_ways, b"5\r\n01234\r\n0\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    assert!(answer.contains("upload-offset: 5\r\n"), "{answer}");
    assert!(answer.contains("connection: close\r\n"), "{answer}");
    assert_eq!(offset_of(gateway, &upload).await, 5);

    let malformed = format!("{head}Content-Length: 5, 6\r\n\r\n");
    let answer = exchange(gateway, &malformed, b"56789").await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("connection: close\r\n"), "{answer}");
    assert_eq!(offset_of(gateway, &upload).await, 5, "nothing was written");
    server.kill().await.unwrap();
}
