//! Two `ferry serve` processes on one PostgreSQL database and one S3 bucket, each request landing
//! on either, as behind a load balancer without sticky sessions: an upload goes on wherever its
//! next request lands, a download split across them is recorded once, and both running the
//! expiration pass at the same time delete a package's files once.

use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use crate::{
    crash::cluster::{BOB, BOB_PASSWORD, Cluster, download, notifications, receive_token},
    crash::http::{api, get, patch},
    crash::support::{CHUNK, eventually, finish, new_package, offset_of, sign_in, test_bytes},
};

/// The S3 node's part size: a PATCH this long hands a whole part to the multipart upload.
const PART: usize = 16 << 20;

/// The package `package` as its sender (the holder of `cookie`) sees it on `web`.
async fn package_seen_by_sender(web: std::net::SocketAddr, cookie: &str, package: i64) -> Value {
    let detail = get(web, &format!("/api/v1/packages/{package}"), cookie).await;
    assert_eq!(detail.status, 200);
    detail.json()
}

/// [`BOB`]'s line of the package's recipient status.
fn bobs_status(detail: &Value) -> Value {
    detail["recipient_status"]
        .as_array()
        .unwrap()
        .iter()
        .find(|status| status["user"]["username"] == BOB)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn an_upload_begun_on_one_instance_finishes_on_the_other_and_downloads_whole() {
    let cluster = Cluster::start().await;
    let [one, two] = &cluster.instances;
    let admin = cluster.admin_with_bob().await;
    let bytes = test_bytes(PART + 3 * CHUNK + 12_345);
    let draft = json!({ "title": "Scan", "recipients": [BOB], "expiration": { "kind": "none" } });
    let upload = new_package(one.web, one.gateway, &admin, draft, bytes.len()).await;

    // The first instance takes a whole part and a tail.
    let begun = PART + CHUNK + 777;
    let first = patch(one.gateway, &upload.url, &upload.token, 0, &bytes[..begun]).await;
    assert_eq!(first.status, 204);
    assert_eq!(
        first.header("upload-offset"),
        Some(begun.to_string().as_str())
    );
    // The second instance never saw the upload: it learns where it stands and takes the rest.
    assert_eq!(offset_of(two.gateway, &upload).await, begun);
    finish(two.gateway, &upload, begun, &bytes).await;

    let detail = package_seen_by_sender(one.web, &admin, upload.package).await;
    assert_eq!(detail["state"], "sent", "{detail}");
    let bob = sign_in(one.web, BOB, BOB_PASSWORD).await;
    let token = receive_token(one.web, &bob, upload.package).await;
    let got = download(one.gateway, &token, upload.file, None).await;
    assert_eq!(got.status, 200);
    assert!(got.body == bytes, "the downloaded file is byte-identical");

    let published = cluster.bucket.keys("objects").await;
    assert_eq!(published.len(), 1, "{published:?}");
    assert!(cluster.bucket.keys("uploads").await.is_empty());
    let left = cluster.bucket.multipart_uploads().await;
    assert!(left.is_empty(), "multipart uploads left: {left:?}");
}

#[tokio::test]
async fn a_download_split_across_instances_counts_the_recipient_once() {
    let cluster = Cluster::start().await;
    let [one, two] = &cluster.instances;
    let admin = cluster.admin_with_bob().await;
    let bytes = test_bytes(2 * CHUNK + 4321);
    let draft = json!({ "title": "Split", "recipients": [BOB], "expiration": { "kind": "none" } });
    let upload = new_package(one.web, one.gateway, &admin, draft, bytes.len()).await;
    finish(one.gateway, &upload, 0, &bytes).await;

    // One session, used on both instances; each serves half of the file.
    let bob = sign_in(one.web, BOB, BOB_PASSWORD).await;
    let half = bytes.len() / 2;
    let token = receive_token(one.web, &bob, upload.package).await;
    let range = format!("bytes=0-{}", half - 1);
    let head = download(one.gateway, &token, upload.file, Some(&range)).await;
    assert_eq!(head.status, 206);
    assert!(head.body == bytes[..half]);
    let token = receive_token(two.web, &bob, upload.package).await;
    let range = format!("bytes={half}-");
    let tail = download(two.gateway, &token, upload.file, Some(&range)).await;
    assert_eq!(tail.status, 206);
    assert!(tail.body == bytes[half..]);

    // Each instance records its half in the shared database (after the response): together, the
    // whole file, once.
    let status = eventually("bob's download is recorded whole", || async {
        let detail = package_seen_by_sender(two.web, &admin, upload.package).await;
        let status = bobs_status(&detail);
        (status["state"] == "downloaded").then_some(status)
    })
    .await;
    assert_eq!(status["files_downloaded"], 1, "{status}");
    let seen_on_one = bobs_status(&package_seen_by_sender(one.web, &admin, upload.package).await);
    assert_eq!(seen_on_one, status);
    let told = notifications(one.web, &admin, "package_downloaded", upload.package).await;
    assert_eq!(told.len(), 1, "the sender is told once: {told:?}");
}

#[tokio::test]
async fn both_instances_expiring_at_once_delete_the_files_once() {
    let mut cluster = Cluster::start().await;
    let admin = cluster.admin_with_bob().await;
    let (one, two) = (cluster.instances[0].web, cluster.instances[1].web);
    let gateways = [cluster.instances[0].gateway, cluster.instances[1].gateway];
    let bytes = test_bytes(CHUNK + 99);
    let expiration = json!({ "kind": "after_days", "days": 1 });
    let draft = json!({ "title": "Old", "recipients": [BOB], "expiration": expiration });
    let upload = new_package(one, gateways[0], &admin, draft, bytes.len()).await;
    finish(gateways[0], &upload, 0, &bytes).await;
    let bob = sign_in(two, BOB, BOB_PASSWORD).await;
    let token = receive_token(two, &bob, upload.package).await;
    assert_eq!(cluster.bucket.keys("objects").await.len(), 1);

    // Sent two days ago (behind Ferry's back), kept for one day: due. Both instances start at once,
    // and housekeeping's first pass runs at start in each.
    cluster.kill_both().await;
    let db = sea_orm::Database::connect(&cluster.db.url).await.unwrap();
    let backdate = format!(
        "UPDATE packages SET sent_at = sent_at - INTERVAL '2 days' WHERE id = {}",
        upload.package
    );
    db.execute_unprepared(&backdate).await.unwrap();
    db.close().await.unwrap();
    cluster.start_both_at_once().await;

    eventually("the files are deleted", || async {
        let gone = cluster.bucket.keys("objects").await.is_empty();
        let detail = package_seen_by_sender(one, &admin, upload.package).await;
        (gone && !detail["files_deleted_at"].is_null()).then_some(())
    })
    .await;
    // Once both stopped cleanly, both passes are over: the sender was told once.
    cluster.stop_both().await;
    cluster.start_both_at_once().await;
    let told = notifications(two, &admin, "files_expired", upload.package).await;
    assert_eq!(told.len(), 1, "the files were deleted once: {told:?}");
    for gateway in gateways {
        let answer = download(gateway, &token, upload.file, None).await;
        assert_eq!(answer.status, 410);
    }
    let path = format!("/api/v1/packages/{}/transfer_spec/download", upload.package);
    let spec = api(one, &path, Some(&bob), json!({})).await;
    assert_eq!(spec.status, 410);
}
