//! A real S3-compatible server for tests: moto in server mode, from the project's `.venv`
//! (`scripts/setup` installs it), on a loopback port it picks itself. One server for the test
//! binary, started on first use; it stops when the test process ends (it watches its stdin, which
//! only this process holds, and exits when that closes). Each test gets a bucket of its own.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Mutex, OnceLock},
};

use ferry_server::config::{S3Settings, Storage};

/// Starts moto's threaded server on 127.0.0.1, port 0; prints the port; stops at stdin's end.
const MOTO_SCRIPT: &str = "
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
";

struct MotoServer {
    endpoint: String,
    /// Kept so its stdin stays open as long as this process lives.
    _child: Mutex<Child>,
}

/// The Python with moto: `FERRY_TEST_MOTO_PYTHON`, else the project's `.venv`.
fn python() -> String {
    std::env::var("FERRY_TEST_MOTO_PYTHON")
        .unwrap_or_else(|_| format!("{}/../.venv/bin/python", env!("CARGO_MANIFEST_DIR")))
}

fn server() -> &'static MotoServer {
    static SERVER: OnceLock<MotoServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let python = python();
        let mut child = Command::new(&python)
            .args(["-c", MOTO_SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start moto with {python} ({e}): run scripts/setup to install it")
            });
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("moto did not print its port: {line:?}"));
        MotoServer {
            endpoint: format!("http://127.0.0.1:{port}"),
            _child: Mutex::new(child),
        }
    })
}

/// A bucket of its own on the test S3 server.
#[derive(Debug, Clone)]
pub struct TestBucket {
    pub endpoint: String,
    pub name: String,
}

impl TestBucket {
    /// Creates a bucket with a unique name.
    pub async fn create() -> Self {
        let endpoint = server().endpoint.clone();
        let name = format!("ferry-test-{}", super::unique_suffix());
        let response = reqwest::Client::new()
            .put(format!("{endpoint}/{name}"))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
        Self { endpoint, name }
    }

    /// The S3 settings of this bucket (path-style, plain HTTP on loopback, test credentials).
    pub fn settings(&self) -> S3Settings {
        S3Settings {
            endpoint: Some(self.endpoint.parse().unwrap()),
            bucket: self.name.clone(),
            region: "us-east-1".into(),
            access_key_id: Some("testing".into()),
            secret_access_key: Some(ferry_server::config::Secret::new("testing")),
            path_style: true,
            allow_http: true,
        }
    }

    pub fn storage(&self) -> Storage {
        Storage::S3(self.settings())
    }

    /// The `ferry serve` flags that select this bucket.
    pub fn args(&self) -> ferry_server::cli::StorageArgs {
        ferry_server::cli::StorageArgs {
            storage: Some("s3".into()),
            s3_endpoint: Some(self.endpoint.clone()),
            s3_bucket: Some(self.name.clone()),
            s3_access_key_id: Some("testing".into()),
            s3_secret_access_key: Some("testing".into()),
            s3_path_style: Some("true".into()),
            s3_allow_http: Some("true".into()),
            ..Default::default()
        }
    }

    /// The multipart uploads in progress in this bucket (their upload ids), as the store lists them.
    pub async fn multipart_uploads(&self) -> Vec<String> {
        let xml = reqwest::Client::new()
            .get(format!("{}/{}?uploads", self.endpoint, self.name))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        xml.split("<UploadId>")
            .skip(1)
            .filter_map(|rest| rest.split("</UploadId>").next())
            .map(str::to_owned)
            .collect()
    }

    /// Every key in the bucket under `prefix`.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        use futures_util::TryStreamExt;
        use object_store::ObjectStore;
        let store = self.store();
        let prefix = object_store::path::Path::from(prefix);
        let listed: Vec<_> = store.list(Some(&prefix)).try_collect().await.unwrap();
        listed.into_iter().map(|m| m.location.to_string()).collect()
    }

    /// A client of the bucket, for looking at what the node stored.
    pub fn store(&self) -> object_store::aws::AmazonS3 {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_bucket_name(&self.name)
            .with_region("us-east-1")
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .with_allow_http(true)
            .build()
            .unwrap()
    }
}

/// Whether `FERRY_TEST_STORAGE` asks for S3 storage.
pub fn s3_wanted() -> bool {
    match std::env::var("FERRY_TEST_STORAGE").as_deref() {
        Err(_) | Ok("" | "local") => false,
        Ok("s3") => true,
        Ok(other) => panic!("FERRY_TEST_STORAGE is \"local\" or \"s3\", not {other:?}"),
    }
}
