//! Expiration policies and the admin's package files API: every policy, deletion that happens once
//! across concurrent workers, bytes removed from the node (also after a crash between the database
//! and the node), and packages that stay listed. On SQLite and PostgreSQL.
use app::paths;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use ferry_server::{
    db::entities::{package_files, packages},
    services::expiration,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    common::{Engine, TestRequest},
    on_both_databases,
    sending::{Sent, data},
};

fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![("a.bin", data(300_000, 3)), ("b.txt", b"bee".to_vec())]
}

/// `user` downloads every file of the first package, whole.
async fn download_all(sent: &Sent, cookie: &str) {
    let token = sent.token(cookie).await;
    for (id, bytes) in &sent.files {
        let (status, _, body) = sent.get_bytes(&token, *id, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&body, bytes);
    }
}

/// Whether the first package's files are deleted, checked everywhere it shows: the package row, each
/// file row, the node, the API.
async fn files_deleted(sent: &Sent, package: i64) -> bool {
    let row = sent.package_row(package).await;
    let rows = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package))
        .all(&sent.app.state.db)
        .await
        .unwrap();
    let Some(at) = row.files_deleted_at else {
        for file in &rows {
            assert_eq!(file.state, package_files::State::Complete);
            assert!(sent.has_bytes(file.id).await);
        }
        return false;
    };
    for file in &rows {
        assert_eq!(file.state, package_files::State::Deleted);
        assert_eq!(file.deleted_at, Some(at));
        assert!(file.purged_at.is_some());
        assert!(
            !sent.has_bytes(file.id).await,
            "bytes removed from the node"
        );
    }
    let detail = sent.detail(&sent.alice, package).await;
    assert!(detail["files_deleted_at"].is_string());
    assert!(
        detail["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["state"] == "deleted")
    );
    true
}

on_both_databases!(none_keeps_the_files, |engine: Engine| async move {
    let sent = Sent::new(engine, &["bob"], json!({ "kind": "none" }), &files()).await;
    download_all(&sent, &sent.bob).await;
    let far = Utc::now() + Duration::days(10_000);
    assert_eq!(expiration::apply(&sent.app.state, far).await.unwrap(), 0);
    assert!(!files_deleted(&sent, sent.package).await);
});

on_both_databases!(
    after_any_recipient_deletes_once_one_has_every_file,
    |engine: Engine| async move {
        let policy = json!({ "kind": "after_any_recipient_downloads" });
        let sent = Sent::new(engine, &["bob", "carol"], policy, &files()).await;
        // The sender's download does not count.
        download_all(&sent, &sent.alice).await;
        assert!(!files_deleted(&sent, sent.package).await);
        // One file of two, then a part of the other: not yet.
        let token = sent.token(&sent.bob).await;
        sent.get_bytes(&token, sent.files[0].0, &[]).await;
        sent.get_bytes(&token, sent.files[1].0, &[("range", "bytes=0-1")])
            .await;
        assert!(!files_deleted(&sent, sent.package).await);
        // The last byte: deleted at once, no worker pass needed.
        sent.get_bytes(&token, sent.files[1].0, &[("range", "bytes=2-")])
            .await;
        assert!(files_deleted(&sent, sent.package).await);
        // Still listed for everyone, with bob's progress.
        let received = sent
            .app
            .call(TestRequest::get(paths::PACKAGES_RECEIVED).cookie(&sent.carol))
            .await;
        assert_eq!(received.body["items"][0]["id"], sent.package);
        assert!(received.body["items"][0]["files_deleted_at"].is_string());
        assert_eq!(
            sent.status_of(sent.package, "bob").await["state"],
            "downloaded"
        );
        assert_eq!(
            sent.status_of(sent.package, "carol").await["state"],
            "not_downloaded"
        );
    }
);

on_both_databases!(
    after_all_recipients_waits_for_the_last_one,
    |engine: Engine| async move {
        let policy = json!({ "kind": "after_all_recipients_download" });
        let sent = Sent::new(engine, &["bob", "carol"], policy, &files()).await;
        download_all(&sent, &sent.bob).await;
        let far = Utc::now() + Duration::days(10_000);
        assert_eq!(expiration::apply(&sent.app.state, far).await.unwrap(), 0);
        assert!(!files_deleted(&sent, sent.package).await);
        download_all(&sent, &sent.carol).await;
        assert!(files_deleted(&sent, sent.package).await);
        let carol = sent.status_of(sent.package, "carol").await;
        assert_eq!(carol["state"], "downloaded");
        assert!(carol["downloaded_at"].is_string());
    }
);

