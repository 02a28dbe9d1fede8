//! In-app notifications and their outbox rows: who is told of a package sent, of a recipient's
//! complete download and of expiry; marking read; the email preferences; the outbox written in the
//! event's own transaction; the admins' view of undelivered mail.
use app::paths;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use ferry_server::{
    cli::ServeArgs,
    db::entities::{mail_outbox, notifications, package_files, packages},
    services::{expiration, packages as package_service},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    common::{Engine, TestRequest},
    on_both_databases,
    sending::{Sent, data},
};

const PUBLIC_URL: &str = "https://ferry.example.test/";

/// Email on, through an SMTP server nobody needs to reach here (the worker is not run).
fn with_email(args: &mut ServeArgs) {
    args.smtp_host = Some("127.0.0.1".into());
    args.smtp_port = Some("9".into());
    args.smtp_tls = Some("none".into());
    args.smtp_from = Some("Ferry <ferry@example.test>".into());
    args.public_url = Some(PUBLIC_URL.into());
}

fn two_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![("a.bin", data(3000, 1)), ("b.bin", data(10, 2))]
}

async fn unread(sent: &Sent, cookie: &str) -> u64 {
    let response = sent
        .app
        .call(TestRequest::get(paths::ME_NOTIFICATIONS_UNREAD).cookie(cookie))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response.body["unread"].as_u64().unwrap()
}

async fn list(sent: &Sent, cookie: &str) -> Vec<Value> {
    let response = sent
        .app
        .call(TestRequest::get(paths::ME_NOTIFICATIONS).cookie(cookie))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response.body["items"].as_array().unwrap().clone()
}

async fn outbox(sent: &Sent) -> Vec<mail_outbox::Model> {
    mail_outbox::Entity::find()
        .all(&sent.app.state.db)
        .await
        .unwrap()
}

/// bob downloads every file of the first package.
async fn bob_downloads_everything(sent: &Sent) {
    let token = sent.token(&sent.bob).await;
    for (id, bytes) in &sent.files {
        let (status, _, body) = sent.get_bytes(&token, *id, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&body, bytes);
    }
    sent.settled().await;
}

on_both_databases!(
    a_sent_package_notifies_its_recipients_only,
    |engine: Engine| async move {
        let sent = Sent::new_with(
            engine,
            with_email,
            &["bob", "carol"],
            Value::Null,
            &two_files(),
        )
        .await;
        for (cookie, expected) in [
            (&sent.bob, 1),
            (&sent.carol, 1),
            (&sent.alice, 0),
            (&sent.dave, 0),
            (&sent.admin, 0),
        ] {
            assert_eq!(unread(&sent, cookie).await, expected);
        }
        let items = list(&sent, &sent.bob).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["kind"], "package_received");
        assert_eq!(items[0]["package_id"], sent.package);
        assert_eq!(items[0]["package_title"], "Drawings");
        assert_eq!(items[0]["actor_name"], "alice");
        assert_eq!(items[0]["read_at"], Value::Null);

        let mails = outbox(&sent).await;
        let mut to: Vec<&str> = mails.iter().map(|m| m.to_address.as_str()).collect();
        to.sort_unstable();
        assert_eq!(to, ["bob@example.test", "carol@example.test"]);
        for mail in &mails {
            assert_eq!(mail.state, mail_outbox::State::Pending);
            assert_eq!(mail.subject, "alice sent you a package: Drawings");
            let link = format!("{PUBLIC_URL}packages/{}", sent.package);
            assert!(mail.text_body.contains(&link), "{}", mail.text_body);
            assert!(
                mail.html_body.contains(&format!("href=\"{link}\"")),
                "{}",
                mail.html_body
            );
        }
    }
);

