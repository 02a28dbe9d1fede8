//! The web listener through `router(state).oneshot(..)`: health, sessions, CSRF, errors and the web
//! app's pages, each on a fresh SQLite database and a fresh PostgreSQL database.

use app::paths;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::{
    common::{self, ADMIN_PASSWORD, Engine, TestApp, TestRequest},
    on_both_databases,
};

on_both_databases!(
    healthz_reports_ok_and_the_version,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let response = app.call(TestRequest::get("/healthz")).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.body["status"], "ok");
        assert_eq!(response.body["version"], env!("CARGO_PKG_VERSION"));
    }
);

on_both_databases!(
    admin_signs_in_sees_itself_and_signs_out,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let response = app
            .call(TestRequest::post(
                "/api/v1/session",
                json!({ "username": "admin", "password": ADMIN_PASSWORD }),
            ))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        assert_eq!(response.body["username"], "admin");
        assert_eq!(response.body["role"], "admin");
        let set_cookie = response.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
            assert!(
                set_cookie.contains(attribute),
                "{set_cookie} lacks {attribute}"
            );
        }
        assert!(
            !set_cookie.contains("Secure"),
            "plain HTTP cannot use Secure cookies"
        );
        let cookie = response.cookie().unwrap();

        let me = app
            .call(TestRequest::get("/api/v1/session").cookie(&cookie))
            .await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["username"], "admin");

        let out = app
            .call(TestRequest::delete("/api/v1/session").cookie(&cookie))
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let after = app
            .call(TestRequest::get("/api/v1/session").cookie(&cookie))
            .await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        assert_eq!(after.error_code(), "unauthenticated");
    }
);

// Behind a TLS-terminating proxy (`public_url` is https) the cookie is `Secure` and `__Host-`
// prefixed, although Ferry itself speaks plain HTTP, and it still authenticates.
on_both_databases!(
    behind_an_https_proxy_the_session_cookie_is_secure_and_host_prefixed,
    |engine: Engine| async move {
        let app = TestApp::start_with(engine, |args| {
            args.public_url = Some("https://ferry.example.com".into());
        })
        .await;
        let response = app
            .call(TestRequest::post(
                "/api/v1/session",
                json!({ "username": "admin", "password": ADMIN_PASSWORD }),
            ))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        let set_cookie = response.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            set_cookie.starts_with("__Host-ferry_session="),
            "{set_cookie}"
        );
        for attribute in ["Secure", "Path=/", "HttpOnly"] {
            assert!(
                set_cookie.contains(attribute),
                "{set_cookie} lacks {attribute}"
            );
        }
        assert!(!set_cookie.contains("Domain"), "{set_cookie}");
        let cookie = response.cookie().unwrap();
        let me = app
            .call(TestRequest::get("/api/v1/session").cookie(&cookie))
            .await;
        assert_eq!(me.status, StatusCode::OK);
        // The plain name is not read: a cookie a plain-HTTP page set cannot stand in for it.
        let plain = cookie.replacen("__Host-", "", 1);
        let shadow = app
            .call(TestRequest::get("/api/v1/session").cookie(&plain))
            .await;
        assert_eq!(shadow.status, StatusCode::UNAUTHORIZED);
        let out = app
            .call(TestRequest::delete("/api/v1/session").cookie(&cookie))
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let cleared = out.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cleared.starts_with("__Host-ferry_session=;"), "{cleared}");
        assert!(cleared.contains("Secure"), "{cleared}");
    }
);

on_both_databases!(
    wrong_password_and_unknown_user_get_the_same_answer,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let wrong = app
            .call(TestRequest::post(
                "/api/v1/session",
                json!({ "username": "admin", "password": "not-the-password" }),
            ))
            .await;
        let unknown = app
            .call(TestRequest::post(
                "/api/v1/session",
                json!({ "username": "nobody", "password": "not-the-password" }),
            ))
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.status, unknown.status);
        assert_eq!(wrong.body, unknown.body);
        assert!(wrong.cookie().is_none());
    }
);

