//! Device sign-in (`ferry-desktop login`), approved or denied in the web app, then `logout`.
//!
//! DEPENDS ON THE SERVER SIDE of #15 (the device authorization endpoints of `app::paths`): these
//! tests fail until that branch is merged.

use app::paths;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::*;

/// Starts `login --json`, waits for its code, lets `decide` approve or deny it as `user`, and
/// returns how the command ended.
async fn login_and(server: &LiveServer, desktop: &Desktop, user: &User, approve: bool) -> Ran {
    let mut child = desktop
        .command(&["--json", "login", &server.url])
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the code is printed at once")
        .unwrap()
        .expect("a line");
    let event: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(event["event"], "device_code", "{first}");
    let code = event["user_code"].as_str().unwrap().to_owned();
    assert!(
        event["verification_uri_complete"]
            .as_str()
            .unwrap()
            .contains(&code),
        "{first}"
    );

    let info_path = paths::DEVICE_AUTHORIZATION.replace("{user_code}", &code);
    let info = server.get(&user.cookie, &info_path).await;
    assert!(
        info["device_name"]
            .as_str()
            .unwrap()
            .starts_with("ferry-desktop on "),
        "{info}"
    );
    let decision = if approve {
        paths::DEVICE_AUTHORIZATION_APPROVE
    } else {
        paths::DEVICE_AUTHORIZATION_DENY
    };
    let (status, body) = server
        .call(
            reqwest::Method::POST,
            &decision.replace("{user_code}", &code),
            Some(&user.cookie),
            Some(json!({})),
        )
        .await;
    assert!((200..300).contains(&status), "{status} {body}");

    let mut stdout_rest = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        stdout_rest.push_str(&line);
        stdout_rest.push('\n');
    }
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("login ends once decided")
        .unwrap();
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: format!("{first}\n{stdout_rest}"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_device_signs_in_and_logout_revokes_its_token() {
    let server = LiveServer::start(Engine::Sqlite).await;
    let [alice] = server.users(["alice"]).await;
    // No FERRY_TOKEN: the client uses what `login` saves.
    let desktop = Desktop::new(&server.url, None);
    let ran = login_and(&server, &desktop, &alice, true).await;
    ran.assert_ok();

    let saved = desktop
        .home
        .path()
        .join("config/ferry-desktop/credentials.json");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&saved).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "readable by the user only");
    desktop.run(&["inbox"]).await.assert_ok();
    let tokens = server.get(&alice.cookie, paths::ME_TOKENS).await;
    let names: Vec<&str> = tokens
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("ferry-desktop on ")),
        "{names:?}"
    );

    desktop.run(&["logout"]).await.assert_ok();
    assert!(!saved.exists(), "the saved sign-in is gone");
    let tokens = server.get(&alice.cookie, paths::ME_TOKENS).await;
    assert_eq!(
        tokens.as_array().unwrap().len(),
        1,
        "only the test's own token is left: {tokens}"
    );
    let after = desktop.run(&["inbox"]).await;
    assert_eq!(after.code, 3, "{}", after.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_device_is_told_so_and_saves_nothing() {
    let server = LiveServer::start(Engine::Sqlite).await;
    let [alice] = server.users(["alice"]).await;
    let desktop = Desktop::new(&server.url, None);
    let ran = login_and(&server, &desktop, &alice, false).await;
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("denied"), "{}", ran.stdout);
    assert!(
        !desktop
            .home
            .path()
            .join("config/ferry-desktop/credentials.json")
            .exists()
    );
}
