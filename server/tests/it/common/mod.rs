//! Test support: a fresh database per test (a SQLite file, or a uniquely named PostgreSQL database
//! that is dropped afterwards) and the router built on it, driven without a socket.
//!
//! The transfer node is the in-process one, unless `FERRY_TEST_NODE=separate`: then every test app
//! gets its own node API on a loopback socket (the same storage directory, so tests can still look
//! at the files) and its gateway reaches it over HTTP, as `ferry serve` does with `node_url`.
//! With `FERRY_TEST_STORAGE=s3` the node keeps files in a bucket of its own on a real
//! S3-compatible server (moto, see [`s3`]) instead of the local disk; both switches combine.
pub mod s3;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use ferry_server::{
    cli::ServeArgs,
    config::Storage,
    config::{Config, FileConfig, Secret},
    db,
    services::AppState,
};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The node token of test nodes.
pub const NODE_TOKEN: &str = "test-node-token-that-is-long-enough-1";
const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database that exists for one test only.
pub struct TestDb {
    pub url: String,
    postgres_name: Option<String>,
}

impl TestDb {
    pub async fn create(engine: Engine, dir: &TempDir) -> Self {
        match engine {
            Engine::Sqlite => Self {
                url: format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("ferry.db").display()
                ),
                postgres_name: None,
            },
            Engine::Postgres => {
                let name = format!("ferry_test_{}", uuid_like());
                let admin = Database::connect(POSTGRES_ADMIN_URL)
                    .await
                    .expect("PostgreSQL must run on 127.0.0.1:5432 (see README)");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                Self {
                    url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
                    postgres_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs outside any runtime we may block: use a private one on its own thread.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let admin = Database::connect(POSTGRES_ADMIN_URL).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin.close().await?;
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop a test database");
        }
    }
}

/// Lower-case letters, digits and hyphens, unique across tests and processes.
pub fn unique_suffix() -> String {
    uuid_like().replace('_', "-")
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{:x}_{:x}", std::process::id(), nanos, rand_u32())
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(0u8) as u32
}

/// The web and gateway routers on a fresh database, with a known admin password.
pub struct TestApp {
    pub state: AppState,
    pub web: Router,
    pub gateway: Router,
    pub dir: TempDir,
    /// The bucket holding the files, under `FERRY_TEST_STORAGE=s3`.
    pub bucket: Option<s3::TestBucket>,
    _db: TestDb,
}

impl TestApp {
    pub async fn start(engine: Engine) -> Self {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: Engine, adjust: impl FnOnce(&mut ServeArgs)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDb::create(engine, &dir).await;
        let bucket = match s3::s3_wanted() {
            true => Some(s3::TestBucket::create().await),
            false => None,
        };
        let storage = bucket
            .as_ref()
            .map_or(Storage::Local, s3::TestBucket::storage);
        let node_url = match separate_node_wanted() {
            true => Some(format!(
                "http://{}",
                start_node_on(&storage, dir.path()).await
            )),
            false => None,
        };
        let mut args = ServeArgs {
            data_dir: Some(dir.path().to_owned()),
            database_url: Some(database.url.clone()),
            admin_password: Some(ADMIN_PASSWORD.into()),
            web_dir: Some(dir.path().join("dist")),
            node_token: node_url.as_ref().map(|_| NODE_TOKEN.into()),
            storage: match (&bucket, &node_url) {
                (Some(bucket), None) => bucket.args(),
                _ => Default::default(),
            },
            node_url,
            ..ServeArgs::default()
        };
        adjust(&mut args);
        let config = Config::merge(&args, FileConfig::default()).unwrap();
        let connection = db::connect_and_migrate(&config.database_url).await.unwrap();
        ferry_server::bootstrap::ensure_admin(&connection, &config)
            .await
            .unwrap();
        let state = AppState::new(connection, config).unwrap();
        Self {
            web: ferry_server::http::router(state.clone()),
            gateway: ferry_server::gateway::router(state.clone()),
            state,
            dir,
            bucket,
            _db: database,
        }
    }