on_both_databases!(
    signing_in_replaces_a_planted_session,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let first = app.sign_in("admin", ADMIN_PASSWORD).await;
        let response = app
            .call(
                TestRequest::post(
                    "/api/v1/session",
                    json!({ "username": "admin", "password": ADMIN_PASSWORD }),
                )
                .cookie(&first),
            )
            .await;
        let second = response.cookie().unwrap();
        assert_ne!(first, second, "a sign-in must issue a new session id");
        let old = app
            .call(TestRequest::get("/api/v1/session").cookie(&first))
            .await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        let new = app
            .call(TestRequest::get("/api/v1/session").cookie(&second))
            .await;
        assert_eq!(new.status, StatusCode::OK);
    }
);

on_both_databases!(
    writes_without_the_csrf_header_or_from_another_site_are_refused,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let login = || {
            TestRequest::post(
                "/api/v1/session",
                json!({ "username": "admin", "password": ADMIN_PASSWORD }),
            )
        };
        let bare = app
            .call(login().without_header(app::paths::CSRF_HEADER))
            .await;
        assert_eq!(bare.status, StatusCode::FORBIDDEN);
        assert_eq!(bare.error_code(), "cross_site_request");
        let foreign = app
            .call(
                login()
                    .header("origin", "http://evil.example")
                    .header("host", "127.0.0.1:8080"),
            )
            .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        let cross = app
            .call(login().header("sec-fetch-site", "cross-site"))
            .await;
        assert_eq!(cross.status, StatusCode::FORBIDDEN);
        let same = app
            .call(
                login()
                    .header("origin", "http://127.0.0.1:8080")
                    .header("host", "127.0.0.1:8080"),
            )
            .await;
        assert_eq!(same.status, StatusCode::OK);
    }
);

on_both_databases!(
    bad_requests_get_the_one_error_shape,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let malformed = app
            .call(TestRequest::post("/api/v1/session", json!(null)).raw_body("{not json"))
            .await;
        assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
        assert_eq!(malformed.error_code(), "bad_request");
        assert!(
            malformed.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not valid")
        );

        let missing = app
            .call(TestRequest::post(
                "/api/v1/session",
                json!({"username": "admin"}),
            ))
            .await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert!(
            missing.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("password")
        );

        let empty = app
            .call(TestRequest::post(
                "/api/v1/session",
                json!({"username": "", "password": ""}),
            ))
            .await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);

        let unknown = app.call(TestRequest::get("/api/v1/no-such-thing")).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(unknown.error_code(), "not_found");

        let wrong_method = app
            .call(
                TestRequest::get("/api/v1/session")
                    .method(Method::PUT)
                    .csrf(),
            )
            .await;
        assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong_method.error_code(), "method_not_allowed");
        // An unlisted method is a 405 without the CSRF header too: routing comes first.
        for (method, path) in [
            (Method::TRACE, "/healthz"),
            (Method::PUT, "/api/v1/session"),
            (Method::PATCH, paths::PACKAGES),
        ] {
            let answer = app
                .call(TestRequest::get(path).method(method.clone()))
                .await;
            assert_eq!(
                answer.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(answer.error_code(), "method_not_allowed", "{method} {path}");
        }
    }
);

on_both_databases!(
    restarting_on_the_same_database_keeps_the_admin,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let url = app.state.config.database_url.clone();
        let again = ferry_server::db::connect_and_migrate(&url).await.unwrap();
        let outcome = ferry_server::bootstrap::ensure_admin(&again, &app.state.config)
            .await
            .unwrap();
        assert!(matches!(
            outcome,
            ferry_server::bootstrap::AdminAccount::Existing
        ));
        app.sign_in("admin", ADMIN_PASSWORD).await;
    }
);

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::start(Engine::Sqlite).await;
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .unwrap();
    let mode: String = row.try_get_by_index(0).unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn the_web_app_is_served_for_client_side_routes_but_not_for_api_paths() {
    let app = TestApp::start(Engine::Sqlite).await;
    let dist = app.state.config.web_dir.clone();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Ferry</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app.css"), "body{}").unwrap();

    let page = app.call(TestRequest::get("/received")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<title>Ferry</title>"));
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-cache");
    let asset = app.call(TestRequest::get("/app.css")).await;
    assert_eq!(asset.text, "body{}");
    let big = "x".repeat(4096);
    std::fs::write(dist.join("app.js"), &big).unwrap();
    let gzipped = app
        .call(TestRequest::get("/app.js").header("accept-encoding", "gzip"))
        .await;
    assert_eq!(gzipped.headers[header::CONTENT_ENCODING], "gzip");
    assert!(gzipped.text.len() < big.len() / 4, "compressed");
    let api = app.call(TestRequest::get("/api/v2/whatever")).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.error_code(), "not_found");
}

