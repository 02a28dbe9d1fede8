//! What survives what: a body that breaks off keeps its bytes, a second writer is refused rather
//! than interleaved, expired uploads answer 410 and are reclaimed with their bytes.

use std::io;

use axum::{
    body::Body,
    http::{Method, StatusCode},
};
use bytes::Bytes;
use chrono::{Duration, Utc};
use ferry_server::{db::entities::uploads, services::uploads::reclaim_expired};
use futures_util::stream;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::{
    common::{Engine, send_request},
    on_both_databases,
    tus::support::{World, data, offset_of},
};

on_both_databases!(
    a_body_that_breaks_off_keeps_what_arrived,
    |engine: Engine| async move {
        let bytes = data(50_000, 3);
        let world = World::new(engine, &[("a.bin", bytes.len() as u64)]).await;
        let url = world.create(world.files[0], bytes.len() as u64).await;
        let (sent, rest) = bytes.split_at(20_000);
        let items: Vec<io::Result<Bytes>> = vec![
            Ok(Bytes::copy_from_slice(&sent[..12_000])),
            Ok(Bytes::copy_from_slice(&sent[12_000..])),
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "client gone",
            )),
        ];
        let broken = world
            .send(
                world.patch_request(&url, 0),
                Body::from_stream(stream::iter(items)),
            )
            .await;
        assert!(broken.status.is_client_error(), "{:?}", broken.status);
        let head = world.head(&url).await;
        assert_eq!(
            offset_of(&head),
            20_000,
            "what arrived was made durable and counted"
        );

        // With a checksum, a broken chunk is not kept at all.
        let items: Vec<io::Result<Bytes>> = vec![
            Ok(Bytes::copy_from_slice(&rest[..100])),
            Err(io::Error::other("client gone")),
        ];
        let checked = world
            .send(
                world
                    .patch_request(&url, 20_000)
                    .header("upload-checksum", "sha1 AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
                Body::from_stream(stream::iter(items)),
            )
            .await;
        assert!(checked.status.is_client_error(), "{:?}", checked.status);
        assert_eq!(offset_of(&world.head(&url).await), 20_000);

        let resumed = world.patch(&url, 20_000, rest).await;
        assert_eq!(resumed.status, StatusCode::NO_CONTENT, "{}", resumed.text);
        assert_eq!(world.object(world.files[0]).await, bytes, "byte-identical");
    }
);

on_both_databases!(
    a_second_writer_is_refused_not_interleaved,
    |engine: Engine| async move {
        let world = World::new(engine, &[("a.bin", 8)]).await;
        let url = world.create(world.files[0], 8).await;
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
        let slow = stream::unfold(
            (0, Some(started_tx), Some(release_rx)),
            |(step, started, release)| async move {
                match step {
                    0 => {
                        let _ = started?.send(());
                        Some((
                            Ok::<_, io::Error>(Bytes::from_static(b"aaaa")),
                            (1, None, release),
                        ))
                    }
                    1 => {
                        let _ = release?.await;
                        Some((Ok(Bytes::from_static(b"bbbb")), (2, None, None)))
                    }
                    _ => None,
                }
            },
        );
        let router = world.app.gateway.clone();
        let request = world
            .patch_request(&url, 0)
            .body(Body::from_stream(slow))
            .unwrap();
        let first = tokio::spawn(async move { send_request(&router, request).await });
        started_rx.await.unwrap();

        let second = world.patch(&url, 0, b"XXXXXXXX").await;
        assert_eq!(second.status, StatusCode::LOCKED, "{}", second.text);
        assert_eq!(
            second.headers["retry-after"], "1",
            "worth asking again shortly"
        );
        let terminate = world
            .send(world.tus(Method::DELETE, &url), Body::empty())
            .await;
        assert_eq!(terminate.status, StatusCode::LOCKED);
        assert_eq!(
            offset_of(&world.head(&url).await),
            0,
            "nothing acknowledged yet"
        );

        release_tx.send(()).unwrap();
        let first = first.await.unwrap();
        assert_eq!(first.status, StatusCode::NO_CONTENT, "{}", first.text);
        assert_eq!(offset_of(&first), 8);
        assert_eq!(world.object(world.files[0]).await, b"aaaabbbb");
    }
);

