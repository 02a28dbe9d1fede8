//! A sender with a draft and a transfer spec, and tus requests with its token.

use app::{paths, types::Role};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, request::Builder},
};
use base64::Engine as _;
use ferry_server::db::entities::{package_files, packages};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::common::{Engine, TestApp, TestRequest, TestResponse, send_request};

pub const PASSWORD: &str = "a-user-password";

/// alice's draft to bob, with declared files and a send token for them.
pub struct World {
    pub app: TestApp,
    pub alice: String,
    pub bob: String,
    pub package: i64,
    pub files: Vec<i64>,
    pub token: String,
}

impl World {
    pub async fn new(engine: Engine, files: &[(&str, u64)]) -> Self {
        Self::with(TestApp::start(engine).await, files).await
    }

    pub async fn with(app: TestApp, files: &[(&str, u64)]) -> Self {
        app.create_user("alice", PASSWORD, Role::User).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let alice = app.sign_in("alice", PASSWORD).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let mut world = Self {
            app,
            alice,
            bob,
            package: 0,
            files: vec![],
            token: String::new(),
        };
        world.package = world.draft().await;
        let (ids, token) = world.spec(world.package, files).await;
        world.files = ids;
        world.token = token;
        world
    }

    /// A new draft of alice's, addressed to bob.
    pub async fn draft(&self) -> i64 {
        let created = self
            .app
            .call(
                TestRequest::post(
                    paths::PACKAGES,
                    json!({ "title": "Drawings", "recipients": ["bob"] }),
                )
                .cookie(&self.alice),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        created.body["id"].as_i64().unwrap()
    }

    /// Declares `files` for `package` and returns their ids and the token.
    pub async fn spec(&self, package: i64, files: &[(&str, u64)]) -> (Vec<i64>, String) {
        let files: Vec<_> = files
            .iter()
            .map(|(name, size)| json!({ "name": name, "size": size }))
            .collect();
        let response = self
            .app
            .call(
                TestRequest::post(
                    &paths::with_id(paths::PACKAGE_UPLOAD_SPEC, package),
                    json!({ "files": files }),
                )
                .cookie(&self.alice),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        let ids = response.body["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        (ids, response.body["token"].as_str().unwrap().to_owned())
    }

    /// A tus request with `Tus-Resumable` and the world's token.
    pub fn tus(&self, method: Method, path: &str) -> Builder {
        self.tus_as(&self.token, method, path)
    }

    pub fn tus_as(&self, token: &str, method: Method, path: &str) -> Builder {
        Request::builder()
            .method(method)
            .uri(path)
            .header("tus-resumable", "1.0.0")
            .header("authorization", format!("Bearer {token}"))
    }

    pub async fn send(&self, request: Builder, body: Body) -> TestResponse {
        send_request(&self.app.gateway, request.body(body).unwrap()).await
    }

    /// `POST /tus/` for `file` with `Upload-Length: length`; the raw answer.
    pub async fn try_create(&self, file: i64, length: u64) -> TestResponse {
        let request = self
            .tus(Method::POST, paths::GATEWAY_TUS)
            .header("upload-length", length.to_string())
            .header("upload-metadata", meta(file, "drawing.png"));
        self.send(request, Body::empty()).await
    }

    /// Creates an upload of `file` and returns its URL.
    pub async fn create(&self, file: i64, length: u64) -> String {
        let created = self.try_create(file, length).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        location(&created)
    }

    /// Takes the lease of the upload at `url`, as an append in progress holds it.
    pub async fn hold_lease(&self, url: &str) -> ferry_server::services::uploads::LockGuard {
        let id = url.rsplit('/').next().unwrap();
        self.app
            .state
            .upload_locks
            .upload(id)
            .await
            .unwrap()
            .expect("the lease is free")
    }

    /// `PATCH` of `bytes` at `offset`.
    pub async fn patch(&self, url: &str, offset: u64, bytes: &[u8]) -> TestResponse {
        let request = self.patch_request(url, offset);
        self.send(request, Body::from(bytes.to_vec())).await
    }

    pub fn patch_request(&self, url: &str, offset: u64) -> Builder {
        self.tus(Method::PATCH, url)
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", offset.to_string())
    }

    pub async fn head(&self, url: &str) -> TestResponse {
        self.send(self.tus(Method::HEAD, url), Body::empty()).await
    }

    /// Uploads `bytes` as `file` in one creation and one PATCH; the PATCH's answer.
    pub async fn upload(&self, file: i64, bytes: &[u8]) -> TestResponse {
        let url = self.create(file, bytes.len() as u64).await;
        self.patch(&url, 0, bytes).await
    }

    pub async fn file(&self, id: i64) -> package_files::Model {
        package_files::Entity::find_by_id(id)
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn package_row(&self) -> packages::Model {
        packages::Entity::find_by_id(self.package)
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap()
    }

    /// The published bytes of `file`, read through the node under its storage key.
    pub async fn object(&self, file: i64) -> Vec<u8> {
        let key = self.file(file).await.storage_key;
        self.app.object_bytes(&key).await
    }

    /// The local node's directory (not used with S3 storage).
    pub fn storage(&self) -> std::path::PathBuf {
        self.app.dir.path().join("storage")
    }

    /// Whether the node still holds bytes of upload `url`.
    pub async fn has_upload_bytes(&self, url: &str) -> bool {
        let id = url.rsplit('/').next().unwrap();
        self.app.has_upload(id).await
    }

    /// Every file name under the storage directory, or every key in the bucket.
    pub async fn stored_names(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let entry = entry.unwrap();
                out.push(entry.file_name().to_string_lossy().into_owned());
                if entry.file_type().unwrap().is_dir() {
                    walk(&entry.path(), out);
                }
            }
        }
        if let Some(bucket) = &self.app.bucket {
            return bucket.keys("").await;
        }
        let mut out = vec![];
        walk(&self.storage(), &mut out);
        out
    }
}

pub fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// `Upload-Metadata` naming `file` and a file name.
pub fn meta(file: i64, name: &str) -> String {
    format!("file_id {},filename {}", b64(&file.to_string()), b64(name))
}

pub fn location(response: &TestResponse) -> String {
    response.headers["location"].to_str().unwrap().to_owned()
}

pub fn offset_of(response: &TestResponse) -> u64 {
    response.headers["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// `len` bytes that are not all the same.
pub fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
