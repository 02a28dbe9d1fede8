//! Folders in packages and the limits of each client: the browser path refuses folder paths and an
//! 11th file, the desktop path takes 300 files in folders; path rules, case-insensitive uniqueness,
//! ids kept only for the same path, the desktop limits, and the gateway refusing a browser token
//! for a file in a folder. On SQLite and PostgreSQL.

use app::{
    paths,
    types::{Settings, TransferClient, TransferDirection},
};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use ferry_server::{services::settings, transfer::token::TransferClaims};
use serde_json::{Value, json};

use crate::{
    common::{ADMIN_PASSWORD, Engine, TestRequest, TestResponse, send_request},
    on_both_databases,
    transfer_spec::Draft,
};

/// alice's draft to bob, asked for specs of either client.
impl Draft {
    async fn spec_for(&self, client: &str, files: Value) -> TestResponse {
        self.app
            .call(
                TestRequest::post(
                    &paths::with_id(paths::PACKAGE_UPLOAD_SPEC, self.package),
                    json!({ "files": files, "client": client }),
                )
                .cookie(&self.alice)
                .header("host", "192.0.2.10:8080"),
            )
            .await
    }

    async fn files(&self) -> Vec<Value> {
        let detail = self
            .app
            .call(
                TestRequest::get(&paths::with_id(paths::PACKAGE, self.package)).cookie(&self.alice),
            )
            .await;
        detail.body["files"].as_array().unwrap().clone()
    }

    async fn tus_create(&self, token: &str, file: i64, length: usize) -> TestResponse {
        let b64 = |text: &str| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(text)
        };
        let request = Request::builder()
            .method(Method::POST)
            .uri(paths::GATEWAY_TUS)
            .header("tus-resumable", "1.0.0")
            .header("authorization", format!("Bearer {token}"))
            .header("upload-length", length.to_string())
            .header(
                "upload-metadata",
                format!("file_id {},filename {}", b64(&file.to_string()), b64("x")),
            );
        send_request(&self.app.gateway, request.body(Body::empty()).unwrap()).await
    }
}

fn ids(spec: &Value) -> Vec<i64> {
    spec["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

fn assert_refused(response: &TestResponse, mentions: &[&str]) {
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text
    );
    assert_eq!(response.error_code(), "bad_request");
    for words in mentions {
        assert!(
            response.message().contains(words),
            "{words:?}: {}",
            response.text
        );
    }
}

on_both_databases!(
    the_browser_refuses_folders_and_an_eleventh_file_the_desktop_takes_300_in_folders,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let in_folder = json!([{ "name": "a.jpg", "size": 1, "path": "photos/a.jpg" }]);
        assert_refused(
            &draft.spec_for("browser", in_folder.clone()).await,
            &["photos/a.jpg", "folders need the desktop client"],
        );
        let eleven: Vec<Value> = (0..11)
            .map(|i| json!({ "name": format!("f{i}.txt"), "size": 1 }))
            .collect();
        assert_refused(
            &draft.spec_for("browser", Value::from(eleven)).await,
            &["at most 10 files"],
        );
        assert!(draft.files().await.is_empty(), "nothing was declared");

        let many: Vec<Value> = (0..300)
            .map(|i| {
                json!({
                    "name": format!("{i}.txt"),
                    "size": i,
                    "path": format!("tree/level{}/{i}.txt", i % 7),
                })
            })
            .collect();
        let spec = draft.spec_for("desktop", Value::from(many)).await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        assert_eq!(spec.body["client"], "desktop");
        assert_eq!(spec.body["files"].as_array().unwrap().len(), 300);
        assert_eq!(spec.body["files"][12]["path"], "tree/level5/12.txt");
        assert_eq!(spec.body["files"][12]["name"], "12.txt");
        let claims = draft
            .app
            .state
            .transfer_keys
            .verify(spec.body["token"].as_str().unwrap())
            .unwrap();
        assert_eq!(claims.client, TransferClient::Desktop);
        let files = draft.files().await;
        assert_eq!(files.len(), 300);
        assert_eq!(files[299]["path"], "tree/level5/299.txt");

        // A file at the top (a path of one segment, or none) has no path.
        let top = draft
            .spec_for(
                "desktop",
                json!([{ "name": "a.txt", "size": 1, "path": "a.txt" }, { "name": "b.txt", "size": 1 }]),
            )
            .await;
        assert_eq!(top.status, StatusCode::OK, "{}", top.text);
        assert!(top.body["files"][0].get("path").is_none(), "{}", top.text);
        assert!(top.body["files"][1].get("path").is_none());
        let browser = draft
            .spec_for("browser", json!([{ "name": "b.txt", "size": 1 }]))
            .await;
        assert_eq!(browser.body["client"], "browser");
    }
);

