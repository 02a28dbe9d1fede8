//! A user's own account: changing the password, personal API tokens, preferences and the user
//! directory, each on a fresh SQLite and a fresh PostgreSQL database.

use app::{
    paths::{self, with_id},
    types::Role,
};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{
    common::{ADMIN_PASSWORD, Engine, TestApp, TestRequest},
    on_both_databases,
};

const PASSWORD: &str = "a-user-password";

/// Creates a token as the holder of `cookie` and returns its secret and id.
async fn create_token(app: &TestApp, cookie: &str, name: &str) -> (String, i64) {
    let response = app
        .call(TestRequest::post(paths::ME_TOKENS, json!({ "name": name })).cookie(cookie))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    (
        response.body["token"]
            .as_str()
            .expect("a secret")
            .to_owned(),
        response.body["details"]["id"].as_i64().expect("an id"),
    )
}

async fn whoami(app: &TestApp, request: TestRequest) -> (StatusCode, Value) {
    let response = app.call(request).await;
    (response.status, response.body["username"].clone())
}

on_both_databases!(
    changing_my_password_ends_other_sessions_and_keeps_this_one,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let here = app.sign_in("bob", PASSWORD).await;
        let elsewhere = app.sign_in("bob", PASSWORD).await;
        let changed = app
            .call(
                TestRequest::put(
                    paths::ME_PASSWORD,
                    json!({ "current_password": PASSWORD, "new_password": "a-better-password" }),
                )
                .cookie(&here),
            )
            .await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
        let renewed = changed.cookie().expect("a fresh session cookie");
        assert_ne!(renewed, here);

        let session = |cookie: &str| TestRequest::get(paths::SESSION).cookie(cookie);
        assert_eq!(
            whoami(&app, session(&renewed)).await,
            (StatusCode::OK, json!("bob"))
        );
        assert_eq!(
            app.call(session(&elsewhere)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call(session(&here)).await.status,
            StatusCode::UNAUTHORIZED
        );
        let old = app
            .call(TestRequest::post(
                paths::SESSION,
                json!({ "username": "bob", "password": PASSWORD }),
            ))
            .await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        app.sign_in("bob", "a-better-password").await;
    }
);

on_both_databases!(
    a_wrong_current_password_or_a_weak_new_one_is_refused,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let change = |current: &str, new: &str| {
            TestRequest::put(
                paths::ME_PASSWORD,
                json!({ "current_password": current, "new_password": new }),
            )
            .cookie(&bob)
        };
        let wrong = app
            .call(change("not-my-password", "a-better-password"))
            .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert!(
            wrong.message().contains("current password"),
            "{}",
            wrong.text
        );
        assert!(wrong.cookie().is_none());
        let weak = app.call(change(PASSWORD, "short")).await;
        assert_eq!(weak.status, StatusCode::BAD_REQUEST);
        assert!(weak.message().contains("at least"), "{}", weak.text);
        let unauthenticated = app
            .call(change(PASSWORD, "a-better-password").without_header("cookie"))
            .await;
        assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);

        let still = app
            .call(TestRequest::get(paths::SESSION).cookie(&bob))
            .await;
        assert_eq!(still.status, StatusCode::OK, "nothing changed");
        app.sign_in("bob", PASSWORD).await;
    }
);

