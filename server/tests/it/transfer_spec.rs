//! `POST /api/v1/packages/{id}/transfer_spec/upload`: who may ask, what is checked, and what the
//! spec and its token allow. On SQLite and PostgreSQL.

use app::{
    paths,
    types::{Role, Settings, TransferDirection},
};
use axum::http::StatusCode;
use ferry_server::services::settings;
use serde_json::{Value, json};

use crate::{
    common::{ADMIN_PASSWORD, Engine, TestApp, TestRequest, TestResponse},
    on_both_databases,
};

const PASSWORD: &str = "a-user-password";

/// A sender (alice) with a draft addressed to bob (also the start of `folders`' tests).
pub(crate) struct Draft {
    pub(crate) app: TestApp,
    pub(crate) alice: String,
    pub(crate) bob: String,
    pub(crate) package: i64,
}

impl Draft {
    pub(crate) async fn new(engine: Engine) -> Self {
        Self::with(TestApp::start(engine).await).await
    }

    async fn with(app: TestApp) -> Self {
        app.create_user("alice", PASSWORD, Role::User).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let alice = app.sign_in("alice", PASSWORD).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let created = app
            .call(
                TestRequest::post(
                    paths::PACKAGES,
                    json!({ "title": "Drawings", "recipients": ["bob"] }),
                )
                .cookie(&alice),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let package = created.body["id"].as_i64().unwrap();
        Self {
            app,
            alice,
            bob,
            package,
        }
    }

    async fn spec(&self, cookie: &str, files: Value) -> TestResponse {
        self.app
            .call(
                TestRequest::post(
                    &paths::with_id(paths::PACKAGE_UPLOAD_SPEC, self.package),
                    json!({ "files": files }),
                )
                .cookie(cookie)
                .header("host", "192.0.2.10:8080"),
            )
            .await
    }
}

fn file_ids(spec: &Value) -> Vec<i64> {
    spec["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

on_both_databases!(
    the_sender_gets_a_spec_whose_token_is_scoped,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let files = json!([{ "name": "a.pdf", "size": 1000 }, { "name": "empty.txt", "size": 0 }]);
        let response = draft.spec(&draft.alice, files).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        let spec = &response.body;
        assert_eq!(spec["transfer_type"], "http_gateway");
        assert_eq!(spec["direction"], "send");
        assert_eq!(spec["package_id"], draft.package);
        assert_eq!(spec["gateway_url"], "http://192.0.2.10:4001");
        assert_eq!(spec["tus_endpoint"], "http://192.0.2.10:4001/tus/");
        assert_eq!(spec["files"][0]["name"], "a.pdf");
        assert_eq!(spec["files"][1]["size"], 0);
        assert_eq!(spec["files"][1]["complete"], false);
        assert!(spec["chunk_size"].as_u64().unwrap() >= 1 << 20);
        assert!(spec["parallel"].as_u64().unwrap() >= 1);

        let claims = draft
            .app
            .state
            .transfer_keys
            .verify(spec["token"].as_str().unwrap())
            .expect("the server verifies its own token");
        assert_eq!(claims.pkg, draft.package);
        assert_eq!(claims.dir, TransferDirection::Send);
        assert_eq!(claims.files, file_ids(spec));
        let expires: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(spec["expires_at"].clone()).unwrap();
        assert_eq!(expires.timestamp(), claims.exp);
        assert!(expires > chrono::Utc::now() + chrono::Duration::minutes(30));
        assert!(expires < chrono::Utc::now() + chrono::Duration::hours(3));
    }
);

on_both_databases!(
    asking_again_keeps_ids_and_drops_files_left_out,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let first = draft
            .spec(
                &draft.alice,
                json!([{ "name": "a.pdf", "size": 10 }, { "name": "b.pdf", "size": 20 }]),
            )
            .await;
        let ids = file_ids(&first.body);
        let again = draft
            .spec(
                &draft.alice,
                json!([{ "name": "b.pdf", "size": 20 }, { "name": "c.pdf", "size": 30 }]),
            )
            .await;
        let again_ids = file_ids(&again.body);
        assert_eq!(again_ids[0], ids[1], "b.pdf keeps its id");
        assert!(!ids.contains(&again_ids[1]), "c.pdf is new");
        let detail = draft
            .app
            .call(
                TestRequest::get(&paths::with_id(paths::PACKAGE, draft.package))
                    .cookie(&draft.alice),
            )
            .await;
        let names: Vec<&str> = detail.body["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["b.pdf", "c.pdf"], "a.pdf was dropped");
    }
);

on_both_databases!(
    files_are_checked_and_names_cleaned,
    |engine: Engine| async move {
        let app =
            TestApp::start_with(engine, |args| args.max_file_size = Some("1MiB".into())).await;
        let draft = Draft::with(app).await;
        let cases = [
            (json!([]), "at least one file"),
            (json!([{ "name": "dir/a.txt", "size": 1 }]), "folders"),
            (json!([{ "name": "..\\a.txt", "size": 1 }]), "folders"),
            (
                json!([{ "name": "\u{7}", "size": 1 }]),
                "not a usable file name",
            ),
            (
                json!([{ "name": "big.iso", "size": (1 << 20) + 1 }]),
                "largest file",
            ),
        ];
        for (files, mentions) in cases {
            let response = draft.spec(&draft.alice, files.clone()).await;
            assert_eq!(response.status, StatusCode::BAD_REQUEST, "{files}");
            assert!(
                response.message().contains(mentions),
                "{}",
                response.message()
            );
        }
        let eleven: Vec<Value> = (0..11)
            .map(|i| json!({ "name": format!("f{i}.txt"), "size": 1 }))
            .collect();
        let response = draft.spec(&draft.alice, Value::from(eleven)).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert!(
            response.message().contains("at most 10 files"),
            "{}",
            response.message()
        );

        let cleaned = draft
            .spec(
                &draft.alice,
                json!([{ "name": "invoice\u{202E}fdp.exe", "size": 1 }]),
            )
            .await;
        assert_eq!(cleaned.status, StatusCode::OK);
        assert_eq!(cleaned.body["files"][0]["name"], "invoicefdp.exe");
    }
);

on_both_databases!(
    the_admin_limit_on_files_applies,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let db = &draft.app.state.db;
        let limited = Settings {
            max_files_per_package: 3,
            ..settings::load(db).await.unwrap()
        };
        settings::save(db, limited).await.unwrap();
        let four: Vec<Value> = (0..4)
            .map(|i| json!({ "name": format!("f{i}.txt"), "size": 1 }))
            .collect();
        let response = draft.spec(&draft.alice, Value::from(four)).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert!(
            response.message().contains("at most 3 files"),
            "{}",
            response.message()
        );
    }
);

on_both_databases!(
    only_the_sender_of_a_draft_may_ask,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let files = json!([{ "name": "a.pdf", "size": 1 }]);
        let recipient = draft.spec(&draft.bob, files.clone()).await;
        assert_eq!(
            recipient.status,
            StatusCode::NOT_FOUND,
            "a draft is invisible to recipients"
        );
        let admin = draft.app.sign_in("admin", ADMIN_PASSWORD).await;
        let by_admin = draft.spec(&admin, files.clone()).await;
        assert_eq!(by_admin.status, StatusCode::FORBIDDEN);
        let anonymous = draft
            .app
            .call(TestRequest::post(
                &paths::with_id(paths::PACKAGE_UPLOAD_SPEC, draft.package),
                json!({ "files": files }),
            ))
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

        let db = &draft.app.state.db;
        let off = Settings {
            gateway_enabled: false,
            ..settings::load(db).await.unwrap()
        };
        settings::save(db, off).await.unwrap();
        let gateway_off = draft.spec(&draft.alice, files).await;
        assert_eq!(gateway_off.status, StatusCode::FORBIDDEN);
        assert!(gateway_off.message().contains("turned off"));
        assert_eq!(gateway_off.error_code(), "gateway_disabled");
    }
);

