//! Completions cut short, and what finishes them: an upload at its full offset whose file is still
//! pending (as older versions left one when completing failed) is completed by `HEAD`, by the next
//! `PATCH` and by housekeeping; an object published by a completion that was never recorded is
//! replaced when the client sends the last chunk again; and upload bytes a crash kept from being
//! removed go in housekeeping, when the files are deleted, or with their package.

use app::{paths, types::Role};
use axum::http::StatusCode;
use bytes::Bytes;
use ferry_server::{
    db::entities::uploads,
    services::uploads::{reclaim_expired, recover_completions, remove_finished_uploads},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::{
    common::{Engine, TestRequest},
    on_both_databases,
    tus::support::{PASSWORD, World, data, offset_of},
};

const LEN: usize = 10_000;
const FIRST: usize = 6_000;

/// Writes `bytes` to upload `url` at `offset` on the node behind the gateway's back.
async fn node_append(world: &World, url: &str, offset: usize, bytes: &[u8]) {
    let id = url.rsplit('/').next().unwrap();
    let body = futures_util::stream::iter([Ok(Bytes::copy_from_slice(bytes))]);
    let appended = world
        .app
        .state
        .node
        .append(id, offset as u64, bytes.len() as u64, Box::pin(body), None)
        .await
        .unwrap();
    assert_eq!(appended.written, bytes.len() as u64);
}

async fn upload_row(world: &World, url: &str) -> uploads::Model {
    let id = url.rsplit('/').next().unwrap();
    uploads::Entity::find_by_id(id)
        .one(&world.app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// A one-file package whose upload an older Ferry left stuck: every byte on the node and the
/// offset at the length, the file still pending.
async fn stuck(engine: Engine) -> (World, String, Vec<u8>) {
    let world = World::new(engine, &[("a.bin", LEN as u64)]).await;
    let bytes = data(LEN, 3);
    let url = world.create(world.files[0], LEN as u64).await;
    let first = world.patch(&url, 0, &bytes[..FIRST]).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    node_append(&world, &url, FIRST, &bytes[FIRST..]).await;
    let mut row: uploads::ActiveModel = upload_row(&world, &url).await.into();
    row.offset = Set(LEN as i64);
    row.update(&world.app.state.db).await.unwrap();
    (world, url, bytes)
}

async fn assert_sent_with(world: &World, bytes: &[u8]) {
    assert_eq!(
        world.file(world.files[0]).await.state,
        ferry_server::db::entities::package_files::State::Complete
    );
    assert_eq!(
        world.package_row().await.state,
        ferry_server::db::entities::packages::State::Sent
    );
    assert_eq!(world.object(world.files[0]).await, bytes);
}

on_both_databases!(
    head_completes_an_upload_left_whole_with_its_file_pending,
    |engine: Engine| async move {
        let (world, url, bytes) = stuck(engine).await;
        let head = world.head(&url).await;
        assert_eq!(head.status, StatusCode::OK, "{}", head.text);
        assert_eq!(offset_of(&head), LEN as u64);
        assert_sent_with(&world, &bytes).await;
        assert!(!world.has_upload_bytes(&url).await);
    }
);

#[tokio::test]
async fn an_empty_patch_completes_an_upload_left_whole() {
    let (world, url, bytes) = stuck(Engine::Sqlite).await;
    let patched = world.patch(&url, LEN as u64, b"").await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);
    assert_eq!(offset_of(&patched), LEN as u64);
    assert_sent_with(&world, &bytes).await;
}

on_both_databases!(
    housekeeping_completes_an_upload_left_whole,
    |engine: Engine| async move {
        let (world, url, bytes) = stuck(engine).await;
        let state = &world.app.state;
        assert_eq!(recover_completions(state).await.unwrap(), 1);
        assert_sent_with(&world, &bytes).await;
        assert_eq!(recover_completions(state).await.unwrap(), 0);
        assert_eq!(offset_of(&world.head(&url).await), LEN as u64);
    }
);

on_both_databases!(
    the_last_chunk_resent_after_an_unrecorded_publish_completes_the_file,
    |engine: Engine| async move {
        // A completion published the file and was cut short before recording it: the offset is
        // still the one before the last chunk, and the object is there (on S3, the upload is
        // joined and takes no more bytes).
        let world = World::new(engine, &[("a.bin", LEN as u64)]).await;
        let bytes = data(LEN, 5);
        let url = world.create(world.files[0], LEN as u64).await;
        assert_eq!(
            world.patch(&url, 0, &bytes[..FIRST]).await.status,
            StatusCode::NO_CONTENT
        );
        node_append(&world, &url, FIRST, &bytes[FIRST..]).await;
        let key = world.file(world.files[0]).await.storage_key;
        let id = url.rsplit('/').next().unwrap().to_owned();
        world.app.state.node.publish(&[id], &key).await.unwrap();

        let head = world.head(&url).await;
        assert_eq!(
            offset_of(&head),
            FIRST as u64,
            "not whole before it is recorded"
        );
        assert_eq!(
            world.package_row().await.state,
            ferry_server::db::entities::packages::State::Draft
        );
        let last = world.patch(&url, FIRST as u64, &bytes[FIRST..]).await;
        assert_eq!(last.status, StatusCode::NO_CONTENT, "{}", last.text);
        assert_eq!(offset_of(&last), LEN as u64);
        assert_sent_with(&world, &bytes).await;
    }
);

on_both_databases!(
    upload_bytes_left_after_completion_go_with_housekeeping_or_the_files,
    |engine: Engine| async move {
        let world = World::new(engine, &[("a.bin", LEN as u64)]).await;
        let bytes = data(LEN, 9);
        let url = world.create(world.files[0], LEN as u64).await;
        assert_eq!(
            world.patch(&url, 0, &bytes).await.status,
            StatusCode::NO_CONTENT
        );
        assert!(!world.has_upload_bytes(&url).await);
        assert!(upload_row(&world, &url).await.bytes_removed_at.is_some());

        // What a crash between completing and removing leaves: the bytes, unrecorded.
        let leave_bytes = || async {
            let id = url.rsplit('/').next().unwrap();
            world.app.state.node.create_upload(id).await.unwrap();
            node_append(&world, &url, 0, &bytes[..FIRST]).await;
            let mut row: uploads::ActiveModel = upload_row(&world, &url).await.into();
            row.bytes_removed_at = Set(None);
            row.update(&world.app.state.db).await.unwrap();
        };
        leave_bytes().await;
        let state = &world.app.state;
        assert_eq!(remove_finished_uploads(state, None).await.unwrap(), 1);
        assert!(!world.has_upload_bytes(&url).await);
        assert!(upload_row(&world, &url).await.bytes_removed_at.is_some());
        assert_eq!(remove_finished_uploads(state, None).await.unwrap(), 0);

        // An admin deleting the files takes them too, at once.
        leave_bytes().await;
        world.app.create_user("root", PASSWORD, Role::Admin).await;
        let admin = world.app.sign_in("root", PASSWORD).await;
        let path = paths::with_id(paths::ADMIN_PACKAGE_FILES, world.package);
        let deleted = world
            .app
            .call(TestRequest::delete(&path).cookie(&admin))
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
        assert!(!world.has_upload_bytes(&url).await);
        assert!(upload_row(&world, &url).await.bytes_removed_at.is_some());
    }
);

on_both_databases!(
    deleting_a_package_removes_its_uploads_bytes_at_once,
    |engine: Engine| async move {
        let world = World::new(engine, &[("a.bin", LEN as u64)]).await;
        let url = world.create(world.files[0], LEN as u64).await;
        let bytes = data(FIRST, 1);
        assert_eq!(
            world.patch(&url, 0, &bytes).await.status,
            StatusCode::NO_CONTENT
        );
        assert!(world.has_upload_bytes(&url).await);
        let path = paths::with_id(paths::PACKAGE, world.package);
        let deleted = world
            .app
            .call(TestRequest::delete(&path).cookie(&world.alice))
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
        assert!(!world.has_upload_bytes(&url).await);
    }
);

#[tokio::test]
async fn an_unrecorded_object_goes_when_its_upload_expires() {
    // A completion published the file and was cut short, and its client never came back.
    let world = World::new(Engine::Sqlite, &[("a.bin", LEN as u64)]).await;
    let bytes = data(LEN, 11);
    let url = world.create(world.files[0], LEN as u64).await;
    assert_eq!(
        world.patch(&url, 0, &bytes[..FIRST]).await.status,
        StatusCode::NO_CONTENT
    );
    node_append(&world, &url, FIRST, &bytes[FIRST..]).await;
    let key = world.file(world.files[0]).await.storage_key;
    let id = url.rsplit('/').next().unwrap().to_owned();
    let state = &world.app.state;
    state.node.publish(&[id], &key).await.unwrap();
    assert!(world.app.has_object(&key).await);

    let day_later = chrono::Utc::now() + chrono::Duration::hours(25);
    assert_eq!(reclaim_expired(state, day_later).await.unwrap(), 1);
    assert!(!world.has_upload_bytes(&url).await);
    assert!(!world.app.has_object(&key).await, "no row refers to it");
    assert_eq!(
        world.file(world.files[0]).await.state,
        ferry_server::db::entities::package_files::State::Pending
    );
}
