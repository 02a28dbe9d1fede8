//! Several instances of one Ferry on one PostgreSQL database and one S3 bucket (moto), each with
//! its own memory and data dir, as behind a load balancer without sticky sessions: an upload goes
//! on wherever its next request lands, and a file is downloaded from any instance.
use app::paths;
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use serde_json::json;
use sha2::Digest;

use crate::{
    common::{Engine, TestApp, TestRequest, send_request},
    tus::support::{self, World},
};

const MIB: usize = 1 << 20;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 12) as u8)
        .collect()
}

/// GETs `file` from `app`'s gateway as the holder of `cookie` (a download spec asked of `app`),
/// with `range` if given; waits until the download is recorded.
async fn download(
    app: &TestApp,
    cookie: &str,
    package: i64,
    file: i64,
    range: Option<&str>,
) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let spec = app
        .call(
            TestRequest::post(
                &paths::with_id(paths::PACKAGE_DOWNLOAD_SPEC, package),
                json!({}),
            )
            .cookie(cookie),
        )
        .await;
    assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
    let token = spec.body["token"].as_str().unwrap();
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(paths::GATEWAY_FILE.replace("{file_id}", &file.to_string()))
        .header("authorization", format!("Bearer {token}"));
    if let Some(range) = range {
        request = request.header("range", range);
    }
    let response = app
        .gateway
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    app.state.download_records.settled().await;
    bytes.to_vec()
}

#[tokio::test]
async fn an_upload_started_on_one_instance_resumes_on_another() {
    let (first, second) = TestApp::two_instances(Engine::Postgres).await;
    let bytes = pattern(7 * MIB + 12345, 3);
    let world = World::with(first, &[("scan.tiff", bytes.len() as u64)]).await;
    let file = world.files[0];
    let url = world.create(file, bytes.len() as u64).await;

    // Six MiB land on the first instance: one part handed to the store, the rest a tail.
    let started = world.patch(&url, 0, &bytes[..6 * MIB]).await;
    assert_eq!(started.status, StatusCode::NO_CONTENT, "{}", started.text);
    // The next request lands on the second instance, which never saw the upload.
    let head = send_request(
        &second.gateway,
        world.tus(Method::HEAD, &url).body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(head.headers["upload-offset"], (6 * MIB).to_string());
    let request = world
        .patch_request(&url, 6 * MIB as u64)
        .body(Body::from(bytes[6 * MIB..].to_vec()))
        .unwrap();
    let finished = send_request(&second.gateway, request).await;
    assert_eq!(finished.status, StatusCode::NO_CONTENT, "{}", finished.text);

    let row = world.file(file).await;
    assert_eq!(
        row.state,
        ferry_server::db::entities::package_files::State::Complete
    );
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    assert_eq!(row.sha256.as_deref(), Some(sha256.as_str()));
    // Downloaded from either instance, byte for byte.
    for app in [&world.app, &second] {
        let bob = app.sign_in("bob", support::PASSWORD).await;
        assert_eq!(download(app, &bob, world.package, file, None).await, bytes);
    }
    let bucket = world.app.bucket.as_ref().unwrap();
    assert!(bucket.multipart_uploads().await.is_empty());
    assert!(
        bucket.keys("uploads").await.is_empty(),
        "the upload's bytes were discarded"
    );
}

#[tokio::test]
async fn two_instances_expiring_together_delete_the_files_once() {
    use ferry_server::{
        db::{entities::packages, expiration::Kind},
        services::expiration,
    };
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

    let (first, second) = TestApp::two_instances(Engine::Postgres).await;
    let bytes = pattern(MIB, 8);
    let world = World::with(first, &[("old.bin", bytes.len() as u64)]).await;
    let done = world.upload(world.files[0], &bytes).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
    let key = world.file(world.files[0]).await.storage_key;
    assert!(world.app.has_object(&key).await);

    // Sent two days ago, kept for one day: due now, on whichever instance looks first.
    let package = packages::Entity::find_by_id(world.package)
        .one(&world.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut package = package.into_active_model();
    let sent_at = chrono::Utc::now() - chrono::Duration::days(2);
    package.sent_at = Set(Some(sent_at));
    package.expiration_kind = Set(Kind::AfterDays);
    package.expiration_days = Set(Some(1));
    package.update(&world.app.state.db).await.unwrap();

    let now = chrono::Utc::now();
    let (one, two) = tokio::join!(
        expiration::apply(&world.app.state, now),
        expiration::apply(&second.state, now)
    );
    assert_eq!(one.unwrap() + two.unwrap(), 1, "deleted exactly once");
    assert!(!world.app.has_object(&key).await);
    assert!(!second.has_object(&key).await);
    assert_eq!(
        world.file(world.files[0]).await.state,
        ferry_server::db::entities::package_files::State::Deleted
    );
}

#[tokio::test]
async fn a_download_split_across_instances_counts_once_whole() {
    let (first, second) = TestApp::two_instances(Engine::Postgres).await;
    let bytes = pattern(MIB, 4);
    let world = World::with(first, &[("split.bin", bytes.len() as u64)]).await;
    let file = world.files[0];
    let done = world.upload(file, &bytes).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);

    let half = bytes.len() / 2;
    let bob_first = world.app.sign_in("bob", support::PASSWORD).await;
    let head = format!("bytes=0-{}", half - 1);
    let got = download(&world.app, &bob_first, world.package, file, Some(&head)).await;
    assert_eq!(got, bytes[..half]);
    let bob_second = second.sign_in("bob", support::PASSWORD).await;
    let tail = format!("bytes={half}-");
    let got = download(&second, &bob_second, world.package, file, Some(&tail)).await;
    assert_eq!(got, bytes[half..]);

    // Each instance recorded its half in the shared database: together, the whole file.
    for app in [&world.app, &second] {
        let detail = app
            .call(
                TestRequest::get(&paths::with_id(paths::PACKAGE, world.package))
                    .cookie(&world.alice),
            )
            .await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
        let bob = detail.body["recipient_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|status| status["user"]["username"] == "bob")
            .cloned()
            .unwrap();
        assert_eq!(bob["files_downloaded"], 1, "{bob}");
        assert_eq!(bob["state"], "downloaded");
    }
}