on_both_databases!(
    a_sent_package_takes_no_new_spec,
    |engine: Engine| async move {
        use ferry_server::db::entities::packages;
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let draft = Draft::new(engine).await;
        let db = &draft.app.state.db;
        let mut row: packages::ActiveModel = packages::Entity::find_by_id(draft.package)
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .into();
        row.state = Set(packages::State::Sent);
        row.update(db).await.unwrap();
        let response = draft
            .spec(&draft.alice, json!([{ "name": "a.pdf", "size": 1 }]))
            .await;
        assert_eq!(response.status, StatusCode::CONFLICT);
    }
);

on_both_databases!(
    leaving_out_the_last_pending_file_sends_the_package,
    |engine: Engine| async move {
        use ferry_server::db::entities::package_files;
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let draft = Draft::new(engine).await;
        let spec = draft
            .spec(
                &draft.alice,
                json!([{ "name": "done.txt", "size": 1 }, { "name": "cancelled.txt", "size": 2 }]),
            )
            .await;
        let done = file_ids(&spec.body)[0];
        // As if done.txt was uploaded (the gateway's tests cover the upload itself).
        let db = &draft.app.state.db;
        let mut row: package_files::ActiveModel = package_files::Entity::find_by_id(done)
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .into();
        row.state = Set(package_files::State::Complete);
        row.update(db).await.unwrap();

        let again = draft
            .spec(&draft.alice, json!([{ "name": "done.txt", "size": 1 }]))
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
        assert_eq!(again.body["files"][0]["complete"], true);
        let received = draft
            .app
            .call(TestRequest::get(paths::PACKAGES_RECEIVED).cookie(&draft.bob))
            .await;
        assert_eq!(received.body["total"], 1, "the package reached bob");
        let late = draft
            .spec(&draft.alice, json!([{ "name": "done.txt", "size": 1 }]))
            .await;
        assert_eq!(
            late.status,
            StatusCode::CONFLICT,
            "a sent package's files are fixed"
        );
    }
);

on_both_databases!(
    a_published_file_left_out_is_deleted_from_the_node,
    |engine: Engine| async move {
        use ferry_server::db::entities::package_files;
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let draft = Draft::new(engine).await;
        let spec = draft
            .spec(
                &draft.alice,
                json!([{ "name": "keep.txt", "size": 1 }, { "name": "drop.txt", "size": 3 }]),
            )
            .await;
        let dropped = file_ids(&spec.body)[1];
        let db = &draft.app.state.db;
        let node = draft.app.state.node.as_ref();
        let row = package_files::Entity::find_by_id(dropped)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        // Publish drop.txt's bytes as the gateway would, and mark the file complete.
        node.create_upload("dropupload").await.unwrap();
        let body: ferry_server::storage::ByteStream = Box::pin(futures_util::stream::iter([Ok(
            bytes::Bytes::from_static(b"abc"),
        )]));
        node.append("dropupload", 0, 3, body, None).await.unwrap();
        node.publish(&["dropupload".to_owned()], &row.storage_key)
            .await
            .unwrap();
        assert_eq!(node.object_size(&row.storage_key).await.unwrap(), 3);
        let mut complete: package_files::ActiveModel = row.clone().into();
        complete.state = Set(package_files::State::Complete);
        complete.update(db).await.unwrap();

        let again = draft
            .spec(&draft.alice, json!([{ "name": "keep.txt", "size": 1 }]))
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
        assert!(
            node.object_size(&row.storage_key).await.is_err(),
            "the dropped file's bytes are gone"
        );
    }
);
