//! What third-party tus clients rely on (tuspy, tus-js-client): `X-HTTP-Method-Override`, early
//! error answers that leave the connection usable or say it closes, and a cut `PATCH` whose bytes
//! are committed before the next `HEAD` or `PATCH` is answered. The socket-level ones run the
//! gateway on a real loopback listener.

use std::{net::SocketAddr, time::Duration};

use axum::{
    body::Body,
    http::{Method, StatusCode},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{
    common::{Engine, send_request},
    on_both_databases,
    tus::support::{World, data, offset_of},
};

on_both_databases!(
    method_override_stands_for_patch_and_delete,
    |engine: Engine| async move {
        let bytes = data(10_000, 5);
        let world = World::new(engine, &[("a.bin", 20_000)]).await;
        let url = world.create(world.files[0], 20_000).await;

        let patched = world
            .send(
                world
                    .patch_request(&url, 0)
                    .method(Method::POST)
                    .header("x-http-method-override", "PATCH"),
                Body::from(bytes.clone()),
            )
            .await;
        assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);
        assert_eq!(offset_of(&patched), 10_000);
        assert_eq!(offset_of(&world.head(&url).await), 10_000);

        for refused in [None, Some("GET"), Some("PUT")] {
            let mut request = world.tus(Method::POST, &url);
            if let Some(method) = refused {
                request = request.header("x-http-method-override", method);
            }
            let answer = world.send(request, Body::empty()).await;
            assert_eq!(
                answer.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{refused:?}: {}",
                answer.text
            );
        }

        let terminated = world
            .send(
                world
                    .tus(Method::POST, &url)
                    .header("x-http-method-override", "DELETE"),
                Body::empty(),
            )
            .await;
        assert_eq!(
            terminated.status,
            StatusCode::NO_CONTENT,
            "{}",
            terminated.text
        );
        assert_eq!(world.head(&url).await.status, StatusCode::NOT_FOUND);
    }
);

#[tokio::test]
async fn browsers_may_send_the_method_override_header() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 10)]).await;
    let request = axum::http::Request::builder()
        .method(Method::OPTIONS)
        .uri("/tus/some-upload")
        .header("origin", "http://ferry.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "x-http-method-override,tus-resumable,upload-offset",
        )
        .body(Body::empty())
        .unwrap();
    let preflight = send_request(&world.app.gateway, request).await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    let allowed = preflight.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("x-http-method-override"), "{allowed}");
}

/// The gateway of `world` on a loopback socket, as `ferry serve` runs it.
async fn listen(world: &World) -> (SocketAddr, axum_server::Handle<SocketAddr>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = axum_server::Handle::new();
    tokio::spawn(ferry_server::serve(
        listener,
        world.app.gateway.clone(),
        None,
        handle.clone(),
        None,
        ferry_server::connections::PerAddressLimit::new(&[], 64),
    ));
    (addr, handle)
}

/// The path of an upload URL (`Location` names the gateway's public address).
fn upload_path(url: &str) -> String {
    url[url.find("/tus/").unwrap()..].to_owned()
}

/// The status line and headers of an answer read from `stream`, lowercased.
async fn answer_head(stream: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte))
            .await
            .expect("an answer within 10 s")
            .unwrap();
        assert_eq!(read, 1, "the connection ended before the answer's headers");
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).to_ascii_lowercase()
}

