//! Requests the gateway refuses: protocol errors, folders, and everything while it is turned off.

use app::{paths, types::Settings};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};

use crate::{
    common::Engine,
    tus::support::{World, b64, meta, offset_of},
};

#[tokio::test]
async fn protocol_refusals() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 10)]).await;
    let file = world.files[0];
    let url = world.create(file, 10).await;

    let no_version = world
        .send(
            Request::builder()
                .method(Method::HEAD)
                .uri(&url)
                .header("authorization", format!("Bearer {}", world.token)),
            Body::empty(),
        )
        .await;
    assert_eq!(no_version.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(no_version.headers["tus-version"], "1.0.0");
    let old = world
        .send(
            Request::builder()
                .method(Method::PATCH)
                .uri(&url)
                .header("tus-resumable", "0.2.2")
                .header("authorization", format!("Bearer {}", world.token)),
            Body::empty(),
        )
        .await;
    assert_eq!(old.status, StatusCode::PRECONDITION_FAILED);
    assert!(
        old.message().contains("Tus-Resumable: 1.0.0"),
        "{}",
        old.message()
    );

    let wrong_type = world
        .send(
            world
                .tus(Method::PATCH, &url)
                .header("upload-offset", "0")
                .header("content-type", "application/octet-stream"),
            Body::from("0123"),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    assert_eq!(
        world.patch(&url, 0, b"0123").await.status,
        StatusCode::NO_CONTENT
    );
    let wrong_offset = world.patch(&url, 2, b"xx").await;
    assert_eq!(wrong_offset.status, StatusCode::CONFLICT);
    assert!(
        wrong_offset.message().contains("offset 4"),
        "{}",
        wrong_offset.message()
    );
    let too_long = world.patch(&url, 4, b"0123456789").await;
    assert_eq!(too_long.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Without Content-Length (a streamed body), the overflow is found while reading: nothing kept.
    let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![Ok(b"4567"), Ok(b"89ab")];
    let streamed = world
        .send(
            world.patch_request(&url, 4),
            Body::from_stream(futures_util::stream::iter(chunks)),
        )
        .await;
    assert_eq!(
        streamed.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        streamed.text
    );
    assert_eq!(offset_of(&world.head(&url).await), 4);
    let missing_offset = world
        .send(
            world
                .tus(Method::PATCH, &url)
                .header("content-type", "application/offset+octet-stream"),
            Body::from("45"),
        )
        .await;
    assert_eq!(missing_offset.status, StatusCode::BAD_REQUEST);

    let shorter = world.try_create(file, 9).await;
    assert_eq!(shorter.status, StatusCode::BAD_REQUEST);
    assert!(
        shorter.message().contains("declared size"),
        "{}",
        shorter.message()
    );
    assert_eq!(
        world.try_create(file, 11).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let no_length = world
        .send(
            world
                .tus(Method::POST, paths::GATEWAY_TUS)
                .header("upload-metadata", meta(file, "a.bin")),
            Body::empty(),
        )
        .await;
    assert_eq!(no_length.status, StatusCode::BAD_REQUEST);
    let no_file = world
        .send(
            world
                .tus(Method::POST, paths::GATEWAY_TUS)
                .header("upload-length", "10"),
            Body::empty(),
        )
        .await;
    assert_eq!(no_file.status, StatusCode::BAD_REQUEST);
    assert!(no_file.message().contains("file_id"));

    let unknown = "/tus/0123456789abcdef0123456789abcdef";
    assert_eq!(world.head(unknown).await.status, StatusCode::NOT_FOUND);
    let patched = world.patch(unknown, 0, b"x").await;
    assert_eq!(patched.status, StatusCode::NOT_FOUND);
    assert_eq!(patched.error_code(), "not_found");
}

#[tokio::test]
async fn folders_and_paths_are_refused() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 10)]).await;
    let file_id = b64(&world.files[0].to_string());
    for metadata in [
        format!("file_id {file_id},filename {}", b64("photos/a.bin")),
        format!("file_id {file_id},filename {}", b64("photos\\a.bin")),
        format!(
            "file_id {file_id},filename {},is_directory {}",
            b64("photos"),
            b64("true")
        ),
        format!(
            "file_id {file_id},filename {},type {}",
            b64("photos"),
            b64("directory")
        ),
        format!("file_id {file_id},filetype {}", b64("inode/directory")),
    ] {
        let refused = world
            .send(
                world
                    .tus(Method::POST, paths::GATEWAY_TUS)
                    .header("upload-length", "10")
                    .header("upload-metadata", &metadata),
                Body::empty(),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{metadata}");
        assert!(
            refused.message().contains("not folders"),
            "{}",
            refused.message()
        );
    }
}

#[tokio::test]
async fn the_gateway_switched_off_refuses_every_tus_request() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 2)]).await;
    let url = world.create(world.files[0], 2).await;
    let settings = Settings {
        gateway_enabled: false,
        ..ferry_server::services::settings::load(&world.app.state.db)
            .await
            .unwrap()
    };
    ferry_server::services::settings::save(&world.app.state.db, settings)
        .await
        .unwrap();
    assert_eq!(world.head(&url).await.status, StatusCode::FORBIDDEN);
    for answer in [
        world.patch(&url, 0, b"ab").await,
        world.try_create(world.files[0], 2).await,
        world
            .send(
                Request::builder().method(Method::OPTIONS).uri("/tus/"),
                Body::empty(),
            )
            .await,
    ] {
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert!(
            answer.message().contains("turned off"),
            "{}",
            answer.message()
        );
    }
}

#[tokio::test]
async fn an_upload_offset_sent_twice_with_different_values_is_refused() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 10)]).await;
    let url = world.create(world.files[0], 10).await;
    let twice = world.patch_request(&url, 0).header("upload-offset", "4");
    let refused = world.send(twice, Body::from("0123")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.message().contains("more than once"),
        "{}",
        refused.text
    );
    assert_eq!(offset_of(&world.head(&url).await), 0, "nothing was written");
}
