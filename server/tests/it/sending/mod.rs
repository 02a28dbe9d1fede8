//! A sent package with real bytes, for the download and expiration tests: alice sends files to
//! recipients through the tus gateway, then anyone asks for download specs and GETs files.
use app::{paths, types::Role};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, request::Builder},
};
use base64::Engine as _;
use ferry_server::db::entities::{package_files, packages};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::common::{ADMIN_PASSWORD, Engine, TestApp, TestRequest, TestResponse, send_request};

pub const PASSWORD: &str = "a-user-password";

/// alice (sender), bob and carol (recipients unless told otherwise), dave (no part in it), admin.
pub struct Sent {
    pub app: TestApp,
    pub alice: String,
    pub bob: String,
    pub carol: String,
    pub dave: String,
    pub admin: String,
    /// The first package, sent.
    pub package: i64,
    /// Its files' ids with their bytes.
    pub files: Vec<(i64, Vec<u8>)>,
}

impl Sent {
    /// Sends `files` from alice to `recipients` under `expiration` (JSON, `null` for the default).
    pub async fn new(
        engine: Engine,
        recipients: &[&str],
        expiration: Value,
        files: &[(&str, Vec<u8>)],
    ) -> Self {
        Self::new_with(engine, |_| {}, recipients, expiration, files).await
    }

    /// [`Sent::new`] with settings changed by `adjust` (email, for instance).
    pub async fn new_with(
        engine: Engine,
        adjust: impl FnOnce(&mut ferry_server::cli::ServeArgs),
        recipients: &[&str],
        expiration: Value,
        files: &[(&str, Vec<u8>)],
    ) -> Self {
        let app = TestApp::start_with(engine, adjust).await;
        for name in ["alice", "bob", "carol", "dave"] {
            app.create_user(name, PASSWORD, Role::User).await;
        }
        let mut sent = Self {
            alice: app.sign_in("alice", PASSWORD).await,
            bob: app.sign_in("bob", PASSWORD).await,
            carol: app.sign_in("carol", PASSWORD).await,
            dave: app.sign_in("dave", PASSWORD).await,
            admin: app.sign_in("admin", ADMIN_PASSWORD).await,
            app,
            package: 0,
            files: vec![],
        };
        let (package, ids) = sent.send(recipients, expiration, files).await;
        sent.package = package;
        sent.files = ids
            .into_iter()
            .zip(files.iter().map(|(_, bytes)| bytes.clone()))
            .collect();
        sent
    }

    /// Another package from alice: created, uploaded and sent; its id and file ids.
    pub async fn send(
        &self,
        recipients: &[&str],
        expiration: Value,
        files: &[(&str, Vec<u8>)],
    ) -> (i64, Vec<i64>) {
        let package = self.draft(recipients, expiration).await;
        self.upload_all(package, files).await
    }

    /// Another package from alice called `title`, sent; its id and file ids.
    pub async fn send_titled(
        &self,
        title: &str,
        recipients: &[&str],
        files: &[(&str, Vec<u8>)],
    ) -> (i64, Vec<i64>) {
        let package = self.draft_titled(title, recipients, Value::Null).await;
        self.upload_all(package, files).await
    }

