//! Sign-in throttling per account and address, per address, and (slowing, never refusing) per
//! account, kept in the database, on a fresh SQLite and a fresh PostgreSQL database.

use std::net::SocketAddr;

use app::{paths, types::Role};
use axum::{extract::connect_info::MockConnectInfo, http::StatusCode, http::header};
use ferry_server::{
    auth::throttle::{
        MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, WINDOW, delay_for, unlock,
    },
    db::entities::login_throttle,
};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::{
    common::{self, ADMIN_PASSWORD, Engine, TestApp, TestRequest, TestResponse},
    on_both_databases,
};

const OFFICE: &str = "203.0.113.9:50000";
const HOME: &str = "198.51.100.7:50000";

/// Signs in as a client connected from `from`.
async fn sign_in_from(app: &TestApp, from: &str, username: &str, password: &str) -> TestResponse {
    let peer: SocketAddr = from.parse().expect("a socket address");
    let router = app.web.clone().layer(MockConnectInfo(peer));
    let request = TestRequest::post(
        paths::SESSION,
        json!({ "username": username, "password": password }),
    );
    common::send(&router, request).await
}

fn assert_throttled(response: &TestResponse) {
    assert_eq!(
        response.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        response.text
    );
    assert_eq!(response.error_code(), "too_many_requests");
    let retry_after: i64 = response.headers[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|value| value.parse().ok())
        .expect("Retry-After in seconds");
    assert!(
        (1..=WINDOW.num_seconds()).contains(&retry_after),
        "{retry_after}"
    );
    assert!(response.cookie().is_none());
}

/// Fails `times` sign-ins of `username`, each answered 401.
async fn fail(app: &TestApp, from: &str, username: &str, times: i32) {
    for _ in 0..times {
        let response = sign_in_from(app, from, username, "not-the-password").await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{}",
            response.text
        );
    }
}

on_both_databases!(
    five_failures_lock_one_address_out_of_the_account_but_not_the_owner,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        // The counter ignores the case of the username.
        for name in ["admin", "Admin", "ADMIN", "admin", "aDmin"] {
            fail(&app, OFFICE, name, 1).await;
        }
        let right = sign_in_from(&app, OFFICE, "admin", ADMIN_PASSWORD).await;
        assert_throttled(&right);
        // The owner, elsewhere, still signs in with the right password.
        let owner = sign_in_from(&app, HOME, "admin", ADMIN_PASSWORD).await;
        assert_eq!(owner.status, StatusCode::OK, "{}", owner.text);
        // A client with no known address has a counter of its own.
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            let wrong = app
                .call(TestRequest::post(
                    paths::SESSION,
                    json!({ "username": "admin", "password": "not-the-password" }),
                ))
                .await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        }
        let no_address = app
            .call(TestRequest::post(
                paths::SESSION,
                json!({ "username": "admin", "password": ADMIN_PASSWORD }),
            ))
            .await;
        assert_throttled(&no_address);
        assert_eq!(MAX_FAILURES_PER_ACCOUNT, 5);
    }
);

on_both_databases!(
    guesses_spread_over_many_addresses_are_slowed_and_the_owner_still_gets_in,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        for n in 0..8 {
            fail(&app, &format!("192.0.2.{n}:1000"), "admin", 1).await;
        }
        let everywhere = login_throttle::Entity::find_by_id("account:admin")
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(everywhere.failures, 8, "counted across addresses");
        assert!(
            !delay_for(everywhere.failures + 1).is_zero(),
            "the next attempt waits"
        );
        let owner = sign_in_from(&app, HOME, "admin", ADMIN_PASSWORD).await;
        assert_eq!(owner.status, StatusCode::OK, "{}", owner.text);
        let cleared = login_throttle::Entity::find_by_id("account:admin")
            .one(&app.state.db)
            .await
            .unwrap();
        assert!(
            cleared.is_none(),
            "the owner's sign-in clears the account's counter"
        );
    }
);

on_both_databases!(
    an_operator_unlocks_an_account_from_every_address,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        fail(&app, OFFICE, "admin", MAX_FAILURES_PER_ACCOUNT).await;
        fail(&app, HOME, "Admin", MAX_FAILURES_PER_ACCOUNT).await;
        assert_throttled(&sign_in_from(&app, OFFICE, "admin", ADMIN_PASSWORD).await);
        let cleared = unlock(&app.state.db, "ADMIN").await.unwrap();
        assert_eq!(cleared, 3, "the account's counter and one per address");
        for from in [OFFICE, HOME] {
            let right = sign_in_from(&app, from, "admin", ADMIN_PASSWORD).await;
            assert_eq!(right.status, StatusCode::OK, "{}", right.text);
        }
    }
);

on_both_databases!(
    unknown_users_are_throttled_the_same_way,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        fail(&app, OFFICE, "nobody", MAX_FAILURES_PER_ACCOUNT).await;
        fail(&app, OFFICE, "admin", MAX_FAILURES_PER_ACCOUNT).await;
        let unknown = sign_in_from(&app, OFFICE, "nobody", "not-the-password").await;
        let known = sign_in_from(&app, OFFICE, "admin", "not-the-password").await;
        assert_throttled(&unknown);
        assert_throttled(&known);
        assert_eq!(unknown.body, known.body);
    }
);