on_both_databases!(
    after_days_deletes_once_the_days_have_passed,
    |engine: Engine| async move {
        let sent = Sent::new(
            engine,
            &["bob"],
            json!({ "kind": "after_days", "days": 2 }),
            &files(),
        )
        .await;
        let (week, _) = sent
            .send(
                &["bob"],
                json!({ "kind": "after_days", "days": 7 }),
                &files(),
            )
            .await;
        let (forever, _) = sent
            .send(&["bob"], json!({ "kind": "none" }), &files())
            .await;
        let sent_at = sent.package_row(sent.package).await.sent_at.unwrap();
        let state = &sent.app.state;

        let almost = sent_at + Duration::days(2) - Duration::seconds(1);
        assert_eq!(expiration::apply(state, almost).await.unwrap(), 0);
        assert!(!files_deleted(&sent, sent.package).await);

        assert_eq!(
            expiration::apply(state, sent_at + Duration::days(3))
                .await
                .unwrap(),
            1
        );
        assert!(files_deleted(&sent, sent.package).await);
        assert!(!files_deleted(&sent, week).await);

        // Idempotent: another pass, much later, deletes only what is newly due.
        let later = sent_at + Duration::days(8);
        assert_eq!(expiration::apply(state, later).await.unwrap(), 1);
        assert_eq!(expiration::apply(state, later).await.unwrap(), 0);
        assert!(files_deleted(&sent, week).await);
        assert!(!files_deleted(&sent, forever).await);
    }
);

