//! What the archive tests share: fetching a package's ZIP (whole, ranged, cut short), its link, and
//! checking an archive with the real tools, Debian's `unzip` and Python's `zipfile`.

use std::{io::Write, process::Command};

use app::paths;
use axum::{
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode},
};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::{
    common::{TestRequest, TestResponse},
    sending::Sent,
};

/// A fetched archive (or part of one).
pub struct Fetched {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> &str {
        self.headers[name].to_str().unwrap()
    }
}

pub fn zip_path(package: i64) -> String {
    paths::GATEWAY_PACKAGE_ZIP.replace("{package_id}", &package.to_string())
}

/// `method` of `uri` on the gateway with `headers` (a bearer token among them, if any).
fn request(method: Method, uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

/// `GET` of package `package`'s archive with the spec token `token` and `headers`.
pub async fn get_zip(sent: &Sent, token: &str, package: i64, headers: &[(&str, &str)]) -> Fetched {
    let auth = format!("Bearer {token}");
    let mut all = vec![("authorization", auth.as_str())];
    all.extend_from_slice(headers);
    get_uri(sent, &zip_path(package), &all).await
}

/// `GET` of a gateway `uri` (with its query), read whole.
pub async fn get_uri(sent: &Sent, uri: &str, headers: &[(&str, &str)]) -> Fetched {
    fetch(sent, Method::GET, uri, headers).await
}

pub async fn fetch(sent: &Sent, method: Method, uri: &str, headers: &[(&str, &str)]) -> Fetched {
    let response = sent
        .app
        .gateway
        .clone()
        .oneshot(request(method, uri, headers))
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Fetched {
        status,
        headers,
        bytes: bytes.to_vec(),
    }
}

/// The first `keep` bytes of a `GET` of `uri`, then the client goes away (the body is dropped).
pub async fn get_cut(sent: &Sent, uri: &str, headers: &[(&str, &str)], keep: usize) -> Vec<u8> {
    let response = sent
        .app
        .gateway
        .clone()
        .oneshot(request(Method::GET, uri, headers))
        .await
        .unwrap();
    assert!(response.status().is_success());
    let mut stream = response.into_body().into_data_stream();
    let mut got = Vec::new();
    while got.len() < keep {
        let chunk = stream.next().await.unwrap().unwrap();
        got.extend_from_slice(&chunk);
    }
    drop(stream);
    got.truncate(keep);
    got
}

/// `POST …/zip/link` for `package` as the holder of `cookie`.
pub async fn zip_link(sent: &Sent, cookie: &str, package: i64) -> TestResponse {
    let path = paths::with_id(paths::PACKAGE_ZIP_LINK, package);
    sent.app
        .call(TestRequest::post(&path, json!({})).cookie(cookie))
        .await
}

/// The path and query of a link's URL (the gateway is driven without a socket).
pub fn path_of(url: &str) -> String {
    url[url.find("/packages/").unwrap()..].to_owned()
}

/// A link's path and query for `cookie`'s holder, asserting it was given.
pub async fn link_uri(sent: &Sent, cookie: &str, package: i64) -> String {
    let answer = zip_link(sent, cookie, package).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    path_of(answer.body["url"].as_str().unwrap())
}

/// Writes `archive` to a temp file, has `unzip -t` test it (every CRC checked), and returns what
/// Python's `zipfile` reads in it: `[name, size, sha256]` per entry, in order.
pub fn check_with_tools(archive: &[u8]) -> Vec<(String, u64, String)> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(archive).unwrap();
    file.flush().unwrap();
    check_file_with_tools(file.path(), true)
}

/// [`check_with_tools`] on an archive already on disk; `read_all`: also read every entry in
/// Python (else only the sizes and names are listed).
pub fn check_file_with_tools(path: &std::path::Path, read_all: bool) -> Vec<(String, u64, String)> {
    let unzip = Command::new("unzip")
        .args(["-t", "-qq"])
        .arg(path)
        .output()
        .expect("unzip is installed (scripts/setup)");
    assert!(
        unzip.status.success(),
        "unzip -t: {}{}",
        String::from_utf8_lossy(&unzip.stdout),
        String::from_utf8_lossy(&unzip.stderr)
    );
    let script = r#"
import hashlib, json, sys, zipfile
read_all = sys.argv[2] == "1"
with zipfile.ZipFile(sys.argv[1]) as z:
    out = []
    for info in z.infolist():
        assert info.compress_type == zipfile.ZIP_STORED, info
        assert info.flag_bits & 0x800, info
        digest = ""
        if read_all:
            h = hashlib.sha256()
            with z.open(info) as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
        out.append([info.filename, info.file_size, digest])
    print(json.dumps(out))
"#;
    let python = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .arg(if read_all { "1" } else { "0" })
        .output()
        .unwrap();
    assert!(
        python.status.success(),
        "python zipfile: {}",
        String::from_utf8_lossy(&python.stderr)
    );
    let listed: Vec<(String, u64, String)> = serde_json::from_slice(&python.stdout).unwrap();
    listed
}
