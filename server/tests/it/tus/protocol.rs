//! tus 1.0.0 core, creation, creation-with-upload, checksum and termination.

use app::paths;
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use base64::Engine as _;
use sha1::Digest as _;

use crate::{
    common::Engine,
    on_both_databases,
    tus::support::{World, data, location, meta, offset_of},
};

#[tokio::test]
async fn options_advertises_the_protocol_and_cors_preflights_get_cors() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 10)]).await;
    for path in [paths::GATEWAY_TUS, "/tus/0123456789abcdef"] {
        let request = Request::builder()
            .method(Method::OPTIONS)
            .uri(path)
            .header("origin", "http://app.example:8080");
        let answer = world.send(request, Body::empty()).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{path}");
        let h = &answer.headers;
        assert_eq!(h["tus-resumable"], "1.0.0");
        assert_eq!(h["tus-version"], "1.0.0");
        assert_eq!(
            h["tus-extension"],
            "creation,creation-with-upload,termination,checksum,expiration,concatenation"
        );
        assert_eq!(h["tus-checksum-algorithm"], "sha1,sha256");
        assert_eq!(h["access-control-allow-origin"], "*");
        assert_eq!(
            h["tus-max-size"].to_str().unwrap(),
            world.app.state.config.max_file_size.to_string()
        );
    }

    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri(paths::GATEWAY_TUS)
        .header("origin", "http://app.example:8080")
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization,tus-resumable,upload-offset,content-type,upload-checksum",
        );
    let answer = world.send(preflight, Body::empty()).await;
    assert!(answer.status.is_success(), "{:?}", answer.status);
    let h = &answer.headers;
    assert_eq!(h["access-control-allow-origin"], "*");
    assert!(h.get("access-control-allow-credentials").is_none());
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    assert!(
        methods.contains("PATCH") && methods.contains("DELETE"),
        "{methods}"
    );
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    for name in [
        "authorization",
        "upload-offset",
        "upload-checksum",
        "tus-resumable",
    ] {
        assert!(allowed.contains(name), "{allowed}");
    }
    assert!(
        h.get("tus-extension").is_none(),
        "a preflight is not a tus OPTIONS"
    );

    let created = world
        .send(
            world
                .tus(Method::POST, paths::GATEWAY_TUS)
                .header("origin", "http://app.example:8080")
                .header("upload-length", "10")
                .header("upload-metadata", meta(world.files[0], "a.bin")),
            Body::empty(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let exposed = created.headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "location",
        "upload-offset",
        "upload-expires",
        "tus-resumable",
    ] {
        assert!(exposed.contains(name), "{exposed}");
    }
}

on_both_databases!(
    creation_then_chunks_then_head,
    |engine: Engine| async move {
        let bytes = data(100_000, 1);
        let world = World::new(engine, &[("big.bin", bytes.len() as u64), ("later.txt", 3)]).await;
        let created = world.try_create(world.files[0], bytes.len() as u64).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let url = location(&created);
        assert!(url.starts_with("/tus/") && url.len() == 5 + 32, "{url}");
        assert_eq!(created.headers["tus-resumable"], "1.0.0");
        assert!(
            created.headers["upload-expires"]
                .to_str()
                .unwrap()
                .ends_with(" GMT")
        );

        let head = world.head(&url).await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(offset_of(&head), 0);
        assert_eq!(head.headers["upload-length"], "100000");
        assert_eq!(head.headers["cache-control"], "no-store");
        assert!(head.headers.contains_key("upload-expires"));
        assert_eq!(
            head.headers["upload-metadata"].to_str().unwrap(),
            meta(world.files[0], "drawing.png")
        );

        let mut at = 0;
        for chunk in bytes.chunks(30_000) {
            let patched = world.patch(&url, at, chunk).await;
            assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);
            at += chunk.len() as u64;
            assert_eq!(offset_of(&patched), at);
            assert_eq!(offset_of(&world.head(&url).await), at);
        }
        assert_eq!(world.object(world.files[0]).await, bytes);
        let file = world.file(world.files[0]).await;
        assert_eq!(
            file.state,
            ferry_server::db::entities::package_files::State::Complete
        );
        assert_eq!(
            file.sha256.as_deref(),
            Some(crate::tus::support::sha256_hex(&bytes).as_str())
        );
        assert_eq!(
            world.package_row().await.state,
            ferry_server::db::entities::packages::State::Draft,
            "one file is still pending"
        );
        assert!(
            !world.has_upload_bytes(&url).await,
            "the upload's bytes are discarded"
        );
        let done = world.head(&url).await;
        assert_eq!(
            offset_of(&done),
            100_000,
            "HEAD still answers after completion"
        );

        let again = world.patch(&url, 100_000, b"").await;
        assert_eq!(again.status, StatusCode::CONFLICT, "the file is complete");
        let another = world.try_create(world.files[0], 100_000).await;
        assert_eq!(another.status, StatusCode::CONFLICT);
        assert!(
            another.message().contains("already uploaded"),
            "{}",
            another.message()
        );
    }
);

