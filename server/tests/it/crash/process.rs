//! Spawning `ferry serve` and `ferry node` as real processes, each once it says it is running.

use std::{net::SocketAddr, path::Path, process::Stdio};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const NODE_TOKEN: &str = "crash-test-node-token-0123456789abcdef";

/// A free port on the loopback interface (bound, then released for the child to take).
pub fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// Settings a `ferry` process gets from its environment on top of its data dir and addresses
/// (database URL, storage, token secret…), as `FERRY_*` variables.
pub type Env = [(&'static str, String)];

/// `ferry serve` on `data`, once it says it is running; with `node` (URL), on that transfer node.
pub async fn start(data: &Path, web: SocketAddr, gateway: SocketAddr, node: Option<&str>) -> Child {
    start_with(data, web, gateway, node, &[]).await
}

/// [`start`] with `env` on top.
pub async fn start_with(
    data: &Path,
    web: SocketAddr,
    gateway: SocketAddr,
    node: Option<&str>,
    env: &Env,
) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("serve")
        .env("FERRY_DATA_DIR", data)
        .env("FERRY_HTTP_ADDR", web.to_string())
        .env("FERRY_GATEWAY_ADDR", gateway.to_string())
        .env("FERRY_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("FERRY_WEB_DIR", data.join("no-web-app"))
        .env("FERRY_LOG", "warn")
        .env_remove("FERRY_NODE_URL")
        .env_remove("FERRY_NODE_TOKEN");
    if let Some(url) = node {
        command
            .env("FERRY_NODE_URL", url)
            .env("FERRY_NODE_TOKEN", NODE_TOKEN);
    }
    command.envs(env.iter().map(|(name, value)| (name, value)));
    command.stderr(Stdio::null());
    running(command, "Transfer node:").await
}

/// `ferry node` keeping files under `data`, serving on `addr`, once it says it is running.
pub async fn start_node(data: &Path, addr: SocketAddr) -> Child {
    start_node_with(data, addr, &[]).await
}

/// [`start_node`] with `env` on top.
pub async fn start_node_with(data: &Path, addr: SocketAddr, env: &Env) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("node")
        .env("FERRY_DATA_DIR", data)
        .env("FERRY_NODE_ADDR", addr.to_string())
        .env("FERRY_NODE_TOKEN", NODE_TOKEN)
        .env("FERRY_LOG", "warn")
        .envs(env.iter().map(|(name, value)| (name, value)))
        .stderr(Stdio::null());
    running(command, "Node API:").await
}

/// [`start_node`] logging at `info`; its log lines as they come.
pub async fn start_node_logging(
    data: &Path,
    addr: SocketAddr,
) -> (Child, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("node")
        .env("FERRY_DATA_DIR", data)
        .env("FERRY_NODE_ADDR", addr.to_string())
        .env("FERRY_NODE_TOKEN", NODE_TOKEN)
        .env("FERRY_LOG", "info")
        .stderr(Stdio::piped());
    let (lines, received) = tokio::sync::mpsc::unbounded_channel();
    let mut child = running(command, "Node API:").await;
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    tokio::spawn(async move {
        while let Ok(Some(line)) = stderr.next_line().await {
            let _ = lines.send(line);
        }
    });
    (child, received)
}

/// Spawns `command` and waits for the stdout line that says it serves (its stderr goes where the
/// command says).
async fn running(mut command: Command, ready_line: &str) -> Child {
    let mut child = command
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if line.contains(ready_line) {
            // Keep reading stdout in the background so the child never blocks on it.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return child;
        }
    }
    panic!("ferry exited before it was running");
}
