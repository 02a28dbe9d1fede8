//! Device sign-in (`ferry-desktop login`, RFC 8628): starting, polling, approving and denying, the
//! single use and the expiry of codes, and who may do what. On SQLite and PostgreSQL.

use app::{paths, types::Role};
use axum::{extract::connect_info::MockConnectInfo, http::StatusCode};
use chrono::{Duration, Utc};
use ferry_server::db::entities::device_authorizations;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    common::{Engine, TestApp, TestRequest, TestResponse, send},
    on_both_databases,
};

const PASSWORD: &str = "a-user-password";
const HOST: &str = "192.0.2.10:8080";

/// A server with alice signed in.
struct Device {
    app: TestApp,
    alice: String,
}

impl Device {
    async fn new(engine: Engine) -> Self {
        Self::with(TestApp::start(engine).await).await
    }

    async fn with(app: TestApp) -> Self {
        app.create_user("alice", PASSWORD, Role::User).await;
        let alice = app.sign_in("alice", PASSWORD).await;
        Self { app, alice }
    }

    /// `POST …/device/authorizations` as a device does: no cookie, no CSRF header.
    async fn start(&self, name: &str) -> TestResponse {
        self.app
            .call(device_post(
                paths::DEVICE_AUTHORIZATIONS,
                json!({ "device_name": name }),
            ))
            .await
    }

    /// A started authorization's body.
    async fn started(&self) -> Value {
        let response = self.start("ferry-desktop on build-box").await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        response.body
    }

    /// `POST …/device/token` with the device code of `started`.
    async fn poll(&self, started: &Value) -> TestResponse {
        self.app
            .call(device_post(
                paths::DEVICE_TOKEN,
                json!({ "device_code": started["device_code"] }),
            ))
            .await
    }

    /// Polls as a device that waited the whole interval since its last poll.
    async fn poll_later(&self, started: &Value) -> TestResponse {
        self.rewind_last_poll().await;
        self.poll(started).await
    }

    /// Moves every last poll back by a minute: the device waited (no sleeping in tests).
    async fn rewind_last_poll(&self) {
        device_authorizations::Entity::update_many()
            .col_expr(
                device_authorizations::Column::LastPolledAt,
                Expr::value(Utc::now() - Duration::minutes(1)),
            )
            .filter(device_authorizations::Column::LastPolledAt.is_not_null())
            .exec(&self.app.state.db)
            .await
            .unwrap();
    }

    async fn row(&self) -> device_authorizations::Model {
        device_authorizations::Entity::find()
            .one(&self.app.state.db)
            .await
            .unwrap()
            .unwrap()
    }

    /// `GET`, `approve` or `deny` of `code` as the holder of `cookie`.
    async fn page_call(&self, action: &str, code: &str, cookie: &str) -> TestResponse {
        let path = decision_path(action, code);
        let request = match action {
            "show" => TestRequest::get(&path),
            _ => TestRequest::post(&path, json!({})),
        };
        self.app.call(request.cookie(cookie)).await
    }
}

fn decision_path(action: &str, code: &str) -> String {
    let pattern = match action {
        "show" => paths::DEVICE_AUTHORIZATION,
        "approve" => paths::DEVICE_AUTHORIZATION_APPROVE,
        _ => paths::DEVICE_AUTHORIZATION_DENY,
    };
    pattern.replace("{user_code}", code)
}

/// A JSON POST with neither cookie nor CSRF header, to the host the device was given.
fn device_post(path: &str, body: Value) -> TestRequest {
    TestRequest::post(path, body)
        .without_header(app::paths::CSRF_HEADER)
        .header("host", HOST)
}

fn code(started: &Value) -> String {
    started["user_code"].as_str().unwrap().to_owned()
}

fn assert_error(response: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(response.status, status, "{}", response.text);
    assert_eq!(response.error_code(), code, "{}", response.text);
}

