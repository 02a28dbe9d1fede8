//! Raw HTTP/1.1 requests, one connection each: the package API, tus, downloads.

use std::net::SocketAddr;

use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// A response: status, headers (lower-case names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

pub fn request_head(
    method: &str,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, String)],
    len: usize,
) -> String {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {len}\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// One request on its own connection.
pub async fn call(
    method: &str,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = request_head(method, addr, path, headers, body.len());
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

pub async fn api(web: SocketAddr, path: &str, cookie: Option<&str>, body: Value) -> Answer {
    let mut headers = vec![
        ("Content-Type", "application/json".to_owned()),
        ("X-Ferry-Request", "1".to_owned()),
    ];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie.to_owned()));
    }
    call("POST", web, path, &headers, body.to_string().as_bytes()).await
}

pub fn tus_headers(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Tus-Resumable", "1.0.0".to_owned()),
        ("Authorization", format!("Bearer {token}")),
    ]
}

pub async fn patch(
    gateway: SocketAddr,
    url: &str,
    token: &str,
    offset: usize,
    bytes: &[u8],
) -> Answer {
    let mut headers = tus_headers(token);
    headers.push(("Content-Type", "application/offset+octet-stream".to_owned()));
    headers.push(("Upload-Offset", offset.to_string()));
    call("PATCH", gateway, url, &headers, bytes).await
}

/// A GET of the package API on its own connection, as the holder of `cookie`.
pub async fn get(web: SocketAddr, path: &str, cookie: &str) -> Answer {
    call("GET", web, path, &[("Cookie", cookie.to_owned())], b"").await
}
