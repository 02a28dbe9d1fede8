//! Completing files: verified against a declared SHA-256, stored under server-made keys, and the
//! package sent (once) when its last file completes, which puts it in the recipients' Received list.

use app::paths;
use axum::{
    body::Body,
    http::{Method, StatusCode},
};

use crate::{
    common::{Engine, TestApp, TestRequest},
    on_both_databases,
    tus::support::{World, b64, data, location, meta, sha256_hex},
};

on_both_databases!(
    the_last_file_sends_the_package_to_its_recipients,
    |engine: Engine| async move {
        let world = World::new(engine, &[("Quarterly report.pdf", 5_000), ("notes.txt", 6)]).await;
        let received = || {
            let request = TestRequest::get(paths::PACKAGES_RECEIVED).cookie(&world.bob);
            world.app.call(request)
        };
        let report = data(5_000, 9);
        assert_eq!(
            world.upload(world.files[0], &report).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            world.package_row().await.state,
            ferry_server::db::entities::packages::State::Draft
        );
        assert_eq!(received().await.body["total"], 0);

        assert_eq!(
            world.upload(world.files[1], b"notes!").await.status,
            StatusCode::NO_CONTENT
        );
        let package = world.package_row().await;
        assert_eq!(
            package.state,
            ferry_server::db::entities::packages::State::Sent
        );
        assert!(package.sent_at.is_some());
        let list = received().await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        assert_eq!(list.body["total"], 1);
        assert_eq!(list.body["items"][0]["id"], world.package);

        // Bytes live under server-made keys only, never under the user's file names.
        let names = world.stored_names().await;
        assert!(
            names
                .iter()
                .all(|n| !n.contains("report") && !n.contains("notes")),
            "{names:?}"
        );
        assert_eq!(world.object(world.files[0]).await, report);

        // A sent package takes no more uploads.
        let late = world.try_create(world.files[0], 5_000).await;
        assert_eq!(late.status, StatusCode::CONFLICT);
    }
);

on_both_databases!(a_declared_sha256_is_checked, |engine: Engine| async move {
    let world = World::new(engine, &[("a.bin", 10)]).await;
    let file = world.files[0];
    let create = |digest: String| {
        let metadata = format!("{},sha256 {}", meta(file, "a.bin"), b64(&digest));
        let request = world
            .tus(Method::POST, paths::GATEWAY_TUS)
            .header("upload-length", "10")
            .header("upload-metadata", metadata);
        world.send(request, Body::empty())
    };
    let wrong = location(&create(sha256_hex(b"something else")).await);
    let refused = world.patch(&wrong, 0, b"0123456789").await;
    assert_eq!(refused.status.as_u16(), 460, "{}", refused.text);
    assert!(
        refused.message().contains("SHA-256"),
        "{}",
        refused.message()
    );
    assert_eq!(
        world.file(file).await.state,
        ferry_server::db::entities::package_files::State::Pending
    );
    assert_eq!(world.head(&wrong).await.status, StatusCode::NOT_FOUND);
    assert!(!world.has_upload_bytes(&wrong).await);
    let key = world.file(file).await.storage_key;
    assert!(!world.app.has_object(&key).await);

    let right = location(&create(sha256_hex(b"0123456789").to_uppercase()).await);
    let accepted = world.patch(&right, 0, b"0123456789").await;
    assert_eq!(accepted.status, StatusCode::NO_CONTENT, "{}", accepted.text);
    assert_eq!(world.object(file).await, b"0123456789");
});

/// Two files finishing at the same moment: the package is sent, whichever commits last.
async fn files_finishing_together(engine: Engine) {
    let app = TestApp::start(engine).await;
    let world = World::with(app, &[("a.bin", 3), ("b.bin", 3)]).await;
    for round in 0..4 {
        let package = world.draft().await;
        let (files, token) = world.spec(package, &[("a.bin", 3), ("b.bin", 3)]).await;
        let mut urls = vec![];
        for &file in &files {
            let request = world
                .tus_as(&token, Method::POST, paths::GATEWAY_TUS)
                .header("upload-length", "3")
                .header("upload-metadata", meta(file, "x"));
            urls.push(location(&world.send(request, Body::empty()).await));
        }
        let patch = |url: &str| {
            let request = world
                .tus_as(&token, Method::PATCH, url)
                .header("content-type", "application/offset+octet-stream")
                .header("upload-offset", "0");
            world.send(request, Body::from("abc"))
        };
        let (one, two) = tokio::join!(patch(&urls[0]), patch(&urls[1]));
        assert_eq!(one.status, StatusCode::NO_CONTENT, "{}", one.text);
        assert_eq!(two.status, StatusCode::NO_CONTENT, "{}", two.text);
        let row = ferry_server::db::entities::packages::Entity::find_by_id(package)
            .one(&world.app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.state,
            ferry_server::db::entities::packages::State::Sent,
            "round {round}"
        );
    }
}

use sea_orm::EntityTrait as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_finishing_together_sqlite() {
    files_finishing_together(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_finishing_together_postgres() {
    files_finishing_together(Engine::Postgres).await;
}