on_both_databases!(
    an_approved_device_gets_a_token_of_the_approver_once,
    |engine: Engine| async move {
        let device = Device::new(engine).await;
        let started = device.started().await;
        let user_code = code(&started);
        assert_eq!(user_code.len(), 9, "{user_code}");
        assert_eq!(&user_code[4..5], "-");
        assert!(
            user_code
                .replace('-', "")
                .chars()
                .all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c)),
            "{user_code}"
        );
        assert_eq!(started["verification_uri"], "http://192.0.2.10:8080/device");
        assert_eq!(
            started["verification_uri_complete"],
            format!("http://192.0.2.10:8080/device?code={user_code}")
        );
        assert_eq!(started["expires_in"], 600);
        assert_eq!(started["interval"], 5);
        let row = device.row().await;
        let device_code = started["device_code"].as_str().unwrap();
        assert_ne!(row.device_code_hash, device_code, "only a hash is stored");
        assert!(!row.user_code_hash.contains(&user_code.replace('-', "")));

        assert_error(
            &device.poll(&started).await,
            StatusCode::BAD_REQUEST,
            "authorization_pending",
        );

        // The page finds the code however it is typed.
        let typed = user_code.replace('-', " ").to_lowercase();
        let shown = device
            .page_call("show", &typed.replace(' ', ""), &device.alice)
            .await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert_eq!(shown.body["user_code"], user_code.as_str());
        assert_eq!(shown.body["device_name"], "ferry-desktop on build-box");
        assert_eq!(shown.body["state"], "pending");
        assert!(shown.body.get("device_code").is_none());

        let approved = device.page_call("approve", &user_code, &device.alice).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        assert_eq!(approved.body["state"], "approved");

        let granted = device.poll_later(&started).await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);
        let token = granted.body["token"].as_str().unwrap();
        assert!(token.starts_with("ferry_pat_"));
        assert_eq!(
            granted.body["details"]["name"],
            "ferry-desktop on build-box"
        );
        let expires: chrono::DateTime<Utc> =
            serde_json::from_value(granted.body["details"]["expires_at"].clone()).unwrap();
        assert!(expires > Utc::now() + Duration::days(89));

        // The token is alice's, listed with her others.
        let mine = device
            .app
            .call(TestRequest::get(paths::ME_TOKENS).bearer(token))
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
        assert_eq!(mine.body[0]["name"], "ferry-desktop on build-box");
        let listed = device
            .app
            .call(TestRequest::get(paths::ME_TOKENS).cookie(&device.alice))
            .await;
        assert_eq!(listed.body.as_array().unwrap().len(), 1);

        // Single use: no second token, and no second decision.
        assert_error(
            &device.poll_later(&started).await,
            StatusCode::BAD_REQUEST,
            "expired_token",
        );
        let again = device.page_call("deny", &user_code, &device.alice).await;
        assert_error(&again, StatusCode::CONFLICT, "conflict");
        let listed = device
            .app
            .call(TestRequest::get(paths::ME_TOKENS).cookie(&device.alice))
            .await;
        assert_eq!(listed.body.as_array().unwrap().len(), 1);
    }
);

on_both_databases!(
    polling_too_often_slows_the_device_down,
    |engine: Engine| async move {
        let device = Device::new(engine).await;
        let started = device.started().await;
        assert_error(
            &device.poll(&started).await,
            StatusCode::BAD_REQUEST,
            "authorization_pending",
        );
        assert_error(
            &device.poll(&started).await,
            StatusCode::BAD_REQUEST,
            "slow_down",
        );
        assert_eq!(device.row().await.interval_secs, 10, "5 seconds more");
        assert_error(
            &device.poll_later(&started).await,
            StatusCode::BAD_REQUEST,
            "authorization_pending",
        );
    }
);

on_both_databases!(a_denied_device_gets_no_token, |engine: Engine| async move {
    let device = Device::new(engine).await;
    let started = device.started().await;
    let denied = device
        .page_call("deny", &code(&started), &device.alice)
        .await;
    assert_eq!(denied.status, StatusCode::OK, "{}", denied.text);
    assert_eq!(denied.body["state"], "denied");
    assert_error(
        &device.poll(&started).await,
        StatusCode::BAD_REQUEST,
        "access_denied",
    );
    let approve = device
        .page_call("approve", &code(&started), &device.alice)
        .await;
    assert_error(&approve, StatusCode::CONFLICT, "conflict");
    let listed = device
        .app
        .call(TestRequest::get(paths::ME_TOKENS).cookie(&device.alice))
        .await;
    assert_eq!(listed.body, json!([]));
});

on_both_databases!(
    expired_and_unknown_codes_are_refused,
    |engine: Engine| async move {
        let device = Device::new(engine).await;
        let started = device.started().await;
        device_authorizations::Entity::update_many()
            .col_expr(
                device_authorizations::Column::ExpiresAt,
                Expr::value(Utc::now() - Duration::seconds(1)),
            )
            .exec(&device.app.state.db)
            .await
            .unwrap();
        assert_error(
            &device.poll(&started).await,
            StatusCode::BAD_REQUEST,
            "expired_token",
        );
        let shown = device
            .page_call("show", &code(&started), &device.alice)
            .await;
        assert_eq!(shown.body["state"], "expired", "{}", shown.text);
        let approve = device
            .page_call("approve", &code(&started), &device.alice)
            .await;
        assert_error(&approve, StatusCode::GONE, "gone");
        assert!(
            device
                .app
                .call(TestRequest::get(paths::ME_TOKENS).cookie(&device.alice))
                .await
                .body
                .as_array()
                .unwrap()
                .is_empty()
        );

        let unknown = device
            .poll(&json!({ "device_code": "not-a-code-this-server-made" }))
            .await;
        assert_error(&unknown, StatusCode::BAD_REQUEST, "expired_token");
        let missing = device.page_call("show", "BCDF-GHJK", &device.alice).await;
        let missing = if code(&started) == "BCDF-GHJK" {
            device.page_call("show", "ZZZZ-ZZZZ", &device.alice).await
        } else {
            missing
        };
        assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
        let malformed = device.page_call("show", "ABCD-EFGH", &device.alice).await;
        assert_error(&malformed, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            malformed.message().contains("8 letters"),
            "{}",
            malformed.text
        );

        // A day after expiry, housekeeping forgets the code.
        let purged = ferry_server::services::devices::purge_expired(
            &device.app.state.db,
            Utc::now() + Duration::days(2),
        )
        .await
        .unwrap();
        assert_eq!(purged, 1);
    }
);

