//! Packages through the package API: creating drafts, who may see and delete them, and the Received
//! and Sent lists, each on a fresh SQLite database and a fresh PostgreSQL database.
use app::{
    paths::{self, with_id},
    types::{ExpirationPolicy, Role, Settings},
};
use axum::http::{StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use ferry_server::db::entities::{package_files, package_recipients, packages, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::{
    common::{ADMIN_PASSWORD, Engine, TestApp, TestRequest, TestResponse},
    on_both_databases,
};

const PASSWORD: &str = "a-long-password-1";

/// A server with a sender (alice), two other users (bob, carol) and the admin, all signed in.
struct World {
    app: TestApp,
    alice: i64,
    bob: i64,
    carol: i64,
    alice_cookie: String,
    bob_cookie: String,
    carol_cookie: String,
    admin_cookie: String,
}

impl World {
    async fn start(engine: Engine) -> Self {
        let app = TestApp::start(engine).await;
        let alice = app.create_user("alice", PASSWORD, Role::User).await;
        let bob = app.create_user("bob", PASSWORD, Role::User).await;
        let carol = app.create_user("carol", PASSWORD, Role::User).await;
        Self {
            alice_cookie: app.sign_in("alice", PASSWORD).await,
            bob_cookie: app.sign_in("bob", PASSWORD).await,
            carol_cookie: app.sign_in("carol", PASSWORD).await,
            admin_cookie: app.sign_in("admin", ADMIN_PASSWORD).await,
            app,
            alice,
            bob,
            carol,
        }
    }

    async fn create(&self, cookie: &str, body: Value) -> TestResponse {
        self.app
            .call(TestRequest::post(paths::PACKAGES, body).cookie(cookie))
            .await
    }

    /// Alice creates a draft for `recipients` and gets its id.
    async fn draft(&self, title: &str, recipients: &[&str]) -> i64 {
        let response = self
            .create(
                &self.alice_cookie,
                json!({ "title": title, "recipients": recipients }),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.body["id"].as_i64().unwrap()
    }

    async fn get(&self, cookie: &str, path: &str) -> TestResponse {
        self.app.call(TestRequest::get(path).cookie(cookie)).await
    }

    async fn delete(&self, cookie: &str, path: &str) -> TestResponse {
        self.app
            .call(TestRequest::delete(path).cookie(cookie))
            .await
    }

    /// What uploads will do once they exist: the package becomes sent at `sent_at`.
    async fn mark_sent(&self, id: i64, sent_at: DateTime<Utc>) {
        let mut row: packages::ActiveModel = packages::Entity::find_by_id(id)
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        row.state = Set(packages::State::Sent);
        row.sent_at = Set(Some(sent_at));
        row.update(&self.app.state.db).await.unwrap();
    }

    async fn add_file(&self, package_id: i64, name: &str, size: i64) -> i64 {
        package_files::ActiveModel {
            package_id: Set(package_id),
            name: Set(name.into()),
            size: Set(size),
            state: Set(package_files::State::Complete),
            storage_key: Set(format!("test-{package_id}-{name}")),
            created_at: Set(Utc::now()),
            completed_at: Set(Some(Utc::now())),
            ..Default::default()
        }
        .insert(&self.app.state.db)
        .await
        .unwrap()
        .id
    }
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

fn usernames(people: &Value) -> Vec<&str> {
    people
        .as_array()
        .unwrap()
        .iter()
        .map(|person| person["username"].as_str().unwrap())
        .collect()
}

on_both_databases!(
    creates_a_draft_with_the_default_expiration,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        ferry_server::services::settings::save(
            &world.app.state.db,
            Settings {
                default_expiration: ExpirationPolicy::AfterDays { days: 7 },
                ..Settings::default()
            },
        )
        .await
        .unwrap();

        let response = world
            .create(
                &world.alice_cookie,
                json!({
                    "title": "  Q3 report  ",
                    "note": "Figures attached.\nCall me.",
                    "recipients": ["carol", " CAROL@Example.TEST ", "bob@example.test", "bob", ""],
                }),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        let package = &response.body;
        let id = package["id"].as_i64().unwrap();
        assert_eq!(
            response.headers[header::LOCATION],
            with_id(paths::PACKAGE, id).as_str()
        );
        assert_eq!(package["title"], "Q3 report");
        assert_eq!(package["note"], "Figures attached.\nCall me.");
        assert_eq!(package["state"], "draft");
        assert_eq!(package["sender"]["id"], world.alice);
        assert_eq!(package["sender"]["username"], "alice");
        assert_eq!(usernames(&package["recipients"]), ["bob", "carol"]);
        assert_eq!(
            package["expiration"],
            json!({ "kind": "after_days", "days": 7 })
        );
        assert_eq!(package["file_count"], 0);
        assert_eq!(package["total_size"], 0);
        assert_eq!(package["files"], json!([]));
        assert!(package["created_at"].is_string());
        assert_eq!(package["sent_at"], Value::Null);
        assert_eq!(package["my_download_state"], Value::Null);
        assert_eq!(package["can_delete"], true);
        let status = package["recipient_status"].as_array().unwrap();
        assert_eq!(status.len(), 2);
        for entry in status {
            assert_eq!(entry["state"], "not_downloaded");
            assert_eq!(entry["downloaded_at"], Value::Null);
        }

        let shown = world
            .get(&world.alice_cookie, &with_id(paths::PACKAGE, id))
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        assert_eq!(&shown.body, package);

        let chosen = world
            .create(
                &world.alice_cookie,
                json!({
                    "title": "Kept",
                    "recipients": ["bob"],
                    "expiration": { "kind": "after_all_recipients_download" },
                }),
            )
            .await;
        assert_eq!(chosen.status, StatusCode::CREATED, "{}", chosen.text);
        assert_eq!(
            chosen.body["expiration"],
            json!({ "kind": "after_all_recipients_download" })
        );
        assert_eq!(chosen.body["note"], "");
    }
);

on_both_databases!(
    refuses_invalid_packages_and_writes_nothing,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        let mut disabled: users::ActiveModel = users::Entity::find_by_id(world.carol)
            .one(&world.app.state.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        disabled.disabled = Set(true);
        disabled.update(&world.app.state.db).await.unwrap();

        let too_many: Vec<String> = (0..101).map(|n| format!("user{n}")).collect();
        let cases = [
            (
                json!({ "title": "   ", "recipients": ["bob"] }),
                "Enter a title",
            ),
            (
                json!({ "title": "é".repeat(201), "recipients": ["bob"] }),
                "at most 200 characters",
            ),
            (
                json!({ "title": "bell\u{7}", "recipients": ["bob"] }),
                "control characters",
            ),
            (
                json!({ "title": "two\nlines", "recipients": ["bob"] }),
                "control characters",
            ),
            (
                json!({ "title": "T", "note": "x".repeat(10_001), "recipients": ["bob"] }),
                "at most 10000 characters",
            ),
            (
                json!({ "title": "T", "note": "nul\u{0}", "recipients": ["bob"] }),
                "control characters",
            ),
            (
                json!({ "title": "T", "recipients": [] }),
                "at least one recipient",
            ),
            (
                json!({ "title": "T", "recipients": ["  "] }),
                "at least one recipient",
            ),
            (
                json!({ "title": "T", "recipients": ["bob", "nobody", "x@y.z", "Bob"] }),
                "No user matches: nobody, x@y.z, Bob",
            ),
            (
                json!({ "title": "T", "recipients": ["bob", "carol@example.test"] }),
                "No user matches: carol@example.test",
            ),
            (
                json!({ "title": "T", "recipients": too_many }),
                "at most 100 recipients",
            ),
            (
                json!({ "title": "T", "recipients": ["bob"], "expiration": { "kind": "after_days", "days": 0 } }),
                "between 1 and 3650",
            ),
            (
                json!({ "title": "T", "recipients": ["bob"], "expiration": { "kind": "after_days", "days": 3651 } }),
                "between 1 and 3650",
            ),
            (json!({ "recipients": ["bob"] }), "not valid"),
        ];
        for (body, message) in cases {
            let response = world.create(&world.alice_cookie, body.clone()).await;
            assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(response.error_code(), "bad_request");
            let text = response.body["error"]["message"].as_str().unwrap();
            assert!(text.contains(message), "{text:?} lacks {message:?}");
        }

        let db = &world.app.state.db;
        assert_eq!(packages::Entity::find().count(db).await.unwrap(), 0);
        assert_eq!(
            package_recipients::Entity::find().count(db).await.unwrap(),
            0
        );
    }
);

on_both_databases!(
    a_draft_is_invisible_to_its_recipients_until_it_is_sent,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        let id = world.draft("Contract", &["bob"]).await;
        let path = with_id(paths::PACKAGE, id);
        let missing = world
            .get(&world.bob_cookie, &with_id(paths::PACKAGE, id + 1000))
            .await;

        let hidden = world.get(&world.bob_cookie, &path).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert_eq!(hidden.text, missing.text);
        let received = world.get(&world.bob_cookie, paths::PACKAGES_RECEIVED).await;
        assert_eq!(received.status, StatusCode::OK);
        assert_eq!(received.body["total"], 0);
        assert_eq!(received.body["items"], json!([]));

        world.add_file(id, "b.pdf", 2_000).await;
        world.add_file(id, "a.pdf", 1_000).await;
        let sent_at = Utc::now();
        world.mark_sent(id, sent_at).await;

        let shown = world.get(&world.bob_cookie, &path).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert_eq!(shown.body["state"], "sent");
        assert_eq!(shown.body["my_download_state"], "not_downloaded");
        assert_eq!(shown.body["recipient_status"], Value::Null);
        assert_eq!(shown.body["can_delete"], false);
        assert_eq!(shown.body["file_count"], 2);
        assert_eq!(shown.body["total_size"], 3_000);
        let names: Vec<&str> = shown.body["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|file| file["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["b.pdf", "a.pdf"], "files in upload (id) order");

        let received = world.get(&world.bob_cookie, paths::PACKAGES_RECEIVED).await;
        assert_eq!(received.body["total"], 1);
        let item = &received.body["items"][0];
        assert_eq!(item["id"], id);
        assert_eq!(item["sender"]["username"], "alice");
        assert_eq!(usernames(&item["recipients"]), ["bob"]);
        assert_eq!(item["file_count"], 2);
        assert_eq!(item["total_size"], 3_000);
        assert_eq!(item["my_download_state"], "not_downloaded");
        assert!(item["sent_at"].is_string());

        let as_sender = world.get(&world.alice_cookie, &path).await;
        assert_eq!(as_sender.body["my_download_state"], Value::Null);
        assert_eq!(
            as_sender.body["recipient_status"][0]["user"]["id"],
            world.bob
        );
        assert_eq!(
            as_sender.body["recipient_status"][0]["state"],
            "not_downloaded"
        );
    }
);

on_both_databases!(
    other_users_cannot_learn_that_a_package_exists,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        let id = world.draft("Private", &["bob"]).await;
        world.mark_sent(id, Utc::now()).await;
        let path = with_id(paths::PACKAGE, id);
        let nonexistent = with_id(paths::PACKAGE, id + 1000);

        let reference = world.get(&world.carol_cookie, &nonexistent).await;
        assert_eq!(reference.status, StatusCode::NOT_FOUND);
        assert_eq!(reference.error_code(), "not_found");
        let attempts = [
            world.get(&world.carol_cookie, &path).await,
            world.delete(&world.carol_cookie, &path).await,
            world.delete(&world.carol_cookie, &nonexistent).await,
            world.get(&world.carol_cookie, "/api/v1/packages/abc").await,
            world
                .delete(&world.carol_cookie, "/api/v1/packages/abc")
                .await,
            world
                .get(&world.carol_cookie, "/api/v1/packages/99999999999999999999")
                .await,
            world.get(&world.carol_cookie, "/api/v1/packages/-1").await,
        ];
        for response in attempts {
            assert_eq!(response.status, StatusCode::NOT_FOUND);
            assert_eq!(response.headers[header::CONTENT_TYPE], "application/json");
            assert_eq!(response.text, reference.text);
        }
        assert!(
            world
                .get(&world.alice_cookie, &path)
                .await
                .status
                .is_success(),
            "carol's delete must not have removed it"
        );
    }
);

on_both_databases!(
    lists_are_paged_newest_first_with_totals,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        let mut created = Vec::new();
        for n in 0..5 {
            created.push(world.draft(&format!("Package {n}"), &["bob"]).await);
        }
        let elsewhere = world.draft("For carol", &["carol"]).await;
        let base = Utc::now() - Duration::hours(1);
        // Sent in another order than created: 2, 0, 4, 1; package 3 stays a draft.
        for (minutes, index) in [(1, 2), (2, 0), (3, 4), (4, 1)] {
            world
                .mark_sent(created[index], base + Duration::minutes(minutes))
                .await;
        }
        world.mark_sent(elsewhere, base).await;

        // Newest created first: carol's, then 4, 3 (the draft), 2, 1, 0.
        let mut newest_created: Vec<i64> = created.iter().copied().chain([elsewhere]).collect();
        newest_created.reverse();
        for (page, expected) in [
            (1, &newest_created[0..2]),
            (2, &newest_created[2..4]),
            (3, &newest_created[4..6]),
            (4, &[][..]),
        ] {
            let response = world
                .get(
                    &world.alice_cookie,
                    &format!("{}?page={page}&per_page=2", paths::PACKAGES_SENT),
                )
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text);
            assert_eq!(response.body["total"], 6);
            assert_eq!(response.body["page"], page);
            assert_eq!(response.body["per_page"], 2);
            assert_eq!(ids(&response.body), expected, "sent page {page}");
            for item in response.body["items"].as_array().unwrap() {
                let draft = item["id"] == created[3];
                assert_eq!(item["state"], if draft { "draft" } else { "sent" });
                assert_eq!(item["my_download_state"], Value::Null);
            }
        }

        let received = world
            .get(
                &world.bob_cookie,
                &format!("{}?per_page=3", paths::PACKAGES_RECEIVED),
            )
            .await;
        assert_eq!(received.body["total"], 4);
        assert_eq!(received.body["page"], 1);
        assert_eq!(ids(&received.body), [created[1], created[4], created[0]]);
        let rest = world
            .get(
                &world.bob_cookie,
                &format!("{}?page=2&per_page=3", paths::PACKAGES_RECEIVED),
            )
            .await;
        assert_eq!(ids(&rest.body), [created[2]]);
        let defaults = world.get(&world.alice_cookie, paths::PACKAGES_SENT).await;
        assert_eq!(defaults.body["per_page"], 20);
        assert_eq!(ids(&defaults.body).len(), 6);
        let none = world.get(&world.carol_cookie, paths::PACKAGES_SENT).await;
        assert_eq!(none.body["total"], 0);

        for query in [
            "page=0",
            // The document says int32 with a maximum; a bigger page is refused, never read as u32.
            "page=1000001",
            "page=2147483648",
            "per_page=0",
            "per_page=101",
            "page=abc",
            "per_page=-1",
        ] {
            for list in [paths::PACKAGES_SENT, paths::PACKAGES_RECEIVED] {
                let response = world
                    .get(&world.alice_cookie, &format!("{list}?{query}"))
                    .await;
                assert_eq!(response.status, StatusCode::BAD_REQUEST, "{list}?{query}");
                assert_eq!(response.error_code(), "bad_request");
                let message = response.body["error"]["message"].as_str().unwrap();
                let parameter = query.split('=').next().unwrap();
                assert!(message.contains(parameter), "{message}");
            }
        }
    }
);