on_both_databases!(
    api_tokens_authenticate_without_csrf_and_stop_when_revoked,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let created = app
            .call(TestRequest::post(paths::ME_TOKENS, json!({ "name": " laptop " })).cookie(&bob))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let token = created.body["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("ferry_pat_"), "{token}");
        assert_eq!(token.len(), "ferry_pat_".len() + 43);
        assert_eq!(created.body["details"]["prefix"], token[..12]);
        assert_eq!(created.body["details"]["name"], "laptop");
        assert_eq!(created.body["details"]["last_used_at"], Value::Null);
        let id = created.body["details"]["id"].as_i64().unwrap();

        let me = TestRequest::get(paths::SESSION).bearer(&token);
        assert_eq!(whoami(&app, me).await, (StatusCode::OK, json!("bob")));
        let without_csrf = app
            .call(
                TestRequest::post(
                    paths::PACKAGES,
                    json!({ "title": "From a script", "recipients": ["bob"] }),
                )
                .without_header(app::paths::CSRF_HEADER)
                .bearer(&token),
            )
            .await;
        assert_eq!(
            without_csrf.status,
            StatusCode::CREATED,
            "{}",
            without_csrf.text
        );
        let minted = app
            .call(
                TestRequest::post(paths::ME_TOKENS, json!({ "name": "script" }))
                    .without_header(app::paths::CSRF_HEADER)
                    .bearer(&token),
            )
            .await;
        assert_eq!(
            minted.status,
            StatusCode::FORBIDDEN,
            "a token cannot make tokens"
        );
        assert!(
            minted.message().contains("cannot create tokens"),
            "{}",
            minted.text
        );
        create_token(&app, &bob, "script").await;

        let list = app
            .call(TestRequest::get(paths::ME_TOKENS).cookie(&bob))
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let tokens = list.body.as_array().unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[0]["id"], id);
        assert!(tokens[0]["last_used_at"].is_string(), "{}", list.text);
        assert_eq!(tokens[1]["last_used_at"], Value::Null);
        assert!(!list.text.contains(&token), "secrets are shown only once");

        let revoked = app
            .call(TestRequest::delete(&with_id(paths::ME_TOKEN, id)).cookie(&bob))
            .await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        let after = app
            .call(TestRequest::get(paths::SESSION).bearer(&token))
            .await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        assert_eq!(after.error_code(), "unauthenticated");
        let again = app
            .call(TestRequest::delete(&with_id(paths::ME_TOKEN, id)).cookie(&bob))
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);

        for bogus in [
            "ferry_pat_",
            "nonsense",
            &format!("ferry_pat_{}", "A".repeat(43)),
        ] {
            let response = app
                .call(TestRequest::get(paths::SESSION).bearer(bogus))
                .await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{bogus}");
        }
    }
);

on_both_databases!(
    another_users_token_cannot_be_revoked,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("alice", PASSWORD, Role::User).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let alice = app.sign_in("alice", PASSWORD).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let (alice_token, alice_token_id) = create_token(&app, &alice, "alice's").await;
        let response = app
            .call(TestRequest::delete(&with_id(paths::ME_TOKEN, alice_token_id)).cookie(&bob))
            .await;
        assert_eq!(response.status, StatusCode::NOT_FOUND);
        let mine = app
            .call(TestRequest::get(paths::ME_TOKENS).cookie(&bob))
            .await;
        assert_eq!(mine.body, json!([]), "bob sees only his own tokens");
        let me = TestRequest::get(paths::SESSION).bearer(&alice_token);
        assert_eq!(whoami(&app, me).await, (StatusCode::OK, json!("alice")));
    }
);

on_both_databases!(
    a_bearer_token_alone_decides_who_is_calling,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("alice", PASSWORD, Role::User).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let alice = app.sign_in("alice", PASSWORD).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let (bob_token, _) = create_token(&app, &bob, "cli").await;

        let both = TestRequest::get(paths::SESSION)
            .cookie(&alice)
            .bearer(&bob_token);
        assert_eq!(whoami(&app, both).await, (StatusCode::OK, json!("bob")));
        let bad_token = TestRequest::get(paths::SESSION)
            .cookie(&alice)
            .bearer("ferry_pat_nope");
        assert_eq!(whoami(&app, bad_token).await.0, StatusCode::UNAUTHORIZED);
        let basic = TestRequest::get(paths::SESSION)
            .cookie(&alice)
            .header("authorization", "Basic YWxpY2U6cGFzc3dvcmQ=");
        assert_eq!(whoami(&app, basic).await.0, StatusCode::UNAUTHORIZED);

        // A write with a token and a cookie but no CSRF header acts by the token: making a token is
        // refused to a token (with alice's session it would have succeeded, as alice).
        let created = app
            .call(
                TestRequest::post(paths::ME_TOKENS, json!({ "name": "made by token" }))
                    .without_header(app::paths::CSRF_HEADER)
                    .cookie(&alice)
                    .bearer(&bob_token),
            )
            .await;
        assert_eq!(created.status, StatusCode::FORBIDDEN, "{}", created.text);
        let drafted = app
            .call(
                TestRequest::post(
                    paths::PACKAGES,
                    json!({ "title": "By token", "recipients": ["alice"] }),
                )
                .without_header(app::paths::CSRF_HEADER)
                .cookie(&alice)
                .bearer(&bob_token),
            )
            .await;
        assert_eq!(drafted.status, StatusCode::CREATED, "{}", drafted.text);
        assert_eq!(
            drafted.body["sender"]["username"], "bob",
            "{}",
            drafted.text
        );
        let alice_tokens = app
            .call(TestRequest::get(paths::ME_TOKENS).cookie(&alice))
            .await;
        assert_eq!(alice_tokens.body, json!([]));
        // Without a token, a cookie alone still needs the CSRF header.
        let forged = app
            .call(
                TestRequest::post(paths::ME_TOKENS, json!({ "name": "forged" }))
                    .without_header(app::paths::CSRF_HEADER)
                    .cookie(&alice),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(forged.error_code(), "cross_site_request");
    }
);