on_both_databases!(
    folder_paths_follow_the_rules_and_refusals_change_nothing,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let deep = format!("{}a.txt", "d/".repeat(32));
        let long = format!("{}/a.txt", "x".repeat(1100));
        for (path, rule) in [
            ("/abs/a.txt", "starts with '/'"),
            ("..\\a.txt", "backslash"),
            ("C:/a.txt", "drive letter"),
            ("x//a.txt", "empty folder name"),
            ("x/./a.txt", "'.' or '..'"),
            ("../a.txt", "'.' or '..'"),
            ("x\u{1b}y/a.txt", "control character"),
            (deep.as_str(), "at most 32"),
            (long.as_str(), "at most 1024"),
            ("x/b.txt", "does not end in"),
        ] {
            let files = json!([
                { "name": "ok.txt", "size": 1, "path": "fine/ok.txt" },
                { "name": "a.txt", "size": 1, "path": path },
            ]);
            let response = draft.spec_for("desktop", files).await;
            assert_refused(&response, &[rule]);
            assert!(
                response
                    .message()
                    .contains(&format!("{path:?}")[..path.len().min(20)]),
                "names the path: {}",
                response.text
            );
        }
        for twins in [
            json!([{ "name": "A.txt", "size": 1, "path": "Dir/A.txt" }, { "name": "a.txt", "size": 2, "path": "dir/a.txt" }]),
            json!([{ "name": "README", "size": 1 }, { "name": "readme", "size": 2 }]),
        ] {
            assert_refused(
                &draft.spec_for("desktop", twins).await,
                &["unique, ignoring case"],
            );
        }
        assert!(draft.files().await.is_empty(), "nothing was declared");

        // NFC: "é" sent decomposed comes back composed.
        let spec = draft
            .spec_for(
                "desktop",
                json!([{ "name": "menu.txt", "size": 1, "path": "cafe\u{301}/menu.txt" }]),
            )
            .await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        assert_eq!(spec.body["files"][0]["path"], "caf\u{e9}/menu.txt");
    }
);

on_both_databases!(
    a_file_keeps_its_id_only_under_the_same_path,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let at = |path: &str| json!([{ "name": "x.txt", "size": 5, "path": path }]);
        let first = ids(&draft.spec_for("desktop", at("a/x.txt")).await.body);
        let same = ids(&draft.spec_for("desktop", at("a/x.txt")).await.body);
        assert_eq!(first, same);
        let moved = ids(&draft.spec_for("desktop", at("b/x.txt")).await.body);
        assert_ne!(first, moved, "another folder is another file");
        let top = ids(&draft
            .spec_for("desktop", json!([{ "name": "x.txt", "size": 5 }]))
            .await
            .body);
        assert_ne!(moved, top);
    }
);

on_both_databases!(
    the_desktop_limits_are_the_admins,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let db = &draft.app.state.db;
        let mut limits = settings::load(db).await.unwrap();
        assert_eq!(limits.desktop_max_files_per_package, 10_000);
        assert_eq!(limits.desktop_max_package_bytes, None);
        limits.desktop_max_files_per_package = 12;
        limits.desktop_max_package_bytes = Some(100);
        settings::save(db, limits).await.unwrap();

        let files = |count: usize, size: u64| -> Value {
            (0..count)
                .map(|i| json!({ "name": format!("{i}.bin"), "size": size, "path": format!("d/{i}.bin") }))
                .collect::<Vec<_>>()
                .into()
        };
        assert_refused(
            &draft.spec_for("desktop", files(13, 1)).await,
            &["desktop client", "at most 12 files"],
        );
        assert_refused(
            &draft.spec_for("desktop", files(11, 10)).await,
            &["110 bytes", "100 bytes"],
        );
        let fits = draft.spec_for("desktop", files(12, 8)).await;
        assert_eq!(fits.status, StatusCode::OK, "{}", fits.text);
    }
);

