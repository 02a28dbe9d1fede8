//! `ferry-desktop`, the real binary, against Ferry's real web and gateway routers served on
//! loopback sockets (the database, the separate node and S3 switch as for every test, see
//! `common`).
//! The client runs as a child process with a home of its own (config and data dirs), signed in
//! with an API token made through the API (`FERRY_SERVER`/`FERRY_TOKEN`).
//!
//! The binary is built by `cargo build -p desktop` (`scripts/test` does it before the tests); it
//! is found beside this test binary's folder (`target/debug/ferry-desktop`).
//!
//! - [`round_trip`]: files (and, with the server's folder paths, a folder tree) to two users, who
//!   receive them byte-identical; never overwriting;
//! - [`resume`]: SIGKILL mid-upload and mid-download, then `resume`;
//! - [`flaky`]: connections cut mid-transfer, retried without a restart;
//! - [`auth`]: a revoked token; [`hostile`]: a fake server sending paths that try to escape;
//! - [`login`]: device sign-in (needs the server's device endpoints).

mod auth;
mod flaky;
mod hostile;
mod login;
mod resume;
mod round_trip;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use app::paths;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::common::{ADMIN_PASSWORD, Engine, TestApp};

pub const PASSWORD: &str = "a-good-password-1";
/// Longest a client command may take before the test gives up on it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// The server's web and gateway routers on two loopback sockets, as `ferry serve` serves them,
/// on a fresh [`TestApp`] (so the database, node and storage switches apply); stopped when dropped.
pub struct LiveServer {
    /// `http://127.0.0.1:<port>` of the web listener (the package API).
    pub url: String,
    pub app: TestApp,
    http: reqwest::Client,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A user of the live server: their session cookie and an API token.
pub struct User {
    pub name: String,
    pub cookie: String,
    pub token: String,
    pub token_id: i64,
}

impl LiveServer {
    pub async fn start(engine: Engine) -> Self {
        Self::start_with_gateway(engine, |gateway| async move { gateway }).await
    }

    /// The server, with clients sent to the gateway at the address `front` gives for it (a proxy
    /// in front of it, say).
    pub async fn start_with_gateway<F, Fut>(engine: Engine, front: F) -> Self
    where
        F: FnOnce(SocketAddr) -> Fut,
        Fut: std::future::Future<Output = SocketAddr>,
    {
        let web = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (web_addr, gateway_addr) = (web.local_addr().unwrap(), gateway.local_addr().unwrap());
        let public = front(gateway_addr).await;
        let app = TestApp::start_with(engine, |args| {
            args.http_addr = Some(web_addr.to_string());
            args.gateway_addr = Some(gateway_addr.to_string());
            args.gateway_public_url = Some(format!("http://{public}"));
        })
        .await;
        let serve = |listener: tokio::net::TcpListener, router: axum::Router| {
            tokio::spawn(async move {
                let service = router.into_make_service_with_connect_info::<SocketAddr>();
                let _ = axum::serve(listener, service).await;
            })
        };
        let tasks = vec![
            serve(web, app.web.clone()),
            serve(gateway, app.gateway.clone()),
        ];
        Self {
            url: format!("http://{web_addr}"),
            app,
            http: reqwest::Client::new(),
            tasks,
        }
    }

    /// Waits until the downloads that ended have been recorded: a response's delivery is written
    /// when its body ends on the server, which can be just after the client read its last byte.
    pub async fn settled(&self) {
        self.app.state.download_records.settled().await;
    }

    /// A JSON request with a session cookie (and the web app's CSRF header); status and body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header(paths::CSRF_HEADER, "1");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Signs in; the session cookie (`name=value`).
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let response = self
            .http
            .post(format!("{}{}", self.url, paths::SESSION))
            .header(paths::CSRF_HEADER, "1")
            .header("content-type", "application/json")
            .body(json!({"username": username, "password": password}).to_string())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{username} signs in");
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.contains("ferry_session="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned()
    }

