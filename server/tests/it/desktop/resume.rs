//! Killed with SIGKILL in the middle of an upload, then of a download, the client continues with
//! `resume` and the result is the same as without the kill; the package is not sent before its
//! last byte is uploaded.

use app::paths;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::*;

/// Runs `args` (with `--json`) until a `progress` event reports at least `bytes`, then kills it.
async fn kill_after(desktop: &Desktop, args: &[&str], bytes: u64) {
    let mut child = desktop.command(args).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let waited = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let Ok(event) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if event["event"] == "progress" && event["bytes"].as_u64().unwrap_or(0) >= bytes {
                return true;
            }
            assert_ne!(
                event["event"], "result",
                "ended before it could be killed: {line}"
            );
        }
        false
    })
    .await;
    assert_eq!(waited, Ok(true), "the transfer made progress");
    child.start_kill().unwrap(); // SIGKILL
    let status = child.wait().await.unwrap();
    assert!(!status.success());
}

/// The bytes the resumed transfer did not move again (`file_resume` events).
fn resumed_bytes(ran: &Ran) -> u64 {
    ran.events()
        .iter()
        .filter(|e| e["event"] == "file_resume")
        .filter_map(|e| e["bytes"].as_u64())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_upload_and_mid_download_resume_to_the_same_result() {
    let server = LiveServer::start(Engine::Sqlite).await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let source = tempfile::tempdir().unwrap();
    write(&source.path().join("big.bin"), &pseudo_random(64 << 20, 7));
    write(&source.path().join("small.txt"), b"small");
    let expected = tree(source.path());
    let big = source.path().join("big.bin").display().to_string();
    let small = source.path().join("small.txt").display().to_string();

    // Upload at 8 MiB/s, killed once 20 MiB have left.
    let sender = Desktop::signed_in(&server, &alice);
    let args = [
        "--json",
        "--limit-rate",
        "8M",
        "send",
        "--to",
        "bob",
        "--title",
        "Resumed",
        &big,
        &small,
    ];
    kill_after(&sender, &args, 20 << 20).await;
    let journals: Vec<_> = std::fs::read_dir(sender.transfers_dir()).unwrap().collect();
    assert_eq!(journals.len(), 1, "the send is recorded as unfinished");
    let status = sender.run(&["--json", "status"]).await;
    let transfers = status.assert_ok().result()["transfers"].clone();
    assert_eq!(transfers[0]["state"], "unfinished", "{transfers}");
    let id = transfers[0]["package_id"].as_i64().unwrap();
    let inbox = server.get(&bob.cookie, paths::PACKAGES_RECEIVED).await;
    assert_eq!(
        inbox["total"], 0,
        "nothing is sent before every byte is uploaded"
    );
    let draft = server
        .get(&alice.cookie, &paths::with_id(paths::PACKAGE, id))
        .await;
    assert_eq!(draft["state"], "draft");

    let resumed = sender.run(&["--json", "resume"]).await;
    assert!(
        resumed_bytes(resumed.assert_ok()) > 0,
        "the upload goes on from the server's offset: {}",
        resumed.stdout
    );
    assert!(
        std::fs::read_dir(sender.transfers_dir())
            .unwrap()
            .next()
            .is_none()
    );
    let inbox = server.get(&bob.cookie, paths::PACKAGES_RECEIVED).await;
    assert_eq!(inbox["total"], 1, "sent once the upload completed");

    // Download at 8 MiB/s, killed once 16 MiB have arrived.
    let receiver = Desktop::signed_in(&server, &bob);
    let target = tempfile::tempdir().unwrap();
    let dir = target.path().display().to_string();
    let id_arg = id.to_string();
    let args = [
        "--json",
        "--limit-rate",
        "8M",
        "receive",
        &id_arg,
        "--dir",
        &dir,
    ];
    kill_after(&receiver, &args, 16 << 20).await;
    let part = target.path().join("big.bin.part");
    assert!(
        part.exists(),
        "the download is kept in big.bin.part: {:?}",
        tree(target.path())
    );
    assert!(
        !target.path().join("big.bin").exists(),
        "not named before it is verified"
    );
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept > 0);

    let resumed = receiver.run(&["--json", "resume"]).await;
    assert_eq!(
        resumed_bytes(resumed.assert_ok()),
        kept,
        "the download goes on from the bytes in big.bin.part"
    );
    assert_eq!(
        tree(target.path()),
        expected,
        "the same files, no .part left"
    );
    server.settled().await;
    let package = server
        .get(&bob.cookie, &paths::with_id(paths::PACKAGE, id))
        .await;
    assert_eq!(package["my_download_state"], "downloaded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_deletes_an_unfinished_draft() {
    let server = LiveServer::start(Engine::Sqlite).await;
    let [alice, _bob] = server.users(["alice", "bob"]).await;
    let source = tempfile::tempdir().unwrap();
    write(&source.path().join("big.bin"), &pseudo_random(32 << 20, 8));
    let big = source.path().join("big.bin").display().to_string();
    let sender = Desktop::signed_in(&server, &alice);
    let args = [
        "--json",
        "--limit-rate",
        "4M",
        "send",
        "--to",
        "bob",
        "--title",
        "Cancelled",
        &big,
    ];
    kill_after(&sender, &args, 4 << 20).await;
    let status = sender.run(&["--json", "status"]).await;
    let id = status.assert_ok().result()["transfers"][0]["package_id"]
        .as_i64()
        .unwrap();
    sender
        .run(&["cancel", &format!("send-{id}")])
        .await
        .assert_ok();
    let (code, _) = server
        .call(
            reqwest::Method::GET,
            &paths::with_id(paths::PACKAGE, id),
            Some(&alice.cookie),
            None,
        )
        .await;
    assert_eq!(code, 404, "the draft is deleted");
    let status = sender.run(&["--json", "status"]).await;
    assert_eq!(status.assert_ok().result()["transfers"], json!([]));
}