on_both_databases!(
    the_sender_or_an_admin_deletes_a_recipient_cannot,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        let id = world.draft("To delete", &["bob", "carol"]).await;
        world.add_file(id, "data.bin", 10).await;
        world.mark_sent(id, Utc::now()).await;
        let path = with_id(paths::PACKAGE, id);

        let refused = world.delete(&world.bob_cookie, &path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.error_code(), "forbidden");
        assert_eq!(
            refused.body["error"]["message"],
            "Only the sender or an admin can delete a package."
        );
        let unsafe_delete = world
            .app
            .call(
                TestRequest::delete(&path)
                    .without_header(paths::CSRF_HEADER)
                    .cookie(&world.alice_cookie),
            )
            .await;
        assert_eq!(unsafe_delete.status, StatusCode::FORBIDDEN);

        let deleted = world.delete(&world.alice_cookie, &path).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(deleted.text, "");
        for cookie in [&world.alice_cookie, &world.bob_cookie, &world.admin_cookie] {
            assert_eq!(world.get(cookie, &path).await.status, StatusCode::NOT_FOUND);
        }
        assert_eq!(
            world.delete(&world.alice_cookie, &path).await.status,
            StatusCode::NOT_FOUND
        );
        let db = &world.app.state.db;
        assert_eq!(
            package_recipients::Entity::find()
                .filter(package_recipients::Column::PackageId.eq(id))
                .count(db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            package_files::Entity::find()
                .filter(package_files::Column::PackageId.eq(id))
                .count(db)
                .await
                .unwrap(),
            0
        );
        let received = world.get(&world.bob_cookie, paths::PACKAGES_RECEIVED).await;
        assert_eq!(received.body["total"], 0);
    }
);