    /// Creates an enabled user directly in the database (display name = username, email
    /// `<username>@example.test`) and returns its id.
    pub async fn create_user(&self, username: &str, password: &str, role: app::types::Role) -> i64 {
        use ferry_server::db::entities::users;
        use sea_orm::{ActiveModelTrait, Set};
        let now = chrono::Utc::now();
        let user = users::ActiveModel {
            username: Set(username.into()),
            display_name: Set(username.into()),
            email: Set(Some(format!("{username}@example.test"))),
            role: Set(users::Role::from(role)),
            password_hash: Set(ferry_server::auth::password::hash(password.into())
                .await
                .unwrap()),
            disabled: Set(false),
            desktop_client_disabled: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.state.db)
        .await
        .unwrap();
        user.id
    }

    /// Sends a request to the web listener as the web app would (CSRF header on writes).
    pub async fn call(&self, request: TestRequest) -> TestResponse {
        send(&self.web, request).await
    }

    /// Signs in and returns the session cookie (`name=value`).
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let response = self
            .call(TestRequest::post(
                "/api/v1/session",
                serde_json::json!({ "username": username, "password": password }),
            ))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
        response.cookie().expect("a session cookie")
    }
}

/// The token secret every instance of one Ferry shares in [`TestApp::two_instances`].
const SHARED_TOKEN_SECRET: &str = "a-token-secret-that-every-instance-shares";

impl TestApp {
    /// Two instances of one Ferry, as two `ferry serve` behind a load balancer: one database,
    /// one S3 bucket and one token secret, but each with its own data dir and its own memory (upload
    /// locks, running digests, download records). The first owns the database.
    pub async fn two_instances(engine: Engine) -> (Self, Self) {
        let bucket = s3::TestBucket::create().await;
        let mut first = Self::start_with(engine, |args| {
            args.storage = bucket.args();
            args.node_url = None;
            args.node_token = None;
            args.token_secret = Some(SHARED_TOKEN_SECRET.into());
        })
        .await;
        first.bucket = Some(bucket.clone());
        let dir = tempfile::tempdir().unwrap();
        let args = ServeArgs {
            data_dir: Some(dir.path().to_owned()),
            database_url: Some(first._db.url.clone()),
            admin_password: Some(ADMIN_PASSWORD.into()),
            web_dir: Some(dir.path().join("dist")),
            token_secret: Some(SHARED_TOKEN_SECRET.into()),
            storage: bucket.args(),
            ..ServeArgs::default()
        };
        let config = Config::merge(&args, FileConfig::default()).unwrap();
        let connection = db::connect_and_migrate(&config.database_url).await.unwrap();
        ferry_server::bootstrap::ensure_admin(&connection, &config)
            .await
            .unwrap();
        let state = AppState::new(connection, config).unwrap();
        let second = Self {
            web: ferry_server::http::router(state.clone()),
            gateway: ferry_server::gateway::router(state.clone()),
            state,
            dir,
            bucket: Some(bucket),
            _db: TestDb {
                url: first._db.url.clone(),
                postgres_name: None,
            },
        };
        (first, second)
    }
}

/// Whether `FERRY_TEST_NODE` asks for a separate transfer node.
pub fn separate_node_wanted() -> bool {
    match std::env::var("FERRY_TEST_NODE").as_deref() {
        Err(_) | Ok("" | "inprocess") => false,
        Ok("separate") => true,
        Ok(other) => panic!("FERRY_TEST_NODE is \"inprocess\" or \"separate\", not {other:?}"),
    }
}