on_both_databases!(
    expired_uploads_answer_gone_and_are_reclaimed,
    |engine: Engine| async move {
        let world = World::new(engine, &[("a.bin", 8), ("b.bin", 8), ("c.bin", 2)]).await;
        let state = &world.app.state;
        let stale = world.create(world.files[0], 8).await;
        assert_eq!(
            world.patch(&stale, 0, b"1234").await.status,
            StatusCode::NO_CONTENT
        );
        let fresh = world.create(world.files[1], 8).await;
        assert_eq!(
            world.patch(&fresh, 0, b"1234").await.status,
            StatusCode::NO_CONTENT
        );
        // An upload left unfinished, then the file uploaded again from the start: the idle one
        // is discarded to make room for the new one (a file's uploads hold at most its size).
        let abandoned = world.create(world.files[2], 2).await;
        assert_eq!(
            world.patch(&abandoned, 0, b"o").await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            world.upload(world.files[2], b"ok").await.status,
            StatusCode::NO_CONTENT
        );
        assert!(!world.has_upload_bytes(&abandoned).await);

        let id = stale.rsplit('/').next().unwrap().to_owned();
        let mut row: uploads::ActiveModel = uploads::Entity::find_by_id(id.clone())
            .one(&state.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        row.expires_at = Set(Utc::now() - Duration::minutes(1));
        row.update(&state.db).await.unwrap();
        assert_eq!(world.head(&stale).await.status, StatusCode::GONE);
        assert_eq!(
            world.patch(&stale, 4, b"5678").await.status,
            StatusCode::GONE
        );

        assert_eq!(reclaim_expired(state, Utc::now()).await.unwrap(), 1);
        assert!(!world.has_upload_bytes(&stale).await);
        assert_eq!(world.head(&stale).await.status, StatusCode::NOT_FOUND);
        assert!(
            world.has_upload_bytes(&fresh).await,
            "an upload in use is kept"
        );

        // A day later, with no activity, the other one goes too; the complete file stays.
        let later = Utc::now() + Duration::hours(25);
        assert_eq!(reclaim_expired(state, later).await.unwrap(), 1);
        assert!(!world.has_upload_bytes(&fresh).await);
        assert!(!world.has_upload_bytes(&abandoned).await);
        assert_eq!(world.head(&fresh).await.status, StatusCode::NOT_FOUND);
        assert_eq!(world.object(world.files[2]).await, b"ok");
        assert_eq!(
            world.file(world.files[0]).await.state,
            ferry_server::db::entities::package_files::State::Pending
        );
    }
);

#[tokio::test]
async fn bytes_of_dropped_files_are_reclaimed_once_idle() {
    let world = World::new(Engine::Sqlite, &[("a.bin", 8), ("b.bin", 8)]).await;
    let url = world.create(world.files[1], 8).await;
    assert_eq!(
        world.patch(&url, 0, b"1234").await.status,
        StatusCode::NO_CONTENT
    );
    // The sender declares again without b.bin: its row and upload rows go, the bytes stay behind.
    world.spec(world.package, &[("a.bin", 8)]).await;
    assert_eq!(world.head(&url).await.status, StatusCode::NOT_FOUND);
    assert!(world.has_upload_bytes(&url).await);
    let state = &world.app.state;
    reclaim_expired(state, Utc::now()).await.unwrap();
    assert!(
        world.has_upload_bytes(&url).await,
        "not idle long enough yet"
    );

    if world.app.bucket.is_some() {
        // An S3 upload's age is the store's last-modified time of its manifest, which a test
        // cannot set back; the node contract checks its idle listing.
        return;
    }
    let id = url.rsplit('/').next().unwrap();
    let part = world.storage().join("uploads").join(format!("{id}.part"));
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(25 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&part)
        .unwrap()
        .set_modified(day_ago)
        .unwrap();
    reclaim_expired(state, Utc::now()).await.unwrap();
    assert!(!world.has_upload_bytes(&url).await);
}