on_both_databases!(
    a_successful_sign_in_clears_the_account_counter,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        fail(&app, OFFICE, "admin", MAX_FAILURES_PER_ACCOUNT - 1).await;
        let right = sign_in_from(&app, OFFICE, "admin", ADMIN_PASSWORD).await;
        assert_eq!(right.status, StatusCode::OK);
        fail(&app, OFFICE, "admin", MAX_FAILURES_PER_ACCOUNT).await;
        assert_throttled(&sign_in_from(&app, OFFICE, "admin", ADMIN_PASSWORD).await);
    }
);

on_both_databases!(
    an_address_is_refused_after_twenty_failures_across_usernames,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        for n in 0..MAX_FAILURES_PER_ADDRESS {
            fail(&app, OFFICE, &format!("guess{n}"), 1).await;
        }
        assert_throttled(&sign_in_from(&app, OFFICE, "admin", ADMIN_PASSWORD).await);
        let elsewhere = sign_in_from(&app, HOME, "admin", ADMIN_PASSWORD).await;
        assert_eq!(
            elsewhere.status,
            StatusCode::OK,
            "other addresses are unaffected"
        );
        let mapped = sign_in_from(&app, "[::ffff:203.0.113.9]:1", "admin", ADMIN_PASSWORD).await;
        assert_throttled(&mapped);
    }
);

on_both_databases!(
    successful_sign_ins_do_not_use_up_an_address,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        app.create_user("bob", "a-user-password", Role::User).await;
        for _ in 0..MAX_FAILURES_PER_ADDRESS + 2 {
            let ok = sign_in_from(&app, OFFICE, "bob", "a-user-password").await;
            assert_eq!(ok.status, StatusCode::OK);
        }
    }
);

on_both_databases!(
    counters_start_over_when_the_window_ends,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        fail(&app, OFFICE, "admin", MAX_FAILURES_PER_ACCOUNT).await;
        assert_throttled(&sign_in_from(&app, OFFICE, "admin", ADMIN_PASSWORD).await);
        for key in [
            "account:admin",
            "account:admin|address:203.0.113.9",
            "address:203.0.113.9",
        ] {
            let row = login_throttle::Entity::find_by_id(key)
                .one(&app.state.db)
                .await
                .unwrap()
                .unwrap();
            let mut row: login_throttle::ActiveModel = row.into();
            row.window_started_at = Set(chrono::Utc::now() - WINDOW - chrono::Duration::seconds(1));
            row.update(&app.state.db).await.unwrap();
        }
        fail(&app, OFFICE, "admin", 1).await;
        let counter = login_throttle::Entity::find_by_id("account:admin|address:203.0.113.9")
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(counter.failures, 1, "a new window");
        let right = sign_in_from(&app, OFFICE, "admin", ADMIN_PASSWORD).await;
        assert_eq!(right.status, StatusCode::OK, "{}", right.text);
    }
);

on_both_databases!(
    wrong_current_passwords_count_against_the_account,
    |engine: Engine| async move {
        let app = TestApp::start(engine).await;
        let admin = app.sign_in("admin", ADMIN_PASSWORD).await;
        let change = |current: &str| {
            TestRequest::put(
                paths::ME_PASSWORD,
                json!({ "current_password": current, "new_password": "a-new-password" }),
            )
            .cookie(&admin)
        };
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            let wrong = app.call(change("a-wrong-guess")).await;
            assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        }
        assert_throttled(&app.call(change(ADMIN_PASSWORD)).await);
    }
);

on_both_databases!(
    behind_a_trusted_proxy_each_forwarded_client_has_its_own_counter,
    |engine: Engine| async move {
        let proxy = "10.0.0.2:40000";
        let app = TestApp::start_with(engine, |args| {
            args.trusted_proxies = Some("10.0.0.2".into());
        })
        .await;
        let through_proxy = |client: &'static str| {
            let peer: SocketAddr = proxy.parse().expect("a socket address");
            let router = app.web.clone().layer(MockConnectInfo(peer));
            async move {
                let request = TestRequest::post(
                    paths::SESSION,
                    json!({ "username": format!("nobody{}", rand_suffix()), "password": "not-the-password" }),
                )
                .header("x-forwarded-for", client);
                common::send(&router, request).await
            }
        };
        for _ in 0..MAX_FAILURES_PER_ADDRESS {
            let response = through_proxy("203.0.113.50").await;
            assert_eq!(
                response.status,
                StatusCode::UNAUTHORIZED,
                "{}",
                response.text
            );
        }
        assert_throttled(&through_proxy("203.0.113.50").await);
        // Another client behind the same proxy is not locked out with it.
        let other = through_proxy("203.0.113.51").await;
        assert_eq!(other.status, StatusCode::UNAUTHORIZED, "{}", other.text);
    }
);

/// A different username each time, so only the address counter can throttle.
fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

on_both_databases!(closed_windows_are_purged, |engine: Engine| async move {
    let app = TestApp::start(engine).await;
    fail(&app, OFFICE, "admin", 2).await;
    let db = &app.state.db;
    let count = || async { login_throttle::Entity::find().all(db).await.unwrap().len() };
    assert_eq!(
        count().await,
        3,
        "the account's, the account-and-address and the address counters"
    );
    let now = chrono::Utc::now();
    ferry_server::auth::throttle::purge_closed(db, now)
        .await
        .unwrap();
    assert_eq!(count().await, 3, "open windows stay");
    ferry_server::auth::throttle::purge_closed(db, now + WINDOW + WINDOW)
        .await
        .unwrap();
    assert_eq!(count().await, 0);
});