/// The node API over a local-disk node under `data_dir` (or on `storage`'s bucket), on a loopback
/// socket of this test's runtime (token [`NODE_TOKEN`]); its address.
pub async fn start_node_on(storage: &Storage, data_dir: &std::path::Path) -> std::net::SocketAddr {
    let node = ferry_server::storage::open(storage, data_dir).unwrap();
    let router = ferry_server::node::router(node, Secret::new(NODE_TOKEN));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

impl TestApp {
    /// Whether the node still holds anything of upload `id` (local file or bucket keys).
    pub async fn has_upload(&self, id: &str) -> bool {
        match &self.bucket {
            Some(bucket) => !bucket.keys(&format!("uploads/{id}")).await.is_empty(),
            None => self
                .dir
                .path()
                .join("storage/uploads")
                .join(format!("{id}.part"))
                .exists(),
        }
    }

    /// Whether the object `key` is stored.
    pub async fn has_object(&self, key: &str) -> bool {
        match self.state.node.object_size(key).await {
            Ok(_) => true,
            Err(ferry_server::storage::StorageError::NotFound) => false,
            Err(other) => panic!("{other}"),
        }
    }

    /// The published object `key`, read through the node.
    pub async fn object_bytes(&self, key: &str) -> Vec<u8> {
        use futures_util::StreamExt;
        let node = &self.state.node;
        let size = node
            .object_size(key)
            .await
            .expect("the object is published");
        let mut stream = node.read_object(key, 0, size).await.unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    /// Removes the object `key` behind Ferry's back (storage failures, crashes).
    pub async fn remove_object_behind_ferrys_back(&self, key: &str) {
        match &self.bucket {
            Some(bucket) => {
                use object_store::ObjectStore;
                let path = object_store::path::Path::from(format!("objects/{key}"));
                bucket.store().delete(&path).await.unwrap();
            }
            None => std::fs::remove_file(
                self.dir
                    .path()
                    .join("storage/objects")
                    .join(&key[..2])
                    .join(key),
            )
            .unwrap(),
        }
    }
}

/// A request under construction.
pub struct TestRequest {
    pub method: Method,
    pub path: String,
    pub body: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl TestRequest {
    pub fn get(path: &str) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            body: None,
            headers: vec![],
        }
    }

    /// A JSON POST carrying the web app's CSRF header.
    pub fn post(path: &str, json: Value) -> Self {
        Self::get(path)
            .method(Method::POST)
            .raw_body(json.to_string())
            .csrf()
    }

    pub fn delete(path: &str) -> Self {
        Self::get(path).method(Method::DELETE).csrf()
    }

    /// A JSON PUT carrying the web app's CSRF header.
    pub fn put(path: &str, json: Value) -> Self {
        Self::post(path, json).method(Method::PUT)
    }

    /// A JSON PATCH carrying the web app's CSRF header.
    pub fn patch(path: &str, json: Value) -> Self {
        Self::post(path, json).method(Method::PATCH)
    }

    /// Authenticates with a personal API token (`Authorization: Bearer`).
    pub fn bearer(self, token: &str) -> Self {
        self.header(header::AUTHORIZATION.as_str(), &format!("Bearer {token}"))
    }

    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    pub fn raw_body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self.header(header::CONTENT_TYPE.as_str(), "application/json")
    }

    pub fn csrf(self) -> Self {
        self.header(app::paths::CSRF_HEADER, "1")
    }

    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn cookie(self, cookie: &str) -> Self {
        self.header("cookie", cookie)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A response, body read whole (test bodies are small).
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl TestResponse {
    /// The session cookie set by this response, as `name=value`.
    pub fn cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("ferry_session=") || v.starts_with("__Host-ferry_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    }

    /// The error message of an `ErrorBody` answer ("" for anything else).
    pub fn message(&self) -> String {
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

pub async fn send(router: &Router, request: TestRequest) -> TestResponse {
    let mut builder = Request::builder().method(request.method).uri(&request.path);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .body(request.body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    send_request(router, request).await
}

/// Sends a request built by the test (any body, streamed or binary) and reads the answer.
pub async fn send_request(router: &Router, request: Request<Body>) -> TestResponse {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    TestResponse {
        status,
        headers,
        text,
        body,
    }
}

/// Runs one async test body on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                ($body)($crate::common::Engine::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                ($body)($crate::common::Engine::Postgres).await;
            }
        }
    };
}
