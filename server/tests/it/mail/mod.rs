//! A real SMTP server on loopback for the mail tests: Python's aiosmtpd (installed into `.venv/` by
//! `scripts/setup`) with the handler in `smtp_sink.py`, which writes each accepted message to a
//! directory as JSON. The server process is killed when the [`SmtpSink`] is dropped.
use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use serde_json::Value;
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// One running aiosmtpd and the messages it accepted.
pub struct SmtpSink {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The Python of the project's venv (or `FERRY_TEST_PYTHON`).
fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("FERRY_TEST_PYTHON") {
        return path.into();
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup (it installs aiosmtpd for the mail tests)",
        path.display()
    );
    path
}

impl SmtpSink {
    /// Starts aiosmtpd on `127.0.0.1:port` and waits until it accepts connections.
    pub async fn start(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let handler_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/mail");
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "smtp_sink.Sink"])
            .arg(dir.path())
            .env("PYTHONPATH", &handler_dir)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("cannot start aiosmtpd");
        let sink = Self { port, child, dir };
        sink.wait_until_listening().await;
        sink
    }

    async fn wait_until_listening(&self) {
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("aiosmtpd did not start listening on port {}", self.port);
    }

    /// Every message accepted so far, as written by `smtp_sink.py`.
    pub fn messages(&self) -> Vec<Value> {
        let mut messages: Vec<Value> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
            .map(|entry| serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap())
            .collect();
        messages.sort_by_key(|m| m["rcpt_tos"].to_string());
        messages
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The values of header `name` in a sink message.
pub fn header_values(message: &Value, name: &str) -> Vec<String> {
    message["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|pair| pair[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|pair| pair[1].as_str().unwrap().to_owned())
        .collect()
}
