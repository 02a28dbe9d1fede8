//! Admin routes: managing users (create, list, change, reset passwords, the rules protecting the
//! admins) and the admin settings, each on a fresh SQLite and a fresh PostgreSQL database.

use app::{
    paths::{self, with_id},
    types::{Role, UserUpdate},
};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{
    common::{ADMIN_PASSWORD, Engine, TestApp, TestRequest},
    on_both_databases,
};

const PASSWORD: &str = "a-user-password";

async fn admin(app: &TestApp) -> String {
    app.sign_in("admin", ADMIN_PASSWORD).await
}

async fn admin_id(app: &TestApp) -> i64 {
    let admin = admin(app).await;
    let me = app
        .call(TestRequest::get(paths::SESSION).cookie(&admin))
        .await;
    me.body["id"].as_i64().expect("the admin's id")
}

on_both_databases!(
    admins_create_list_and_change_users,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let admin = admin(&app).await;
        let created = app
            .call(
                TestRequest::post(
                    paths::ADMIN_USERS,
                    json!({ "username": "bob", "email": " bob@example.com ", "role": "user", "password": PASSWORD }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.body["username"], "bob");
        assert_eq!(
            created.body["display_name"], "bob",
            "defaults to the username"
        );
        assert_eq!(created.body["email"], "bob@example.com");
        assert_eq!(created.body["role"], "user");
        assert_eq!(created.body["disabled"], false);
        let bob = created.body["id"].as_i64().unwrap();
        let carol = app
            .call(
                TestRequest::post(
                    paths::ADMIN_USERS,
                    json!({ "username": "carol", "display_name": "Carol C.", "role": "admin", "password": PASSWORD }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(carol.status, StatusCode::CREATED);
        assert_eq!(carol.body["email"], Value::Null);

        let list = app
            .call(TestRequest::get(paths::ADMIN_USERS).cookie(&admin))
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let names: Vec<&str> = list
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["admin", "bob", "carol"]);

        let changed = app
            .call(
                TestRequest::patch(
                    &with_id(paths::ADMIN_USER, bob),
                    json!({ "display_name": "Bob B.", "email": null, "role": "admin", "desktop_client_disabled": true }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        assert_eq!(changed.body["display_name"], "Bob B.");
        assert_eq!(changed.body["email"], Value::Null);
        assert_eq!(changed.body["role"], "admin");
        assert_eq!(changed.body["desktop_client_disabled"], true);
        assert_eq!(changed.body["username"], "bob");

        let bob_session = app.sign_in("bob", PASSWORD).await;
        let me = app
            .call(TestRequest::get(paths::SESSION).cookie(&bob_session))
            .await;
        assert_eq!(me.body["role"], "admin");
    }
);

on_both_databases!(
    a_taken_username_or_email_is_a_conflict,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let admin = admin(&app).await;
        let create = |username: &str, email: &str| {
            TestRequest::post(
                paths::ADMIN_USERS,
                json!({ "username": username, "email": email, "role": "user", "password": PASSWORD }),
            )
            .cookie(&admin)
        };
        let bob = app.call(create("bob", "bob@example.com")).await;
        assert_eq!(bob.status, StatusCode::CREATED);
        for username in ["bob", "BOB"] {
            let again = app.call(create(username, "other@example.com")).await;
            assert_eq!(again.status, StatusCode::CONFLICT, "{username}");
            assert_eq!(again.error_code(), "conflict");
            assert!(again.message().contains(username), "{}", again.text);
        }
        let same_email = app.call(create("robert", "Bob@Example.COM")).await;
        assert_eq!(same_email.status, StatusCode::CONFLICT);
        assert!(
            same_email.message().contains("email"),
            "{}",
            same_email.text
        );

        let carol = app.call(create("carol", "carol@example.com")).await;
        let carol = carol.body["id"].as_i64().unwrap();
        let taken = app
            .call(
                TestRequest::patch(
                    &with_id(paths::ADMIN_USER, carol),
                    json!({ "email": "BOB@example.com" }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(taken.status, StatusCode::CONFLICT);
        let own = app
            .call(
                TestRequest::patch(
                    &with_id(paths::ADMIN_USER, carol),
                    json!({ "email": "Carol@example.com" }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(
            own.status,
            StatusCode::OK,
            "keeping one's own email is no clash"
        );
    }
);

on_both_databases!(
    invalid_usernames_passwords_emails_and_names_are_refused,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let admin = admin(&app).await;
        let cases = [
            (
                json!({ "username": "a b", "role": "user", "password": PASSWORD }),
                "username",
            ),
            (
                json!({ "username": "", "role": "user", "password": PASSWORD }),
                "username",
            ),
            (
                json!({ "username": "bob", "role": "user", "password": "short" }),
                "password",
            ),
            (
                json!({ "username": "bob", "role": "user", "password": "x".repeat(257) }),
                "password",
            ),
            (
                json!({ "username": "bob", "email": "not-an-email", "role": "user", "password": PASSWORD }),
                "email",
            ),
            (
                json!({ "username": "bob", "display_name": "x".repeat(129), "role": "user", "password": PASSWORD }),
                "display name",
            ),
            (
                json!({ "username": "bob", "role": "owner", "password": PASSWORD }),
                "not valid",
            ),
        ];
        for (body, mentions) in cases {
            let response = app
                .call(TestRequest::post(paths::ADMIN_USERS, body.clone()).cookie(&admin))
                .await;
            assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(response.error_code(), "bad_request");
            assert!(
                response.message().contains(mentions),
                "{body}: {}",
                response.text
            );
        }
        let list = app
            .call(TestRequest::get(paths::ADMIN_USERS).cookie(&admin))
            .await;
        assert_eq!(
            list.body.as_array().unwrap().len(),
            1,
            "nothing was created"
        );
    }
);

on_both_databases!(
    admin_routes_refuse_non_admins_and_strangers,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("alice", PASSWORD, Role::User).await;
        let alice = app.sign_in("alice", PASSWORD).await;
        let token = app
            .call(TestRequest::post(paths::ME_TOKENS, json!({ "name": "cli" })).cookie(&alice))
            .await;
        let token = token.body["token"].as_str().unwrap().to_owned();
        let requests = || {
            [
                TestRequest::get(paths::ADMIN_USERS),
                TestRequest::post(
                    paths::ADMIN_USERS,
                    json!({ "username": "eve", "role": "admin", "password": PASSWORD }),
                ),
                TestRequest::patch(&with_id(paths::ADMIN_USER, 1), json!({ "role": "user" })),
                TestRequest::put(
                    &with_id(paths::ADMIN_USER_PASSWORD, 1),
                    json!({ "new_password": PASSWORD }),
                ),
                TestRequest::put(
                    paths::ADMIN_SETTINGS,
                    serde_json::to_value(app::types::Settings::default()).unwrap(),
                ),
            ]
        };
        for request in requests() {
            let path = request.path.clone();
            let response = app.call(request.cookie(&alice)).await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(response.error_code(), "forbidden", "{path}");
        }
        for request in requests() {
            let path = request.path.clone();
            let response = app.call(request.bearer(&token)).await;
            assert_eq!(
                response.status,
                StatusCode::FORBIDDEN,
                "{path} with a token"
            );
        }
        for request in requests() {
            let path = request.path.clone();
            let response = app.call(request).await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(response.error_code(), "unauthenticated");
        }
    }
);

on_both_databases!(
    admins_cannot_disable_or_demote_themselves,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let id = admin_id(&app).await;
        let admin = admin(&app).await;
        for change in [json!({ "disabled": true }), json!({ "role": "user" })] {
            let response = app
                .call(
                    TestRequest::patch(&with_id(paths::ADMIN_USER, id), change.clone())
                        .cookie(&admin),
                )
                .await;
            assert_eq!(response.status, StatusCode::CONFLICT, "{change}");
            assert!(response.message().contains("your own"), "{}", response.text);
        }
        let harmless = app
            .call(
                TestRequest::patch(
                    &with_id(paths::ADMIN_USER, id),
                    json!({ "display_name": "Root", "role": "admin", "disabled": false }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(harmless.status, StatusCode::OK, "{}", harmless.text);
        let me = app
            .call(TestRequest::get(paths::SESSION).cookie(&admin))
            .await;
        assert_eq!(me.body["role"], "admin");
        assert_eq!(me.body["display_name"], "Root");
    }
);

on_both_databases!(
    the_last_enabled_admin_can_be_neither_disabled_nor_demoted,
    |engine: Engine| async move {
        use ferry_server::{db::entities::users, services::accounts};
        use sea_orm::EntityTrait;
        let app = TestApp::start(engine).await;
        let admin = admin_id(&app).await;
        let carol = app.create_user("carol", PASSWORD, Role::Admin).await;
        let carol_then = users::Entity::find_by_id(carol)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        // Another admin may be disabled while an enabled admin remains …
        let admin_session = app.sign_in("admin", ADMIN_PASSWORD).await;
        let demoted = app
            .call(
                TestRequest::patch(
                    &with_id(paths::ADMIN_USER, carol),
                    json!({ "disabled": true }),
                )
                .cookie(&admin_session),
            )
            .await;
        assert_eq!(demoted.status, StatusCode::OK);
        // … but a request acting on what carol could do a moment ago (say, sent at the same time)
        // cannot leave the server without one.
        for change in [
            UserUpdate {
                disabled: Some(true),
                ..UserUpdate::default()
            },
            UserUpdate {
                role: Some(Role::User),
                ..UserUpdate::default()
            },
        ] {
            let refused = accounts::update_user(&app.state.db, &carol_then, admin, change).await;
            let error = refused.unwrap_err();
            assert_eq!(error.code(), app::types::ErrorCode::Conflict);
            assert!(
                error.to_string().contains("last enabled administrator"),
                "{error}"
            );
        }
        let me = app
            .call(TestRequest::get(paths::SESSION).cookie(&admin_session))
            .await;
        assert_eq!(me.body["role"], "admin");
    }
);

on_both_databases!(unknown_or_malformed_user_ids, |engine: Engine| async move {
    let app = TestApp::start(engine).await;
    let admin = admin(&app).await;
    let patch = app
        .call(
            TestRequest::patch(
                &with_id(paths::ADMIN_USER, 9999),
                json!({ "disabled": true }),
            )
            .cookie(&admin),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    assert_eq!(patch.error_code(), "not_found");
    let reset = app
        .call(
            TestRequest::put(
                &with_id(paths::ADMIN_USER_PASSWORD, 9999),
                json!({ "new_password": PASSWORD }),
            )
            .cookie(&admin),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NOT_FOUND);
    let malformed = app
        .call(TestRequest::patch("/api/v1/admin/users/abc", json!({})).cookie(&admin))
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error_code(), "bad_request");
});

on_both_databases!(
    disabling_a_user_ends_their_sessions_and_stops_their_tokens,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let bob = app.create_user("bob", PASSWORD, Role::User).await;
        let bob_session = app.sign_in("bob", PASSWORD).await;
        let token = app
            .call(
                TestRequest::post(paths::ME_TOKENS, json!({ "name": "laptop" }))
                    .cookie(&bob_session),
            )
            .await;
        let token = token.body["token"].as_str().unwrap().to_owned();
        let admin = admin(&app).await;
        let disable = |disabled: bool| {
            TestRequest::patch(
                &with_id(paths::ADMIN_USER, bob),
                json!({ "disabled": disabled }),
            )
            .cookie(&admin)
        };
        let disabled = app.call(disable(true)).await;
        assert_eq!(disabled.status, StatusCode::OK);
        assert_eq!(disabled.body["disabled"], true);

        let by_cookie = app
            .call(TestRequest::get(paths::SESSION).cookie(&bob_session))
            .await;
        assert_eq!(by_cookie.status, StatusCode::UNAUTHORIZED);
        let by_token = app
            .call(TestRequest::get(paths::SESSION).bearer(&token))
            .await;
        assert_eq!(by_token.status, StatusCode::UNAUTHORIZED);
        let sign_in = app
            .call(TestRequest::post(
                paths::SESSION,
                json!({ "username": "bob", "password": PASSWORD }),
            ))
            .await;
        assert_eq!(sign_in.status, StatusCode::UNAUTHORIZED);

        // The token rows are kept: enabling the account again brings its tokens back.
        assert_eq!(app.call(disable(false)).await.status, StatusCode::OK);
        let again = app
            .call(TestRequest::get(paths::SESSION).bearer(&token))
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body["username"], "bob");
        let old_cookie = app
            .call(TestRequest::get(paths::SESSION).cookie(&bob_session))
            .await;
        assert_eq!(
            old_cookie.status,
            StatusCode::UNAUTHORIZED,
            "ended sessions stay ended"
        );
    }
);

on_both_databases!(admins_reset_passwords, |engine: Engine| async move {
    let app = TestApp::start(engine).await;
    let bob = app.create_user("bob", PASSWORD, Role::User).await;
    let bob_session = app.sign_in("bob", PASSWORD).await;
    let admin = admin(&app).await;
    let reset = |new_password: &str| {
        TestRequest::put(
            &with_id(paths::ADMIN_USER_PASSWORD, bob),
            json!({ "new_password": new_password }),
        )
        .cookie(&admin)
    };
    let weak = app.call(reset("short")).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.message().contains("password"));

    let done = app.call(reset("a-brand-new-password")).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
    let old_session = app
        .call(TestRequest::get(paths::SESSION).cookie(&bob_session))
        .await;
    assert_eq!(old_session.status, StatusCode::UNAUTHORIZED);
    let old_password = app
        .call(TestRequest::post(
            paths::SESSION,
            json!({ "username": "bob", "password": PASSWORD }),
        ))
        .await;
    assert_eq!(old_password.status, StatusCode::UNAUTHORIZED);
    app.sign_in("bob", "a-brand-new-password").await;
});

on_both_databases!(
    everyone_reads_the_settings_and_only_admins_change_them,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("alice", PASSWORD, Role::User).await;
        let alice = app.sign_in("alice", PASSWORD).await;
        let read = app
            .call(TestRequest::get(paths::SETTINGS).cookie(&alice))
            .await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.body["max_files_per_package"], 10);
        assert_eq!(read.body["gateway_enabled"], true);
        let stranger = app.call(TestRequest::get(paths::SETTINGS)).await;
        assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);

        let wanted = json!({
            "gateway_enabled": false,
            "max_files_per_package": 25,
            "users_may_change_desktop_client": false,
            "default_expiration": { "kind": "after_days", "days": 30 },
            "directory_exact_email": true,
            "user_quota_bytes": 10_737_418_240u64,
            "desktop_max_files_per_package": 500,
            "desktop_max_package_bytes": 1_099_511_627_776u64,
        });
        let refused = app
            .call(TestRequest::put(paths::ADMIN_SETTINGS, wanted.clone()).cookie(&alice))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let admin = admin(&app).await;
        let saved = app
            .call(TestRequest::put(paths::ADMIN_SETTINGS, wanted.clone()).cookie(&admin))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
        assert_eq!(saved.body, wanted);
        let read = app
            .call(TestRequest::get(paths::SETTINGS).cookie(&alice))
            .await;
        assert_eq!(read.body, wanted);
    }
);

on_both_databases!(
    settings_out_of_bounds_are_refused_with_the_setting_named,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let admin = admin(&app).await;
        let settings = |files: u32, expiration: Value| {
            json!({
                "gateway_enabled": true,
                "max_files_per_package": files,
                "users_may_change_desktop_client": true,
                "default_expiration": expiration,
            })
        };
        let cases = [
            (settings(0, json!({ "kind": "none" })), "files"),
            (settings(101, json!({ "kind": "none" })), "files"),
            (
                settings(10, json!({ "kind": "after_days", "days": 0 })),
                "days",
            ),
            (
                settings(10, json!({ "kind": "after_days", "days": 3651 })),
                "days",
            ),
        ];
        for (body, mentions) in cases {
            let response = app
                .call(TestRequest::put(paths::ADMIN_SETTINGS, body.clone()).cookie(&admin))
                .await;
            assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
            assert!(response.message().contains(mentions), "{}", response.text);
        }
        let read = app
            .call(TestRequest::get(paths::SETTINGS).cookie(&admin))
            .await;
        assert_eq!(read.body["max_files_per_package"], 10, "nothing was saved");
    }
);