on_both_databases!(
    only_a_signed_in_person_decides,
    |engine: Engine| async move {
        let device = Device::new(engine).await;
        let started = device.started().await;
        let user_code = code(&started);
        let path = decision_path("approve", &user_code);

        let anonymous = device.app.call(TestRequest::post(&path, json!({}))).await;
        assert_error(&anonymous, StatusCode::UNAUTHORIZED, "unauthenticated");
        let forged = device
            .app
            .call(
                TestRequest::post(&path, json!({}))
                    .cookie(&device.alice)
                    .without_header(app::paths::CSRF_HEADER),
            )
            .await;
        assert_error(&forged, StatusCode::FORBIDDEN, "cross_site_request");

        let created = device
            .app
            .call(
                TestRequest::post(paths::ME_TOKENS, json!({ "name": "script" }))
                    .cookie(&device.alice),
            )
            .await;
        let token = created.body["token"].as_str().unwrap();
        for action in ["show", "approve", "deny"] {
            let request = match action {
                "show" => TestRequest::get(&decision_path(action, &user_code)),
                _ => TestRequest::post(&decision_path(action, &user_code), json!({})),
            };
            let by_token = device.app.call(request.bearer(token)).await;
            assert_error(&by_token, StatusCode::FORBIDDEN, "forbidden");
        }
        assert_eq!(
            device.row().await.state,
            device_authorizations::State::Pending
        );
    }
);

on_both_databases!(
    device_names_are_checked_and_starting_is_throttled,
    |engine: Engine| async move {
        let device = Device::new(engine).await;
        for bad in ["", "  ", "two\nlines", &"x".repeat(101)] {
            let response = device.start(bad).await;
            assert_error(&response, StatusCode::BAD_REQUEST, "bad_request");
            assert!(
                response.message().contains("device name"),
                "{}",
                response.text
            );
        }
        let peer: std::net::SocketAddr = "203.0.113.9:40000".parse().unwrap();
        let router = device.app.web.clone().layer(MockConnectInfo(peer));
        let start = || {
            device_post(
                paths::DEVICE_AUTHORIZATIONS,
                json!({ "device_name": "laptop" }),
            )
        };
        for _ in 0..ferry_server::services::devices::MAX_STARTS_PER_ADDRESS {
            let response = send(&router, start()).await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        }
        let refused = send(&router, start()).await;
        assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
        assert!(refused.headers.contains_key("retry-after"));
        let other: std::net::SocketAddr = "203.0.113.10:40000".parse().unwrap();
        let elsewhere = send(
            &device.app.web.clone().layer(MockConnectInfo(other)),
            start(),
        )
        .await;
        assert_eq!(
            elsewhere.status,
            StatusCode::OK,
            "another address is not refused"
        );
    }
);

on_both_databases!(
    the_approval_link_uses_the_public_url_or_a_known_host,
    |engine: Engine| async move {
        let device = Device::new(engine).await;
        let strange = device
            .app
            .call(
                TestRequest::post(
                    paths::DEVICE_AUTHORIZATIONS,
                    json!({ "device_name": "laptop" }),
                )
                .without_header(app::paths::CSRF_HEADER)
                .header("host", "evil.example"),
            )
            .await;
        assert_error(
            &strange,
            StatusCode::MISDIRECTED_REQUEST,
            "misdirected_request",
        );

        let app = TestApp::start_with(engine, |args| {
            args.public_url = Some("https://ferry.example.com/".into());
        })
        .await;
        let device = Device::with(app).await;
        let started = device.started().await;
        assert_eq!(
            started["verification_uri"],
            "https://ferry.example.com/device"
        );
    }
);

on_both_databases!(
    guessing_codes_is_throttled_per_user,
    |engine: Engine| async move {
        let device = Device::new(engine).await;
        let started = device.started().await;
        let guesses = ["BCDF-GHJK", "ZZZZ-ZZZZ"]
            .into_iter()
            .find(|guess| *guess != code(&started))
            .unwrap();
        for _ in 0..ferry_server::services::devices::MAX_LOOKUPS_PER_USER {
            let miss = device.page_call("show", guesses, &device.alice).await;
            assert_error(&miss, StatusCode::NOT_FOUND, "not_found");
        }
        let refused = device
            .page_call("approve", &code(&started), &device.alice)
            .await;
        assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
        assert_eq!(
            device.row().await.state,
            device_authorizations::State::Pending
        );

        // Another person is not held back by alice's guesses.
        device
            .app
            .create_user("bob", PASSWORD, app::types::Role::User)
            .await;
        let bob = device.app.sign_in("bob", PASSWORD).await;
        let approved = device.page_call("approve", &code(&started), &bob).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    }
);