on_both_databases!(
    the_admin_settings_check_the_desktop_limits,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let admin = draft.app.sign_in("admin", ADMIN_PASSWORD).await;
        let current = draft
            .app
            .call(TestRequest::get(paths::SETTINGS).cookie(&admin))
            .await;
        assert_eq!(current.body["desktop_max_files_per_package"], 10_000);
        assert_eq!(current.body["desktop_max_package_bytes"], Value::Null);
        let with = |field: &str, value: Value| {
            let mut body = current.body.clone();
            body[field] = value;
            TestRequest::put(paths::ADMIN_SETTINGS, body).cookie(&admin)
        };
        for (field, value) in [
            ("desktop_max_files_per_package", json!(0)),
            ("desktop_max_files_per_package", json!(1_000_001)),
            ("desktop_max_package_bytes", json!(0)),
        ] {
            let refused = draft.app.call(with(field, value)).await;
            assert_refused(&refused, &[field]);
        }
        let saved = draft
            .app
            .call(with("desktop_max_package_bytes", json!(1u64 << 40)))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
        assert_eq!(saved.body["desktop_max_package_bytes"], 1u64 << 40);
        let read = settings::load(&draft.app.state.db).await.unwrap();
        assert_eq!(read.desktop_max_package_bytes, Some(1 << 40));
        assert_eq!(
            read.desktop_max_files_per_package,
            Settings::DEFAULT_DESKTOP_MAX_FILES
        );
    }
);

on_both_databases!(
    the_gateway_takes_folders_from_desktop_tokens_only,
    |engine: Engine| async move {
        let draft = Draft::new(engine).await;
        let spec = draft
            .spec_for(
                "desktop",
                json!([
                    { "name": "a.txt", "size": 3, "path": "docs/a.txt" },
                    { "name": "b.txt", "size": 0 },
                ]),
            )
            .await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        let files = ids(&spec.body);
        let desktop_token = spec.body["token"].as_str().unwrap();
        let claims = draft.app.state.transfer_keys.verify(desktop_token).unwrap();
        // The same files, but with a browser's token.
        let browser = TransferClaims {
            client: TransferClient::Browser,
            ..claims
        };
        let browser_token = draft.app.state.transfer_keys.issue(&browser).unwrap();
        let refused = draft.tus_create(&browser_token, files[0], 3).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
        assert!(refused.text.contains("desktop client"), "{}", refused.text);
        let top = draft.tus_create(&browser_token, files[1], 0).await;
        assert_eq!(
            top.status,
            StatusCode::CREATED,
            "a file at the top: {}",
            top.text
        );

        let created = draft.tus_create(desktop_token, files[0], 3).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let url = created.headers["location"].to_str().unwrap().to_owned();
        let patch = Request::builder()
            .method(Method::PATCH)
            .uri(url)
            .header("tus-resumable", "1.0.0")
            .header("authorization", format!("Bearer {desktop_token}"))
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", "0");
        let patched =
            send_request(&draft.app.gateway, patch.body(Body::from("abc")).unwrap()).await;
        assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);

        // Sent: bob downloads with either client; the desktop's fetch counts like any other.
        let download = |client: Option<&str>| {
            let path = paths::with_id(paths::PACKAGE_DOWNLOAD_SPEC, draft.package);
            let path = match client {
                Some(client) => format!("{path}?client={client}"),
                None => path,
            };
            TestRequest::post(&path, json!({})).cookie(&draft.bob)
        };
        let plain = draft.app.call(download(None)).await;
        assert_eq!(plain.status, StatusCode::OK, "{}", plain.text);
        assert_eq!(plain.body["client"], "browser");
        let bad = draft.app.call(download(Some("telnet"))).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
        let spec = draft.app.call(download(Some("desktop"))).await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        assert_eq!(spec.body["client"], "desktop");
        assert_eq!(spec.body["direction"], "receive");
        assert_eq!(spec.body["files"][0]["path"], "docs/a.txt");
        let token = spec.body["token"].as_str().unwrap();
        let claims = draft.app.state.transfer_keys.verify(token).unwrap();
        assert_eq!(claims.client, TransferClient::Desktop);
        assert_eq!(claims.dir, TransferDirection::Receive);
        for file in &files {
            let get = Request::builder()
                .uri(paths::GATEWAY_FILE.replace("{file_id}", &file.to_string()))
                .header("authorization", format!("Bearer {token}"));
            let got = send_request(&draft.app.gateway, get.body(Body::empty()).unwrap()).await;
            assert_eq!(got.status, StatusCode::OK, "{}", got.text);
        }
        draft.app.state.download_records.settled().await;
        let delivery = draft
            .app
            .call(
                TestRequest::get(&paths::with_file(
                    paths::PACKAGE_FILE_DELIVERY,
                    draft.package,
                    files[0],
                ))
                .cookie(&draft.bob),
            )
            .await;
        assert_eq!(delivery.body["complete"], true, "{}", delivery.text);
    }
);
