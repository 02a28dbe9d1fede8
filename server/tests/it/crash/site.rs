//! One `ferry serve` with its transfer node in-process on local disk, as a separate `ferry node`,
//! or on S3, on a data dir of its own; and what the completion tests ask of it: the package's
//! state, the file downloaded, its files deleted, and that no byte of it is left anywhere.

use std::{net::SocketAddr, path::PathBuf};

use tempfile::TempDir;
use tokio::process::Child;

use crate::{
    common::s3::TestBucket,
    crash::cluster::{download, notifications, receive_token, s3_env},
    crash::http::{call, get},
    crash::process::{free_addr, start_node, start_with},
    crash::support::{Upload, eventually},
};

/// Where the transfer node keeps the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Local,
    SeparateNode,
    S3,
}

/// One `ferry serve` (and its node, or bucket) on a data dir of its own.
pub struct Site {
    backend: Backend,
    dir: TempDir,
    pub web: SocketAddr,
    pub gateway: SocketAddr,
    pub node_addr: SocketAddr,
    pub node: Option<Child>,
    bucket: Option<TestBucket>,
}

impl Site {
    pub async fn new(backend: Backend) -> Self {
        let mut site = Self {
            backend,
            dir: tempfile::tempdir().unwrap(),
            web: free_addr(),
            gateway: free_addr(),
            node_addr: free_addr(),
            node: None,
            bucket: None,
        };
        match backend {
            Backend::Local => {}
            Backend::SeparateNode => {
                site.node = Some(start_node(&site.node_dir(), site.node_addr).await)
            }
            Backend::S3 => site.bucket = Some(TestBucket::create().await),
        }
        site
    }

    pub fn gateway_dir(&self) -> PathBuf {
        self.dir.path().join("gateway")
    }

    pub fn node_dir(&self) -> PathBuf {
        self.dir.path().join("node")
    }

    /// `ferry serve` on this site, crashing at `crash_at` if given.
    pub async fn serve(&self, crash_at: Option<&str>) -> Child {
        let mut env = self.bucket.as_ref().map(s3_env).unwrap_or_default();
        if let Some(step) = crash_at {
            env.push(("FERRY_TEST_CRASH_AT", step.to_owned()));
        }
        let node_url = format!("http://{}", self.node_addr);
        let node = (self.backend == Backend::SeparateNode).then_some(node_url.as_str());
        start_with(&self.gateway_dir(), self.web, self.gateway, node, &env).await
    }

    /// The upload bytes the node still holds: files under `uploads/`, or keys under `uploads/`.
    pub async fn upload_bytes(&self) -> Vec<String> {
        match &self.bucket {
            Some(bucket) => bucket.keys("uploads").await,
            None => {
                let dir = self.storage_root().join("uploads");
                std::fs::read_dir(dir)
                    .map(|entries| {
                        let names = entries.map(|e| e.unwrap().file_name());
                        names.map(|n| n.to_string_lossy().into_owned()).collect()
                    })
                    .unwrap_or_default()
            }
        }
    }

    pub fn storage_root(&self) -> PathBuf {
        match self.backend {
            Backend::SeparateNode => self.node_dir().join("storage"),
            _ => self.gateway_dir().join("storage"),
        }
    }

    /// Asserts that no byte of `bytes` is left: no file under either data dir holds a piece of
    /// them, and the bucket holds no key and no multipart upload.
    pub async fn assert_nothing_left_of(&self, bytes: &[u8]) {
        let sample = &bytes[bytes.len() / 2..bytes.len() / 2 + 64];
        for path in files_under(self.dir.path()) {
            let content = std::fs::read(&path).unwrap();
            assert!(
                !content.windows(sample.len()).any(|w| w == sample),
                "{} still holds bytes of the file",
                path.display()
            );
        }
        if let Some(bucket) = &self.bucket {
            assert_eq!(bucket.keys("").await, Vec::<String>::new());
            assert_eq!(bucket.multipart_uploads().await, Vec::<String>::new());
        }
    }
}

/// Every regular file under `dir`.
fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            found.extend(files_under(&entry.path()));
        } else {
            found.push(entry.path());
        }
    }
    found
}

/// `len` bytes no other file of the test holds.
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The package as its sender sees it, and how often it was announced to its recipient (the admin).
pub async fn package_state(site: &Site, cookie: &str, upload: &Upload) -> (String, usize) {
    let detail = get(
        site.web,
        &format!("/api/v1/packages/{}", upload.package),
        cookie,
    )
    .await;
    assert_eq!(detail.status, 200);
    let state = detail.json()["state"].as_str().unwrap().to_owned();
    let told = notifications(site.web, cookie, "package_received", upload.package).await;
    (state, told.len())
}

/// The file downloaded whole through the gateway must be `bytes`.
pub async fn assert_downloads_as(site: &Site, cookie: &str, upload: &Upload, bytes: &[u8]) {
    let token = receive_token(site.web, cookie, upload.package).await;
    let got = download(site.gateway, &token, upload.file, None).await;
    assert_eq!(got.status, 200);
    assert!(got.body == bytes, "the file downloads byte-identical");
}

/// Deletes the package's files as an admin and waits until the node holds no upload bytes either
/// (what a crash kept from being removed goes now, or in the start-up housekeeping pass).
pub async fn delete_files(site: &Site, cookie: &str, upload: &Upload) {
    let headers = [
        ("Cookie", cookie.to_owned()),
        ("X-Ferry-Request", "1".to_owned()),
    ];
    let path = format!("/api/v1/admin/packages/{}/files", upload.package);
    let deleted = call("DELETE", site.web, &path, &headers, b"").await;
    assert_eq!(
        deleted.status,
        204,
        "{}",
        String::from_utf8_lossy(&deleted.body)
    );
    eventually("the upload bytes are removed", || async {
        site.upload_bytes().await.is_empty().then_some(())
    })
    .await;
}