    /// Uploads `files` into draft `package` (which sends it); its id and file ids.
    pub async fn upload_all(&self, package: i64, files: &[(&str, Vec<u8>)]) -> (i64, Vec<i64>) {
        let declared: Vec<Value> = files
            .iter()
            .map(|(name, bytes)| json!({ "name": name, "size": bytes.len() }))
            .collect();
        let spec = self
            .app
            .call(
                TestRequest::post(
                    &paths::with_id(paths::PACKAGE_UPLOAD_SPEC, package),
                    json!({ "files": declared }),
                )
                .cookie(&self.alice),
            )
            .await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        let token = spec.body["token"].as_str().unwrap().to_owned();
        let ids: Vec<i64> = spec.body["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        for (&id, (_, bytes)) in ids.iter().zip(files) {
            self.upload(&token, id, bytes).await;
        }
        let row = packages::Entity::find_by_id(package)
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, packages::State::Sent);
        (package, ids)
    }

    /// A draft of alice's to `recipients`.
    pub async fn draft(&self, recipients: &[&str], expiration: Value) -> i64 {
        self.draft_titled("Drawings", recipients, expiration).await
    }

    /// A draft of alice's called `title` to `recipients`.
    pub async fn draft_titled(&self, title: &str, recipients: &[&str], expiration: Value) -> i64 {
        let created = self
            .app
            .call(
                TestRequest::post(
                    paths::PACKAGES,
                    json!({ "title": title, "recipients": recipients, "expiration": expiration }),
                )
                .cookie(&self.alice),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        created.body["id"].as_i64().unwrap()
    }

    /// Uploads `bytes` as `file` over tus (one creation, one PATCH).
    async fn upload(&self, token: &str, file: i64, bytes: &[u8]) {
        let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let create = Request::builder()
            .method(Method::POST)
            .uri(paths::GATEWAY_TUS)
            .header("tus-resumable", "1.0.0")
            .header("authorization", format!("Bearer {token}"))
            .header("upload-length", bytes.len().to_string())
            .header(
                "upload-metadata",
                format!("file_id {},filename {}", b64(&file.to_string()), b64("x")),
            );
        let created = self.gateway(create, Body::empty()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        if bytes.is_empty() {
            return;
        }
        let url = created.headers["location"].to_str().unwrap().to_owned();
        let patch = Request::builder()
            .method(Method::PATCH)
            .uri(url)
            .header("tus-resumable", "1.0.0")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", "0");
        let patched = self.gateway(patch, Body::from(bytes.to_vec())).await;
        assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);
    }

    pub async fn gateway(&self, request: Builder, body: Body) -> TestResponse {
        send_request(&self.app.gateway, request.body(body).unwrap()).await
    }

    /// `POST …/transfer_spec/download` for `package` as the holder of `cookie`.
    pub async fn download_spec(&self, cookie: &str, package: i64) -> TestResponse {
        self.app
            .call(
                TestRequest::post(
                    &paths::with_id(paths::PACKAGE_DOWNLOAD_SPEC, package),
                    json!({}),
                )
                .cookie(cookie),
            )
            .await
    }

    /// The receive token of a spec `cookie`'s holder gets for the first package.
    pub async fn token(&self, cookie: &str) -> String {
        let spec = self.download_spec(cookie, self.package).await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        spec.body["token"].as_str().unwrap().to_owned()
    }

    /// A gateway request for `file` with `token`.
    pub fn file_request(&self, method: Method, token: &str, file: i64) -> Builder {
        Request::builder()
            .method(method)
            .uri(file_path(file))
            .header("authorization", format!("Bearer {token}"))
    }

    /// `GET /files/{file}` with `token` and extra `headers`; the body read whole.
    pub async fn get(&self, token: &str, file: i64, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = self.file_request(Method::GET, token, file);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.gateway(request, Body::empty()).await
    }

    /// The raw bytes of a response's body (`TestResponse::text` is lossy).
    pub async fn get_bytes(
        &self,
        token: &str,
        file: i64,
        headers: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut request = self.file_request(Method::GET, token, file);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .app
            .gateway
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// `GET /api/v1/packages/{package}` as the holder of `cookie`.
    pub async fn detail(&self, cookie: &str, package: i64) -> Value {
        let response = self
            .app
            .call(TestRequest::get(&paths::with_id(paths::PACKAGE, package)).cookie(cookie))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        response.body
    }

    /// The sender's view of `user`'s progress on `package`.
    pub async fn status_of(&self, package: i64, user: &str) -> Value {
        let detail = self.detail(&self.alice, package).await;
        detail["recipient_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|status| status["user"]["username"] == user)
            .cloned()
            .unwrap()
    }

    /// Waits for download records spawned by bodies that were dropped.
    pub async fn settled(&self) {
        self.app.state.download_records.settled().await;
    }

    pub async fn file_row(&self, id: i64) -> package_files::Model {
        package_files::Entity::find_by_id(id)
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn package_row(&self, id: i64) -> packages::Model {
        packages::Entity::find_by_id(id)
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap()
    }

    /// Whether the transfer node still holds `file`'s bytes.
    pub async fn has_bytes(&self, file: i64) -> bool {
        let key = self.file_row(file).await.storage_key;
        self.app
            .dir
            .path()
            .join("storage")
            .join("objects")
            .join(&key[..2])
            .join(&key)
            .exists()
    }

    /// The admin's `DELETE …/admin/packages/{id}/files`.
    pub async fn admin_delete_files(&self, package: i64) -> TestResponse {
        self.app
            .call(
                TestRequest::delete(&paths::with_id(paths::ADMIN_PACKAGE_FILES, package))
                    .cookie(&self.admin),
            )
            .await
    }
}

pub fn file_path(file: i64) -> String {
    paths::GATEWAY_FILE.replace("{file_id}", &file.to_string())
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