// An error answered before a 4 MiB body was read: the rest is drained, so a keep-alive client
// (reqwest's pool, like Node's) gets the answer and its next request on the same connection works;
// a body too long to drain gets `Connection: close`, so no client reuses that connection.
on_both_databases!(
    an_early_error_leaves_the_connection_usable_or_says_it_closes,
    |engine: Engine| async move {
        let world = World::new(engine, &[("a.bin", 64 << 20)]).await;
        let url = world.create(world.files[0], 64 << 20).await;
        let path = upload_path(&url);
        let (addr, handle) = listen(&world).await;
        let base = format!("http://{addr}");

        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        let chunk = vec![1u8; 4 << 20];
        for round in 0..5 {
            let refused = client
                .patch(format!("{base}{path}"))
                .header("tus-resumable", "1.0.0")
                .header("authorization", "Bearer not-a-token")
                .header("content-type", "application/offset+octet-stream")
                .header("upload-offset", "0")
                .body(chunk.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("round {round}: the 401 was lost: {e}"));
            assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
            assert!(
                refused.headers().get("connection").is_none(),
                "a drained connection stays open"
            );
            let head = client
                .head(format!("{base}{path}"))
                .header("tus-resumable", "1.0.0")
                .header("authorization", format!("Bearer {}", world.token))
                .send()
                .await
                .unwrap_or_else(|e| panic!("round {round}: the next request failed: {e}"));
            assert_eq!(head.status(), reqwest::StatusCode::OK);
        }

        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "PATCH {path} HTTP/1.1\r\nHost: gateway\r\nTus-Resumable: 1.0.0\r\n\
             Authorization: Bearer not-a-token\r\nContent-Type: application/offset+octet-stream\r\n\
             Upload-Offset: 0\r\nContent-Length: {}\r\n\r\n",
            64 << 20
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        stream.write_all(&vec![2u8; 64 << 10]).await.unwrap();
        let head = answer_head(&mut stream).await;
        assert!(head.starts_with("http/1.1 401"), "{head}");
        assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
        handle.shutdown();
    }
);

// A client cuts its PATCH (the connection drops) and at once asks where the upload stands, then
// goes on from there, as tuspy does without retries: HEAD reports the bytes the cut PATCH
// committed, not an older offset, and the next PATCH is taken, not refused with 423.
on_both_databases!(
    after_a_cut_patch_head_reports_the_committed_offset_at_once,
    |engine: Engine| async move {
        let length = 1u64 << 20;
        let bytes = data(length as usize, 9);
        let world = World::new(engine, &[("a.bin", length)]).await;
        let url = world.create(world.files[0], length).await;
        let path = upload_path(&url);
        let id = path.rsplit('/').next().unwrap().to_owned();
        let (addr, handle) = listen(&world).await;

        let mut cut = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "PATCH {path} HTTP/1.1\r\nHost: gateway\r\nTus-Resumable: 1.0.0\r\n\
             Authorization: Bearer {}\r\nContent-Type: application/offset+octet-stream\r\n\
             Upload-Offset: 0\r\nContent-Length: {length}\r\n\r\n",
            world.token
        );
        cut.write_all(request.as_bytes()).await.unwrap();
        cut.write_all(&bytes[..256 << 10]).await.unwrap();
        // Once the PATCH is writing (it holds the upload's lock), the connection drops.
        let locks = &world.app.state.upload_locks;
        let mut writing = false;
        for _ in 0..200 {
            match locks.try_lock(format!("upload:{id}")).await.unwrap() {
                Some(free) => drop(free),
                None => {
                    writing = true;
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(writing, "the PATCH took the upload's lock");
        drop(cut);

        let client = reqwest::Client::new();
        let tus = |method: reqwest::Method| {
            client
                .request(method, format!("http://{addr}{path}"))
                .header("tus-resumable", "1.0.0")
                .header("authorization", format!("Bearer {}", world.token))
        };
        let head = tus(reqwest::Method::HEAD).send().await.unwrap();
        assert_eq!(head.status(), reqwest::StatusCode::OK);
        let reported: u64 = head.headers()["upload-offset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let settled = offset_of(&world.head(&url).await);
        assert_eq!(
            reported, settled,
            "HEAD right after the cut reported a stale offset"
        );

        let rest = tus(reqwest::Method::PATCH)
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", reported.to_string())
            .body(bytes[reported as usize..].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(rest.status(), reqwest::StatusCode::NO_CONTENT);
        assert_eq!(world.object(world.files[0]).await, bytes);
        handle.shutdown();
    }
);