on_both_databases!(
    token_names_and_counts_are_bounded,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        for name in [String::new(), "   ".into(), "x".repeat(101)] {
            let response = app
                .call(TestRequest::post(paths::ME_TOKENS, json!({ "name": name })).cookie(&bob))
                .await;
            assert_eq!(response.status, StatusCode::BAD_REQUEST, "{name:?}");
            assert!(response.message().contains("name"), "{}", response.text);
        }
        create_token(&app, &bob, &"x".repeat(100)).await;
        for n in 1..50 {
            create_token(&app, &bob, &format!("token {n}")).await;
        }
        let one_too_many = app
            .call(TestRequest::post(paths::ME_TOKENS, json!({ "name": "51st" })).cookie(&bob))
            .await;
        assert_eq!(one_too_many.status, StatusCode::CONFLICT);
        assert!(
            one_too_many.message().contains("50"),
            "{}",
            one_too_many.text
        );
    }
);

on_both_databases!(
    the_directory_matches_name_prefixes_and_never_confirms_emails,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let admin = app.sign_in("admin", ADMIN_PASSWORD).await;
        let users = [
            ("alice", "Alice Liddell", "wonder@land.test"),
            ("bob", "Bobby", "Ali.B@example.test"),
            ("carol", "Alina C.", "carol@example.test"),
            ("dave", "Dave", "dave@example.test"),
            ("alfred", "Al_fred", "alfred@example.test"),
            ("zed", "Alien", "zed@example.test"),
        ];
        for (username, display_name, email) in users {
            let created = app
                .call(
                    TestRequest::post(
                        paths::ADMIN_USERS,
                        json!({ "username": username, "display_name": display_name, "email": email,
                                "role": "user", "password": PASSWORD }),
                    )
                    .cookie(&admin),
                )
                .await;
            assert_eq!(created.status, StatusCode::CREATED);
        }
        let zed = app
            .call(TestRequest::get(paths::ADMIN_USERS).cookie(&admin))
            .await;
        let zed = zed
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "zed")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        app.call(
            TestRequest::patch(
                &with_id(paths::ADMIN_USER, zed),
                json!({ "disabled": true }),
            )
            .cookie(&admin),
        )
        .await;
        let dave = app.sign_in("dave", PASSWORD).await;
        let search = |q: &str| TestRequest::get(&format!("{}?q={q}", paths::USERS)).cookie(&dave);
        let names = |body: &Value| -> Vec<String> {
            body.as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned())
                .collect()
        };

        let found = app.call(search("ALI")).await;
        assert_eq!(found.status, StatusCode::OK);
        assert_eq!(
            names(&found.body),
            ["alice", "carol"],
            "username, display name; not bob's email, not the disabled zed"
        );
        for user in found.body.as_array().unwrap() {
            let mut keys: Vec<&String> = user.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(
                keys,
                ["display_name", "id", "username"],
                "no emails: {user}"
            );
        }
        assert_eq!(
            names(&app.call(search("al_")).await.body),
            ["alfred"],
            "'_' is literal"
        );
        assert_eq!(
            names(&app.call(search("%25")).await.body),
            Vec::<String>::new(),
            "'%' is literal"
        );
        assert_eq!(names(&app.call(search("dav")).await.body), ["dave"]);
        let nobody = Vec::<String>::new();
        for probe in [
            "wonder",
            "wonder%40land.test",
            "Ali.B%40example.test",
            "dave%40",
        ] {
            assert_eq!(
                names(&app.call(search(probe)).await.body),
                nobody,
                "{probe}: no email address is confirmed, whole or in part"
            );
        }

        // With the admin's permission a whole address (any case) finds its user; a part still doesn't.
        let mut settings = app
            .call(TestRequest::get(paths::SETTINGS).cookie(&admin))
            .await
            .body;
        settings["directory_exact_email"] = json!(true);
        let saved = app
            .call(TestRequest::put(paths::ADMIN_SETTINGS, settings).cookie(&admin))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
        assert_eq!(
            names(&app.call(search("ali.B%40Example.test")).await.body),
            ["bob"]
        );
        assert_eq!(
            names(&app.call(search("Ali.B%40example.tes")).await.body),
            nobody
        );
        assert_eq!(names(&app.call(search("wonder")).await.body), nobody);
        assert_eq!(
            names(&app.call(search("x")).await.body),
            Vec::<String>::new()
        );

        for n in 0..6 {
            app.create_user(&format!("user{n}"), PASSWORD, Role::User)
                .await;
        }
        let everyone = app.call(TestRequest::get(paths::USERS).cookie(&dave)).await;
        assert_eq!(
            names(&everyone.body),
            [
                "admin", "alfred", "alice", "bob", "carol", "dave", "user0", "user1", "user2",
                "user3"
            ],
            "at most ten, by username"
        );
        let stranger = app.call(TestRequest::get(paths::USERS)).await;
        assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    }
);