on_both_databases!(
    marking_read_is_for_the_owner_and_lowers_the_count,
    |engine: Engine| async move {
        let sent = Sent::new(engine, &["bob"], Value::Null, &two_files()).await;
        sent.send(&["bob"], Value::Null, &two_files()).await;
        assert_eq!(unread(&sent, &sent.bob).await, 2);
        let items = list(&sent, &sent.bob).await;
        let newest = items[0]["id"].as_i64().unwrap();
        let mark = |cookie: &str, id: i64| {
            TestRequest::post(&paths::with_id(paths::ME_NOTIFICATION_READ, id), json!({}))
                .cookie(cookie)
        };

        // Someone else's notification does not exist for them.
        let refused = sent.app.call(mark(&sent.dave, newest)).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let without_csrf = sent
            .app
            .call(mark(&sent.bob, newest).without_header(paths::CSRF_HEADER))
            .await;
        assert_eq!(without_csrf.status, StatusCode::FORBIDDEN);
        assert_eq!(unread(&sent, &sent.bob).await, 2);

        let done = sent.app.call(mark(&sent.bob, newest)).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
        let again = sent.app.call(mark(&sent.bob, newest)).await;
        assert_eq!(again.status, StatusCode::NO_CONTENT);
        assert_eq!(unread(&sent, &sent.bob).await, 1);
        let items = list(&sent, &sent.bob).await;
        assert_ne!(items[0]["read_at"], Value::Null);
        assert_eq!(items[1]["read_at"], Value::Null);

        let all = sent
            .app
            .call(TestRequest::post(paths::ME_NOTIFICATIONS_READ_ALL, json!({})).cookie(&sent.bob))
            .await;
        assert_eq!(all.status, StatusCode::NO_CONTENT);
        assert_eq!(unread(&sent, &sent.bob).await, 0);

        let bad_page = sent
            .app
            .call(
                TestRequest::get(&format!("{}?page=0", paths::ME_NOTIFICATIONS)).cookie(&sent.bob),
            )
            .await;
        assert_eq!(bad_page.status, StatusCode::BAD_REQUEST);
        let anonymous = sent
            .app
            .call(TestRequest::get(paths::ME_NOTIFICATIONS_UNREAD))
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
);

on_both_databases!(
    a_complete_download_notifies_the_sender_once,
    |engine: Engine| async move {
        let sent = Sent::new_with(
            engine,
            with_email,
            &["bob", "carol"],
            Value::Null,
            &two_files(),
        )
        .await;
        let token = sent.token(&sent.bob).await;
        sent.get(&token, sent.files[0].0, &[]).await;
        sent.settled().await;
        assert_eq!(
            unread(&sent, &sent.alice).await,
            0,
            "one file of two is not the package"
        );

        bob_downloads_everything(&sent).await;
        bob_downloads_everything(&sent).await; // again: no second notification
        let items = list(&sent, &sent.alice).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["kind"], "package_downloaded");
        assert_eq!(items[0]["actor_name"], "bob");
        assert_eq!(items[0]["package_id"], sent.package);
        for cookie in [&sent.bob, &sent.carol, &sent.dave] {
            assert_eq!(
                unread(&sent, cookie).await,
                if *cookie == sent.dave { 0 } else { 1 }
            );
        }
        // alice did not ask for download emails (the default): only the two arrival mails exist.
        assert_eq!(outbox(&sent).await.len(), 2);

        // The sender downloading is not a recipient's download.
        let alice_token = sent.token(&sent.alice).await;
        for (id, _) in &sent.files {
            sent.get(&alice_token, *id, &[]).await;
        }
        sent.settled().await;
        assert_eq!(list(&sent, &sent.alice).await.len(), 1);
    }
);

on_both_databases!(
    email_preferences_decide_which_events_are_mailed,
    |engine: Engine| async move {
        let sent = Sent::new_with(engine, with_email, &["bob"], Value::Null, &two_files()).await;
        let prefs = sent
            .app
            .call(TestRequest::get(paths::ME_PREFERENCES).cookie(&sent.alice))
            .await;
        assert_eq!(prefs.body["email_on_receive"], true);
        assert_eq!(prefs.body["email_on_download"], false);
        assert_eq!(prefs.body["email_available"], true);

        let set = |cookie: &str, body: Value| {
            TestRequest::put(paths::ME_PREFERENCES, body).cookie(cookie)
        };
        let saved = sent
            .app
            .call(set(
                &sent.alice,
                json!({ "desktop_client_disabled": false, "email_on_download": true }),
            ))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
        assert_eq!(saved.body["email_on_download"], true);
        assert_eq!(saved.body["email_on_receive"], true, "absent: unchanged");
        let saved = sent
            .app
            .call(set(
                &sent.carol,
                json!({ "desktop_client_disabled": false, "email_on_receive": false }),
            ))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);

        let before = outbox(&sent).await.len();
        bob_downloads_everything(&sent).await;
        let mails = outbox(&sent).await;
        assert_eq!(mails.len(), before + 1);
        let receipt = mails.last().unwrap();
        assert_eq!(receipt.to_address, "alice@example.test");
        assert_eq!(receipt.subject, "bob downloaded your package: Drawings");

        // carol opted out of arrival mail: in-app only.
        let (second, _) = sent
            .send(&["bob", "carol"], Value::Null, &two_files())
            .await;
        assert_eq!(unread(&sent, &sent.carol).await, 1);
        let to: Vec<String> = outbox(&sent)
            .await
            .into_iter()
            .skip(before + 1)
            .map(|m| m.to_address)
            .collect();
        assert_eq!(to, ["bob@example.test"], "package {second}");
    }
);