/// Two workers (separate connections of the pool, as two instances would be) apply the policies at
/// the same moment: each due package loses its files exactly once.
async fn concurrent_workers_delete_once(engine: Engine) {
    let policy = json!({ "kind": "after_days", "days": 1 });
    let sent = Sent::new(engine, &["bob"], policy.clone(), &files()).await;
    let mut due = vec![sent.package];
    for _ in 0..3 {
        due.push(sent.send(&["bob"], policy.clone(), &files()).await.0);
    }
    let state = &sent.app.state;
    let when = Utc::now() + Duration::days(2);
    let (one, two) = tokio::join!(
        expiration::apply(state, when),
        expiration::apply(state, when)
    );
    assert_eq!(one.unwrap() + two.unwrap(), due.len() as u64);
    let (one, two) = tokio::join!(
        expiration::apply(state, when),
        expiration::apply(state, when)
    );
    assert_eq!(
        (one.unwrap(), two.unwrap()),
        (0, 0),
        "nothing is deleted twice"
    );
    for package in &due {
        assert!(files_deleted(&sent, *package).await);
    }

    // The same race on one package, through the function both expiration and admins use.
    let (last, _) = sent.send(&["bob"], Value::Null, &files()).await;
    let (one, two) = tokio::join!(
        expiration::delete_files(state, last, when, expiration::Deletion::Expired),
        expiration::delete_files(state, last, when, expiration::Deletion::Expired)
    );
    assert!(one.unwrap() ^ two.unwrap(), "exactly one deletes");
    assert!(files_deleted(&sent, last).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_workers_delete_once_sqlite() {
    concurrent_workers_delete_once(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_workers_delete_once_postgres() {
    concurrent_workers_delete_once(Engine::Postgres).await;
}

on_both_databases!(
    bytes_left_by_a_crash_are_removed_by_the_next_pass,
    |engine: Engine| async move {
        let sent = Sent::new(engine, &["bob"], Value::Null, &files()).await;
        // As if an instance marked the files deleted and died before touching the node.
        let now = Utc::now();
        packages::Entity::update_many()
            .col_expr(packages::Column::FilesDeletedAt, Expr::value(now))
            .filter(packages::Column::Id.eq(sent.package))
            .exec(&sent.app.state.db)
            .await
            .unwrap();
        package_files::Entity::update_many()
            .col_expr(
                package_files::Column::State,
                Expr::value(package_files::State::Deleted),
            )
            .col_expr(package_files::Column::DeletedAt, Expr::value(now))
            .filter(package_files::Column::PackageId.eq(sent.package))
            .exec(&sent.app.state.db)
            .await
            .unwrap();
        // One object already gone too (removing a missing object is fine).
        let gone = sent.file_row(sent.files[1].0).await.storage_key;
        sent.app.state.node.delete_object(&gone).await.unwrap();
        assert!(sent.has_bytes(sent.files[0].0).await);

        assert_eq!(expiration::apply(&sent.app.state, now).await.unwrap(), 0);
        assert!(files_deleted(&sent, sent.package).await);
    }
);

on_both_databases!(
    deleting_a_package_removes_bytes_not_yet_purged,
    |engine: Engine| async move {
        let sent = Sent::new(engine, &["bob"], Value::Null, &files()).await;
        package_files::Entity::update_many()
            .col_expr(
                package_files::Column::State,
                Expr::value(package_files::State::Deleted),
            )
            .filter(package_files::Column::PackageId.eq(sent.package))
            .exec(&sent.app.state.db)
            .await
            .unwrap();
        let first = sent.files[0].0;
        let key = sent.file_row(first).await.storage_key;
        let deleted = sent
            .app
            .call(
                TestRequest::delete(&paths::with_id(paths::PACKAGE, sent.package))
                    .cookie(&sent.alice),
            )
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        let path = sent
            .app
            .dir
            .path()
            .join("storage/objects")
            .join(&key[..2])
            .join(&key);
        assert!(!path.exists());
    }
);

on_both_databases!(
    admins_list_packages_with_files_and_delete_them,
    |engine: Engine| async move {
        let sent = Sent::new(engine, &["bob"], Value::Null, &files()).await;
        let (second, _) = sent.send(&["carol"], Value::Null, &files()).await;
        let draft_id = sent.draft(&["bob"], Value::Null).await;
        let list = |cookie: &str, query: &str| {
            let path = format!("{}{query}", paths::ADMIN_PACKAGES);
            sent.app.call(TestRequest::get(&path).cookie(cookie))
        };
        let page = list(&sent.admin, "").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert_eq!(page.body["total"], 2, "sent packages only");
        assert_eq!(page.body["items"][0]["id"], second, "newest first");
        assert_eq!(page.body["items"][1]["id"], sent.package);
        let paged = list(&sent.admin, "?page=2&per_page=1").await;
        assert_eq!(paged.body["items"][0]["id"], sent.package);
        assert_eq!(
            list(&sent.admin, "?page=0").await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(list(&sent.alice, "").await.status, StatusCode::FORBIDDEN);

        // Only admins, only existing packages.
        let delete = |cookie: &str, id: i64| {
            sent.app.call(
                TestRequest::delete(&paths::with_id(paths::ADMIN_PACKAGE_FILES, id)).cookie(cookie),
            )
        };
        assert_eq!(
            delete(&sent.alice, sent.package).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(!files_deleted(&sent, sent.package).await);
        assert_eq!(
            delete(&sent.admin, 999_999).await.status,
            StatusCode::NOT_FOUND
        );
        let draft = delete(&sent.admin, draft_id).await;
        assert_eq!(draft.status, StatusCode::CONFLICT);
        assert!(draft.message().contains("draft"), "{}", draft.message());

        assert_eq!(
            delete(&sent.admin, sent.package).await.status,
            StatusCode::NO_CONTENT
        );
        assert!(files_deleted(&sent, sent.package).await);
        let again = delete(&sent.admin, sent.package).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(
            again.message().contains("already deleted"),
            "{}",
            again.message()
        );

        let page = list(&sent.admin, "").await;
        assert_eq!(page.body["total"], 1);
        assert_eq!(page.body["items"][0]["id"], second);
        // The sender still sees it, saying the files were deleted.
        let sent_list = sent
            .app
            .call(TestRequest::get(paths::PACKAGES_SENT).cookie(&sent.alice))
            .await;
        let listed: Vec<&Value> = sent_list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["id"] == sent.package)
            .collect();
        assert!(listed[0]["files_deleted_at"].is_string());
    }
);
