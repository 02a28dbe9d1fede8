//! A token the server no longer accepts gives exit code 3 and a sentence saying what to do.

use app::paths;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_exits_3_and_says_to_sign_in_again() {
    let server = LiveServer::start(Engine::Sqlite).await;
    let [alice] = server.users(["alice"]).await;
    let desktop = Desktop::signed_in(&server, &alice);
    desktop.run(&["inbox"]).await.assert_ok();

    let (status, _) = server
        .call(
            reqwest::Method::DELETE,
            &paths::with_id(paths::ME_TOKEN, alice.token_id),
            Some(&alice.cookie),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let expected = format!(
        "Your sign-in to {url} is no longer valid; run `ferry-desktop login {url}`",
        url = server.url
    );
    for args in [&["inbox"][..], &["receive", "--new"][..], &["sent"][..]] {
        let ran = desktop.run(args).await;
        assert_eq!(ran.code, 3, "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.contains(&expected), "{args:?}: {}", ran.stderr);
    }
    let json = desktop.run(&["--json", "sent"]).await;
    assert_eq!(json.code, 3);
    let error = json.events().pop().expect("an error event");
    assert_eq!(error["event"], "error");
    assert_eq!(error["exit_code"], 3);

    let nobody = Desktop::new(&server.url, None).run(&["inbox"]).await;
    assert_eq!(nobody.code, 3, "not signed in at all: {}", nobody.stderr);
    let usage = desktop.run(&["send", "--title", "no recipient", "x"]).await;
    assert_eq!(usage.code, 2, "a usage error is clap's: {}", usage.stderr);
}