on_both_databases!(
    expiry_notifies_the_sender_in_the_app,
    |engine: Engine| async move {
        let policy = json!({ "kind": "after_days", "days": 2 });
        let sent = Sent::new_with(engine, with_email, &["bob"], policy.clone(), &two_files()).await;
        let (by_admin, _) = sent.send(&["bob"], policy, &two_files()).await;
        assert_eq!(
            sent.admin_delete_files(by_admin).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            unread(&sent, &sent.alice).await,
            0,
            "an admin's deletion is not expiry"
        );

        let mails_before = outbox(&sent).await.len();
        let later = Utc::now() + Duration::days(3);
        assert_eq!(expiration::apply(&sent.app.state, later).await.unwrap(), 1);
        assert_eq!(expiration::apply(&sent.app.state, later).await.unwrap(), 0);
        let items = list(&sent, &sent.alice).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["kind"], "files_expired");
        assert_eq!(items[0]["package_id"], sent.package);
        assert_eq!(unread(&sent, &sent.bob).await, 2, "only the two arrivals");
        assert_eq!(
            outbox(&sent).await.len(),
            mails_before,
            "expiry is not emailed"
        );
    }
);

on_both_databases!(
    the_outbox_is_written_in_the_sending_transaction,
    |engine: Engine| async move {
        let sent = Sent::new_with(engine, with_email, &["bob"], Value::Null, &two_files()).await;
        let db = &sent.app.state.db;
        let mail = sent.app.state.config.mail.as_ref();
        let draft = sent.draft(&["bob", "carol"], Value::Null).await;
        let now = Utc::now();
        package_files::Entity::insert(package_files::ActiveModel {
            package_id: sea_orm::Set(draft),
            name: sea_orm::Set("x.bin".into()),
            size: sea_orm::Set(1),
            state: sea_orm::Set(package_files::State::Complete),
            storage_key: sea_orm::Set("k".repeat(64)),
            created_at: sea_orm::Set(now),
            completed_at: sea_orm::Set(Some(now)),
            ..Default::default()
        })
        .exec(db)
        .await
        .unwrap();
        let counts = || async {
            let notes = notifications::Entity::find()
                .filter(notifications::Column::PackageId.eq(draft))
                .all(db)
                .await
                .unwrap()
                .len();
            let mails = outbox(&sent).await.len();
            (notes, mails)
        };
        let before_mails = outbox(&sent).await.len();

        // Rolled back: not sent, and no event and no mail either.
        let txn = db.begin().await.unwrap();
        assert!(
            package_service::send_if_all_files_complete(&txn, mail, draft, now)
                .await
                .unwrap()
        );
        txn.rollback().await.unwrap();
        assert_eq!(counts().await, (0, before_mails));
        let row = packages::Entity::find_by_id(draft)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, packages::State::Draft);

        // Committed: sent, both recipients told, both mails queued, together.
        let txn = db.begin().await.unwrap();
        assert!(
            package_service::send_if_all_files_complete(&txn, mail, draft, now)
                .await
                .unwrap()
        );
        txn.commit().await.unwrap();
        assert_eq!(counts().await, (2, before_mails + 2));
    }
);

on_both_databases!(
    without_smtp_nothing_is_mailed_and_nothing_fails,
    |engine: Engine| async move {
        let sent = Sent::new(engine, &["bob"], Value::Null, &two_files()).await;
        assert_eq!(unread(&sent, &sent.bob).await, 1);
        assert!(outbox(&sent).await.is_empty());
        let prefs = sent
            .app
            .call(TestRequest::get(paths::ME_PREFERENCES).cookie(&sent.bob))
            .await;
        assert_eq!(prefs.body["email_available"], false);
        let report = sent
            .app
            .call(TestRequest::get(paths::ADMIN_MAIL).cookie(&sent.admin))
            .await;
        assert_eq!(report.status, StatusCode::OK);
        assert_eq!(report.body["email_enabled"], false);
    }
);

on_both_databases!(admins_see_undelivered_mail, |engine: Engine| async move {
    let sent = Sent::new_with(
        engine,
        with_email,
        &["bob", "carol"],
        Value::Null,
        &two_files(),
    )
    .await;
    let refused = sent
        .app
        .call(TestRequest::get(paths::ADMIN_MAIL).cookie(&sent.bob))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // One mail gave up after its last attempt.
    let first = outbox(&sent).await[0].id;
    mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::State,
            Expr::value(mail_outbox::State::Failed),
        )
        .col_expr(
            mail_outbox::Column::LastError,
            Expr::value("connection refused"),
        )
        .filter(mail_outbox::Column::Id.eq(first))
        .exec(&sent.app.state.db)
        .await
        .unwrap();
    let report = sent
        .app
        .call(TestRequest::get(paths::ADMIN_MAIL).cookie(&sent.admin))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert_eq!(report.body["email_enabled"], true);
    assert_eq!(report.body["pending"], 1);
    assert_eq!(report.body["failed"], 1);
    let items = report.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let failed = items.iter().find(|m| m["id"] == first).unwrap();
    assert_eq!(failed["last_error"], "connection refused");
    assert!(failed.get("text_body").is_none(), "bodies stay private");
});