on_both_databases!(
    an_admin_reads_and_deletes_anyones_package,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        let id = world.draft("Draft of alice", &["bob"]).await;
        let path = with_id(paths::PACKAGE, id);

        let shown = world.get(&world.admin_cookie, &path).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert_eq!(shown.body["state"], "draft");
        assert_eq!(shown.body["can_delete"], true);
        assert_eq!(shown.body["my_download_state"], Value::Null);
        assert_eq!(shown.body["recipient_status"][0]["user"]["username"], "bob");

        let deleted = world.delete(&world.admin_cookie, &path).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(
            world.get(&world.alice_cookie, &path).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

on_both_databases!(a_sender_may_address_themself, |engine: Engine| async move {
    let world = World::start(engine).await;
    let id = world.draft("Note to self", &["alice", "bob"]).await;
    world.mark_sent(id, Utc::now()).await;

    let received = world
        .get(&world.alice_cookie, paths::PACKAGES_RECEIVED)
        .await;
    assert_eq!(ids(&received.body), [id]);
    assert_eq!(
        received.body["items"][0]["my_download_state"],
        "not_downloaded"
    );
    let shown = world
        .get(&world.alice_cookie, &with_id(paths::PACKAGE, id))
        .await;
    assert_eq!(shown.body["can_delete"], true);
    assert_eq!(shown.body["my_download_state"], "not_downloaded");
    assert_eq!(shown.body["recipient_status"].as_array().unwrap().len(), 2);
    let sent = world.get(&world.alice_cookie, paths::PACKAGES_SENT).await;
    assert_eq!(sent.body["items"][0]["my_download_state"], Value::Null);
});

on_both_databases!(
    every_package_endpoint_needs_a_signed_in_user,
    |engine: Engine| async move {
        let world = World::start(engine).await;
        let id = world.draft("Anything", &["bob"]).await;
        let path = with_id(paths::PACKAGE, id);
        let requests = [
            TestRequest::post(
                paths::PACKAGES,
                json!({ "title": "T", "recipients": ["bob"] }),
            ),
            TestRequest::get(paths::PACKAGES_RECEIVED),
            TestRequest::get(paths::PACKAGES_SENT),
            TestRequest::get(&path),
            TestRequest::delete(&path),
            TestRequest::get("/api/v1/packages/abc"),
        ];
        for request in requests {
            let label = format!("{} {}", request.method, request.path);
            let response = world.app.call(request).await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{label}");
            assert_eq!(response.error_code(), "unauthenticated", "{label}");
        }
        assert_eq!(
            world.get(&world.alice_cookie, &path).await.status,
            StatusCode::OK
        );
    }
);