    /// Creates users (by the admin), signs each in and gives each an API token.
    pub async fn users<const N: usize>(&self, names: [&str; N]) -> [User; N] {
        let admin = self.sign_in("admin", ADMIN_PASSWORD).await;
        let mut users = Vec::with_capacity(N);
        for name in names {
            let body = json!({"username": name, "role": "user", "password": PASSWORD});
            let (status, created) = self
                .call(
                    reqwest::Method::POST,
                    paths::ADMIN_USERS,
                    Some(&admin),
                    Some(body),
                )
                .await;
            assert_eq!(status, 201, "{created}");
            let cookie = self.sign_in(name, PASSWORD).await;
            let (token, token_id) = self.new_token(&cookie, "desktop tests").await;
            users.push(User {
                name: name.to_owned(),
                cookie,
                token,
                token_id,
            });
        }
        users.try_into().map_err(|_| "N users").unwrap()
    }

    /// A new API token of the signed-in user: the secret and its id.
    pub async fn new_token(&self, cookie: &str, name: &str) -> (String, i64) {
        let (status, created) = self
            .call(
                reqwest::Method::POST,
                paths::ME_TOKENS,
                Some(cookie),
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        (
            created["token"].as_str().unwrap().to_owned(),
            created["details"]["id"].as_i64().unwrap(),
        )
    }

    /// `GET path` as the signed-in user.
    pub async fn get(&self, cookie: &str, path: &str) -> Value {
        let (status, body) = self
            .call(reqwest::Method::GET, path, Some(cookie), None)
            .await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// The `ferry-desktop` binary built for this test run.
pub fn desktop_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps");
    let binary = dir.join(format!("ferry-desktop{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: build the client first with `cargo build -p desktop`",
        binary.display()
    );
    binary
}

/// One person's `ferry-desktop`: a home of its own (config and data dirs), signed in to `server`.
pub struct Desktop {
    pub home: TempDir,
    server: String,
    token: Option<String>,
}

/// How a command ended.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "the command failed:\n{}\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The JSON lines printed (`--json`).
    pub fn events(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// The `result` event.
    pub fn result(&self) -> Value {
        self.events()
            .into_iter()
            .rev()
            .find(|e| e["event"] == "result")
            .unwrap_or_else(|| panic!("no result event in {}", self.stdout))
    }
}

impl Desktop {
    pub fn new(server: &str, token: Option<&str>) -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            server: server.to_owned(),
            token: token.map(str::to_owned),
        }
    }

    pub fn signed_in(server: &LiveServer, user: &User) -> Self {
        Self::new(&server.url, Some(&user.token))
    }

    /// The command, with only this client's environment.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(desktop_binary());
        let home = self.home.path();
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("FERRY_SERVER", &self.server)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(token) = &self.token {
            command.env("FERRY_TOKEN", token);
        }
        command
    }

    /// Runs a command to its end.
    pub async fn run(&self, args: &[&str]) -> Ran {
        let child = self.command(args).spawn().unwrap();
        let output = tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("ferry-desktop {args:?} did not end in time"))
            .unwrap();
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The folder of the client's journals.
    pub fn transfers_dir(&self) -> PathBuf {
        self.home.path().join("data/ferry-desktop/transfers")
    }
}

/// `len` bytes that differ from file to file (`seed`), cheap to make.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

pub fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Every file under `root` (links not followed) by its `/`-separated relative path, with its
/// SHA-256; a link shows as `link -> target`.
pub fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(relative, format!("link -> {}", target.display()));
            } else if meta.is_dir() {
                walk(root, &path, out);
            } else {
                let digest = Sha256::digest(std::fs::read(&path).unwrap());
                out.insert(relative, hex::encode(digest));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The package id a `send --json` printed.
pub fn sent_package_id(ran: &Ran) -> i64 {
    ran.result()["package_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no package id in {}", ran.stdout))
}

/// Runs one async test body on SQLite and on PostgreSQL, on a runtime with worker threads (the
/// server keeps serving while a test waits for the client).
#[macro_export]
macro_rules! desktop_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::common::Engine::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::common::Engine::Postgres).await;
            }
        }
    };
}