on_both_databases!(
    preferences_round_trip_unless_the_admin_manages_them,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let bob_id = app.create_user("bob", PASSWORD, Role::User).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let read = app
            .call(TestRequest::get(paths::ME_PREFERENCES).cookie(&bob))
            .await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(
            read.body,
            json!({
                "desktop_client_disabled": false,
                "may_change_desktop_client": true,
                "email_on_receive": true,
                "email_on_download": false,
                "email_available": false,
            })
        );
        let set = |value: bool| {
            TestRequest::put(
                paths::ME_PREFERENCES,
                json!({ "desktop_client_disabled": value }),
            )
            .cookie(&bob)
        };
        let saved = app.call(set(true)).await;
        assert_eq!(saved.status, StatusCode::OK);
        assert_eq!(saved.body["desktop_client_disabled"], true);
        let read = app
            .call(TestRequest::get(paths::ME_PREFERENCES).cookie(&bob))
            .await;
        assert_eq!(read.body["desktop_client_disabled"], true);

        let admin = app.sign_in("admin", ADMIN_PASSWORD).await;
        let mut settings = app
            .call(TestRequest::get(paths::SETTINGS).cookie(&admin))
            .await
            .body;
        settings["users_may_change_desktop_client"] = json!(false);
        let saved = app
            .call(TestRequest::put(paths::ADMIN_SETTINGS, settings).cookie(&admin))
            .await;
        assert_eq!(saved.status, StatusCode::OK);

        let read = app
            .call(TestRequest::get(paths::ME_PREFERENCES).cookie(&bob))
            .await;
        assert_eq!(
            read.body,
            json!({
                "desktop_client_disabled": true,
                "may_change_desktop_client": false,
                "email_on_receive": true,
                "email_on_download": false,
                "email_available": false,
            })
        );
        let refused = app.call(set(false)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(
            refused.message(),
            "Your administrator manages this preference."
        );

        let by_admin = app
            .call(
                TestRequest::patch(
                    &with_id(paths::ADMIN_USER, bob_id),
                    json!({ "desktop_client_disabled": false }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(by_admin.status, StatusCode::OK);
        let read = app
            .call(TestRequest::get(paths::ME_PREFERENCES).cookie(&bob))
            .await;
        assert_eq!(read.body["desktop_client_disabled"], false);
        let admin_own = app
            .call(
                TestRequest::put(
                    paths::ME_PREFERENCES,
                    json!({ "desktop_client_disabled": true }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(
            admin_own.status,
            StatusCode::OK,
            "admins always manage their own"
        );
    }
);

on_both_databases!(
    a_password_change_or_reset_revokes_every_api_token,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let bob_id = app.create_user("bob", PASSWORD, Role::User).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let (first, _) = create_token(&app, &bob, "laptop").await;
        let me = |token: &str| TestRequest::get(paths::SESSION).bearer(token);
        assert_eq!(whoami(&app, me(&first)).await.0, StatusCode::OK);

        let changed = app
            .call(
                TestRequest::put(
                    paths::ME_PASSWORD,
                    json!({ "current_password": PASSWORD, "new_password": "a-second-password" }),
                )
                .cookie(&bob),
            )
            .await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
        assert_eq!(
            whoami(&app, me(&first)).await.0,
            StatusCode::UNAUTHORIZED,
            "a token from before the change stops working"
        );

        let bob = app.sign_in("bob", "a-second-password").await;
        let (second, _) = create_token(&app, &bob, "server").await;
        let admin = app.sign_in("admin", ADMIN_PASSWORD).await;
        let reset = app
            .call(
                TestRequest::put(
                    &with_id(paths::ADMIN_USER_PASSWORD, bob_id),
                    json!({ "new_password": "a-third-password" }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.text);
        assert_eq!(whoami(&app, me(&second)).await.0, StatusCode::UNAUTHORIZED);
        let list = app
            .call(
                TestRequest::get(paths::ME_TOKENS)
                    .cookie(&app.sign_in("bob", "a-third-password").await),
            )
            .await;
        assert_eq!(list.body, json!([]));
    }
);

on_both_databases!(
    tokens_expire_after_90_days_unless_told_otherwise,
    |engine: Engine| async move {
        use ferry_server::db::entities::api_tokens;
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};

        let app = TestApp::start(engine).await;
        app.create_user("bob", PASSWORD, Role::User).await;
        let bob = app.sign_in("bob", PASSWORD).await;
        let create = |body: Value| TestRequest::post(paths::ME_TOKENS, body).cookie(&bob);
        let default = app.call(create(json!({ "name": "default" }))).await;
        let short = app
            .call(create(json!({ "name": "short", "expires_in_days": 7 })))
            .await;
        let forever = app
            .call(create(
                json!({ "name": "forever", "expires_in_days": null }),
            ))
            .await;
        for (answer, days) in [(&default, Some(90)), (&short, Some(7)), (&forever, None)] {
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
            let expires = &answer.body["details"]["expires_at"];
            match days {
                Some(days) => {
                    let at: chrono::DateTime<chrono::Utc> =
                        expires.as_str().unwrap().parse().unwrap();
                    let left = at - chrono::Utc::now();
                    assert!(
                        left > chrono::Duration::days(days) - chrono::Duration::minutes(5)
                            && left <= chrono::Duration::days(days),
                        "{expires}"
                    );
                }
                None => assert_eq!(expires, &Value::Null),
            }
        }
        for bad in [json!(0), json!(3651), json!(-1), json!("soon")] {
            let refused = app
                .call(create(json!({ "name": "bad", "expires_in_days": bad })))
                .await;
            assert_eq!(
                refused.status,
                StatusCode::BAD_REQUEST,
                "{bad}: {}",
                refused.text
            );
        }
        let listed = app
            .call(TestRequest::get(paths::ME_TOKENS).cookie(&bob))
            .await;
        assert_eq!(
            listed.body[1]["expires_at"],
            short.body["details"]["expires_at"]
        );

        // Past its expiry a token no longer authenticates.
        let secret = short.body["token"].as_str().unwrap();
        let me = || TestRequest::get(paths::SESSION).bearer(secret);
        assert_eq!(whoami(&app, me()).await.0, StatusCode::OK);
        let id = short.body["details"]["id"].as_i64().unwrap();
        let row = api_tokens::Entity::find_by_id(id)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let mut row: api_tokens::ActiveModel = row.into();
        row.expires_at = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
        row.update(&app.state.db).await.unwrap();
        assert_eq!(whoami(&app, me()).await.0, StatusCode::UNAUTHORIZED);
    }
);