// The server learns the web app's pages from the app's own route table (through leptos_axum):
// each answers index.html with 200, any other path outside /api index.html with 404, so the app
// still shows its not-found page while tools see that nothing is there.
#[tokio::test]
async fn the_web_app_pages_answer_200_and_every_other_path_404() {
    let app = TestApp::start(Engine::Sqlite).await;
    let dist = app.state.config.web_dir.clone();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Ferry</title>",
    )
    .unwrap();

    let mut pages = ferry_server::http::page_paths();
    pages.sort();
    let expected = [
        "/",
        "/admin",
        "/device",
        "/login",
        "/new",
        "/notifications",
        "/packages/{id}",
        "/preferences",
        "/received",
        "/sent",
    ];
    assert_eq!(pages, expected, "the route table of app::ui::AppRoutes");
    for page in expected {
        let path = page.replace("{id}", "42");
        let response = app.call(TestRequest::get(&path)).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert!(response.text.contains("<title>Ferry</title>"), "{path}");
        assert_eq!(
            response.headers[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
    }
    for path in [
        "/no/such/page",
        "/wp-login.php",
        "/packages",
        "/packages/42/extra",
        "/received/",
        "/favicon.ico",
    ] {
        let response = app.call(TestRequest::get(path)).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            response.text.contains("<title>Ferry</title>"),
            "{path}: the app shows its own not-found page"
        );
        assert_eq!(
            response.headers[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
    }
    let api = app.call(TestRequest::get("/api/no/such/thing")).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.error_code(), "not_found");
}

#[tokio::test]
async fn client_config_points_browsers_at_the_gateway() {
    async fn gateway_of(app: &TestApp, host: &'static str) -> common::TestResponse {
        app.call(TestRequest::get("/api/v1/config").header("host", host))
            .await
    }
    let app = TestApp::start_with(Engine::Sqlite, |args| {
        args.allowed_hosts = Some("ferry.lan, Files.Example.com".into());
    })
    .await;
    for (host, gateway) in [
        ("ferry.lan:8080", "http://ferry.lan:4001"),
        ("files.example.com", "http://files.example.com:4001"),
        ("192.168.1.5:8080", "http://192.168.1.5:4001"),
        ("[fd00::5]:8080", "http://[fd00::5]:4001"),
        ("localhost:8080", "http://localhost:4001"),
        // A name nobody listed is never echoed: the gateway's own address instead.
        ("evil.example", "http://127.0.0.1:4001"),
    ] {
        let response = gateway_of(&app, host).await;
        assert_eq!(response.body["gateway_url"], gateway, "{host}");
    }
    assert_eq!(
        gateway_of(&app, "ferry.lan:8080").await.body["version"],
        env!("CARGO_PKG_VERSION")
    );

    let configured = TestApp::start_with(Engine::Sqlite, |args| {
        args.gateway_public_url = Some("https://gw.example.com/".into());
    })
    .await;
    let response = configured.call(TestRequest::get("/api/v1/config")).await;
    assert_eq!(response.body["gateway_url"], "https://gw.example.com");

    // Bound to every address with nothing configured: an unknown name is misdirected, never echoed;
    // with public_url, its host is the default.
    let open = TestApp::start_with(Engine::Sqlite, |args| {
        args.gateway_addr = Some("0.0.0.0:4001".into());
    })
    .await;
    let misdirected = gateway_of(&open, "evil.example").await;
    assert_eq!(misdirected.status, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(misdirected.error_code(), "misdirected_request");
    assert_eq!(
        gateway_of(&open, "10.0.0.7:8080").await.body["gateway_url"],
        "http://10.0.0.7:4001"
    );
    let public = TestApp::start_with(Engine::Sqlite, |args| {
        args.gateway_addr = Some("0.0.0.0:4001".into());
        args.public_url = Some("https://ferry.example.com".into());
    })
    .await;
    assert_eq!(
        gateway_of(&public, "evil.example").await.body["gateway_url"],
        "http://ferry.example.com:4001"
    );
}

#[tokio::test]
async fn a_first_admin_name_taken_by_a_plain_user_is_a_clear_start_up_error() {
    use ferry_server::db::entities::users;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = TestApp::start(Engine::Sqlite).await;
    let admin = users::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut demoted: users::ActiveModel = admin.into();
    demoted.role = Set(users::Role::User);
    demoted.update(&app.state.db).await.unwrap();
    let error = ferry_server::bootstrap::ensure_admin(&app.state.db, &app.state.config)
        .await
        .expect_err("no admin can be created under a taken name");
    assert!(error.to_string().contains("admin_username"), "{error}");
}

#[tokio::test]
async fn the_web_app_and_the_api_carry_browser_security_headers() {
    use base64::Engine as _;
    use sha2::Digest;

    let dist = tempfile::tempdir().unwrap();
    let boot = "import init from '/frontend.js';\nawait init();";
    std::fs::write(
        dist.path().join("index.html"),
        format!(
            "<!doctype html><title>Ferry</title><script type=\"module\" src=\"/x.js\"></script>\
             <script type=\"module\">{boot}</script>"
        ),
    )
    .unwrap();
    let web_dir = dist.path().to_owned();
    let app = TestApp::start_with(Engine::Sqlite, |args| args.web_dir = Some(web_dir)).await;
    let boot_hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(boot));

    let page = app
        .call(TestRequest::get("/received").header("host", "10.0.0.7:8080"))
        .await;
    let api = app
        .call(TestRequest::get("/api/v1/config").header("host", "10.0.0.7:8080"))
        .await;
    for answer in [&page, &api] {
        let csp = answer.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{boot_hash}';"
            )),
            "the inline boot script is allowed by its hash, nothing else inline: {csp}"
        );
        assert!(
            csp.contains("connect-src 'self' http://10.0.0.7:4001;"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(answer.headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(answer.headers[header::REFERRER_POLICY], "same-origin");
        assert!(
            !answer
                .headers
                .contains_key(header::STRICT_TRANSPORT_SECURITY),
            "no HSTS over plain HTTP"
        );
    }
    assert_eq!(api.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-cache");

    let https = TestApp::start_with(Engine::Sqlite, |args| {
        args.public_url = Some("https://ferry.example.com".into());
    })
    .await;
    let answer = https.call(TestRequest::get("/api/v1/config")).await;
    assert_eq!(
        answer.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
}

// JSON bodies are objects only (serde would fill a struct's fields from an array by position),
// and an unknown field is refused where a typo would otherwise silently do nothing.
on_both_databases!(
    json_bodies_are_objects_with_known_fields_only,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let by_position = app
            .call(TestRequest::post(
                paths::SESSION,
                json!(["admin", ADMIN_PASSWORD]),
            ))
            .await;
        assert_eq!(by_position.status, StatusCode::BAD_REQUEST);
        assert!(
            by_position.message().contains("JSON object"),
            "{}",
            by_position.text
        );
        assert!(by_position.cookie().is_none(), "nobody signed in");

        let cookie = app.sign_in("admin", ADMIN_PASSWORD).await;
        let preferences = || TestRequest::get(paths::ME_PREFERENCES).cookie(&cookie);
        let before = app.call(preferences()).await.body;
        let positional = app
            .call(
                TestRequest::put(paths::ME_PREFERENCES, json!([true, false, true])).cookie(&cookie),
            )
            .await;
        assert_eq!(positional.status, StatusCode::BAD_REQUEST);
        let typo = app
            .call(
                TestRequest::put(paths::ME_PREFERENCES, json!({ "email_on_recieve": false }))
                    .cookie(&cookie),
            )
            .await;
        assert_eq!(typo.status, StatusCode::BAD_REQUEST);
        assert!(typo.message().contains("email_on_recieve"), "{}", typo.text);
        assert_eq!(
            app.call(preferences()).await.body,
            before,
            "nothing changed"
        );

        let token_typo = app
            .call(
                TestRequest::post(
                    paths::ME_TOKENS,
                    json!({ "name": "ci", "expires_in_day": 1 }),
                )
                .cookie(&cookie),
            )
            .await;
        assert_eq!(token_typo.status, StatusCode::BAD_REQUEST);
        assert!(
            token_typo.message().contains("expires_in_day"),
            "{}",
            token_typo.text
        );
    }
);
