//! `ferry admin` against a running `ferry serve`'s database: an operator unlocks an account that
//! sign-in throttling refuses, and resets a forgotten password (the printed one signs in).

use std::net::SocketAddr;

use serde_json::json;

use crate::{
    crash::http::api,
    crash::process::{ADMIN_PASSWORD, free_addr, start},
};

/// Runs `ferry admin <args>` on the data dir `data`; answers its standard output.
fn ferry_admin(data: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("admin")
        .args(args)
        .env("FERRY_DATA_DIR", data)
        .env("FERRY_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

async fn sign_in(web: SocketAddr, password: &str) -> u16 {
    let body = json!({ "username": "admin", "password": password });
    api(web, "/api/v1/session", None, body).await.status
}

#[tokio::test]
async fn an_operator_unlocks_an_account_and_resets_its_password() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let (web, gateway) = (free_addr(), free_addr());
    let _server = start(&data, web, gateway, None).await;

    for _ in 0..5 {
        assert_eq!(sign_in(web, "not-the-password").await, 401);
    }
    assert_eq!(sign_in(web, ADMIN_PASSWORD).await, 429, "locked from here");
    let unlocked = ferry_admin(&data, &["unlock", "admin"]);
    assert!(unlocked.starts_with("Unlocked admin"), "{unlocked}");
    assert_eq!(sign_in(web, ADMIN_PASSWORD).await, 200);

    let reset = ferry_admin(&data, &["reset-password", "admin"]);
    let password = reset
        .lines()
        .find_map(|line| line.trim().strip_prefix("New password: "))
        .unwrap_or_else(|| panic!("a new password in {reset}"))
        .to_owned();
    assert_eq!(
        sign_in(web, ADMIN_PASSWORD).await,
        401,
        "the old one is gone"
    );
    assert_eq!(sign_in(web, &password).await, 200);

    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["admin", "unlock", "nobody"])
        .env("FERRY_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no user \"nobody\""));
}