on_both_databases!(
    creation_with_upload_and_empty_files,
    |engine: Engine| async move {
        let world = World::new(engine, &[("small.txt", 11), ("empty.txt", 0)]).await;
        let request = world
            .tus(Method::POST, paths::GATEWAY_TUS)
            .header("upload-length", "11")
            .header("upload-metadata", meta(world.files[0], "small.txt"))
            .header("content-type", "application/offset+octet-stream");
        let created = world.send(request, Body::from("hello world")).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(offset_of(&created), 11);
        assert_eq!(world.object(world.files[0]).await, b"hello world");

        let request = world
            .tus(Method::POST, paths::GATEWAY_TUS)
            .header("upload-length", "0")
            .header("upload-metadata", meta(world.files[1], "empty.txt"))
            .header("content-type", "application/offset+octet-stream");
        let empty = world.send(request, Body::empty()).await;
        assert_eq!(empty.status, StatusCode::CREATED, "{}", empty.text);
        assert_eq!(offset_of(&empty), 0);
        assert_eq!(world.object(world.files[1]).await, b"");
        assert_eq!(
            world.file(world.files[1]).await.state,
            ferry_server::db::entities::package_files::State::Complete
        );
        assert_eq!(
            world.package_row().await.state,
            ferry_server::db::entities::packages::State::Sent
        );
    }
);

#[tokio::test]
async fn a_large_chunk_streams_through() {
    let bytes = data(5 << 20, 5);
    let world = World::new(Engine::Sqlite, &[("large.bin", bytes.len() as u64)]).await;
    let url = world.create(world.files[0], bytes.len() as u64).await;
    let patched = world
        .send(
            world
                .patch_request(&url, 0)
                .header("content-length", bytes.len().to_string()),
            Body::from(bytes.clone()),
        )
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);
    assert_eq!(world.object(world.files[0]).await, bytes);
}

on_both_databases!(checksums, |engine: Engine| async move {
    let world = World::new(engine, &[("a.bin", 12)]).await;
    let url = world.create(world.files[0], 12).await;
    let b64 = |digest: &[u8]| base64::engine::general_purpose::STANDARD.encode(digest);
    let with = |offset: u64, checksum: String| {
        world
            .patch_request(&url, offset)
            .header("upload-checksum", checksum)
    };

    let sha1 = format!("sha1 {}", b64(&sha1::Sha1::digest(b"abcd")));
    let ok = world.send(with(0, sha1), Body::from("abcd")).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text);
    let sha256 = format!("sha256 {}", b64(&sha2::Sha256::digest(b"efgh")));
    let ok = world.send(with(4, sha256), Body::from("efgh")).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text);

    let wrong = format!("sha256 {}", b64(&sha2::Sha256::digest(b"not this")));
    let mismatch = world.send(with(8, wrong), Body::from("ijkl")).await;
    assert_eq!(mismatch.status.as_u16(), 460, "{}", mismatch.text);
    assert_eq!(mismatch.error_code(), "checksum_mismatch");
    assert_eq!(
        offset_of(&world.head(&url).await),
        8,
        "the chunk was discarded"
    );
    let unsupported = world
        .send(with(8, "md5 AAAA".into()), Body::from("ijkl"))
        .await;
    assert_eq!(unsupported.status, StatusCode::BAD_REQUEST);
    assert!(unsupported.message().contains("sha1 or sha256"));

    let sha1 = format!("sha1 {}", b64(&sha1::Sha1::digest(b"ijkl")));
    let last = world.send(with(8, sha1), Body::from("ijkl")).await;
    assert_eq!(last.status, StatusCode::NO_CONTENT, "{}", last.text);
    assert_eq!(world.object(world.files[0]).await, b"abcdefghijkl");
});

on_both_databases!(termination, |engine: Engine| async move {
    let world = World::new(engine, &[("a.bin", 8)]).await;
    let url = world.create(world.files[0], 8).await;
    assert_eq!(
        world.patch(&url, 0, b"1234").await.status,
        StatusCode::NO_CONTENT
    );
    assert!(world.has_upload_bytes(&url).await);
    let deleted = world
        .send(world.tus(Method::DELETE, &url), Body::empty())
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert!(!world.has_upload_bytes(&url).await);
    assert_eq!(world.head(&url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        world.patch(&url, 4, b"5678").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        world.file(world.files[0]).await.state,
        ferry_server::db::entities::package_files::State::Pending
    );

    // The file can be sent again from scratch.
    assert_eq!(
        world.upload(world.files[0], b"abcdefgh").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(world.object(world.files[0]).await, b"abcdefgh");
});

#[tokio::test]
async fn a_complete_file_cannot_be_terminated() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 2), ("b.bin", 2)]).await;
    let url = world.create(world.files[0], 2).await;
    assert_eq!(
        world.patch(&url, 0, b"ab").await.status,
        StatusCode::NO_CONTENT
    );
    let deleted = world
        .send(world.tus(Method::DELETE, &url), Body::empty())
        .await;
    assert_eq!(deleted.status, StatusCode::CONFLICT);
    assert_eq!(world.object(world.files[0]).await, b"ab");
}
