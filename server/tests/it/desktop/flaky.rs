//! A gateway connection cut in the middle of an upload and of a download: the client retries by
//! itself (backoff, then the gateway's offset or a `Range` from the bytes it has) and the files
//! arrive intact, in one run of the command.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;

/// Bytes one direction has carried, over all connections, and whether it was cut already.
#[derive(Default)]
struct Direction {
    carried: AtomicU64,
    cut: AtomicBool,
}

/// Copies `from` to `to`; returns (ending the connection) when the bytes carried this way pass
/// `cut_after` for the first time.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    direction: Arc<Direction>,
    cut_after: u64,
) {
    let mut buffer = vec![0u8; 64 << 10];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 || to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
        let carried = direction.carried.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
        if carried >= cut_after && !direction.cut.swap(true, Ordering::SeqCst) {
            return;
        }
    }
}

/// A TCP proxy to `target` that cuts the one connection carrying the `up_after`th byte towards
/// the gateway, and the one carrying the `down_after`th byte back; its address.
async fn flaky_proxy(target: SocketAddr, up_after: u64, down_after: u64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (up, down) = (
        Arc::new(Direction::default()),
        Arc::new(Direction::default()),
    );
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(target).await else {
                continue;
            };
            let (up, down) = (up.clone(), down.clone());
            tokio::spawn(async move {
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                // Whichever way ends first ends the connection: both halves are dropped.
                tokio::select! {
                    () = pipe(client_read, server_write, up, up_after) => {}
                    () = pipe(server_read, client_write, down, down_after) => {}
                }
            });
        }
    });
    addr
}

fn retried(ran: &Ran) -> bool {
    ran.events().iter().any(|e| e["event"] == "retry")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_connections_are_retried_and_the_files_arrive_intact() {
    let server = LiveServer::start_with_gateway(Engine::Sqlite, |gateway| {
        flaky_proxy(gateway, 20 << 20, 12 << 20)
    })
    .await;
    let [alice, bob] = server.users(["alice", "bob"]).await;
    let source = tempfile::tempdir().unwrap();
    write(&source.path().join("big.bin"), &pseudo_random(40 << 20, 9));
    let expected = tree(source.path());
    let big = source.path().join("big.bin").display().to_string();

    let sent = Desktop::signed_in(&server, &alice)
        .run(&["--json", "send", "--to", "bob", "--title", "Flaky", &big])
        .await;
    let id = sent_package_id(sent.assert_ok()).to_string();
    assert!(
        retried(&sent),
        "the upload was cut and retried: {}",
        sent.stdout
    );

    let target = tempfile::tempdir().unwrap();
    let dir = target.path().display().to_string();
    let received = Desktop::signed_in(&server, &bob)
        .run(&["--json", "receive", &id, "--dir", &dir])
        .await;
    received.assert_ok();
    assert!(
        retried(&received),
        "the download was cut and retried: {}",
        received.stdout
    );
    assert_eq!(tree(target.path()), expected);
}
