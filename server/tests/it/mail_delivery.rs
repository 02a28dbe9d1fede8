//! Notification emails through a real SMTP server (aiosmtpd on loopback, see `mail/mod.rs`): the
//! right people get the right mails with links under the public URL; hostile titles and names are
//! escaped and inject no header; a server that is down delays mail and loses none; two workers at
//! once send each mail once.
use app::paths;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use ferry_server::{
    cli::ServeArgs,
    db::entities::{mail_outbox, packages, users},
    services::mail::worker::{MailSender, Pass, deliver_due},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    common::{Engine, TestRequest},
    mail::{SmtpSink, free_port, header_values},
    on_both_databases,
    sending::{Sent, data},
};

const PUBLIC_URL: &str = "https://ferry.example.test/base/";

fn smtp_on(port: u16) -> impl FnOnce(&mut ServeArgs) {
    move |args| {
        args.smtp_host = Some("127.0.0.1".into());
        args.smtp_port = Some(port.to_string());
        args.smtp_tls = Some("none".into());
        args.smtp_from = Some("Ferry <ferry@example.test>".into());
        args.public_url = Some(PUBLIC_URL.into());
    }
}

fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![("a.bin", data(100, 1))]
}

fn sender(sent: &Sent) -> MailSender {
    MailSender::new(sent.app.state.config.mail.as_ref().unwrap()).unwrap()
}

async fn outbox(sent: &Sent) -> Vec<mail_outbox::Model> {
    mail_outbox::Entity::find()
        .all(&sent.app.state.db)
        .await
        .unwrap()
}

on_both_databases!(
    the_right_people_get_the_right_mails,
    |engine: Engine| async move {
        let sink = SmtpSink::start(free_port()).await;
        let sent = Sent::new_with(
            engine,
            smtp_on(sink.port),
            &["bob", "carol"],
            Value::Null,
            &files(),
        )
        .await;
        // alice's display name is hostile too (names may hold markup).
        let alice = users::Entity::find()
            .filter(users::Column::Username.eq("alice"))
            .one(&sent.app.state.db)
            .await
            .unwrap()
            .unwrap();
        let renamed = sent
            .app
            .call(
                TestRequest::patch(
                    &paths::with_id(paths::ADMIN_USER, alice.id),
                    json!({ "display_name": "Alice <b>&</b> Co" }),
                )
                .cookie(&sent.admin),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
        let draft = sent
            .draft_titled("<script>alert(1)</script>", &["bob"], Value::Null)
            .await;
        let (hostile, _) = sent.upload_all(draft, &files()).await;

        let pass = deliver_due(&sent.app.state.db, &sender(&sent), Utc::now())
            .await
            .unwrap();
        assert_eq!(
            pass,
            Pass {
                sent: 3,
                retrying: 0,
                failed: 0
            }
        );
        let messages = sink.messages();
        assert_eq!(messages.len(), 3);
        let to_bob: Vec<&Value> = messages
            .iter()
            .filter(|m| m["rcpt_tos"] == json!(["bob@example.test"]))
            .collect();
        let to_carol: Vec<&Value> = messages
            .iter()
            .filter(|m| m["rcpt_tos"] == json!(["carol@example.test"]))
            .collect();
        assert_eq!((to_bob.len(), to_carol.len()), (2, 1));
        for message in &messages {
            assert_eq!(message["mail_from"], "ferry@example.test");
            assert_eq!(
                header_values(message, "From"),
                ["Ferry <ferry@example.test>"]
            );
        }

        let plain = to_carol[0];
        assert_eq!(
            header_values(plain, "Subject"),
            ["alice sent you a package: Drawings"]
        );
        let link = format!("{PUBLIC_URL}packages/{}", sent.package);
        assert!(
            plain["text"].as_str().unwrap().contains(&link),
            "{}",
            plain["text"]
        );
        assert!(
            plain["html"]
                .as_str()
                .unwrap()
                .contains(&format!("href=\"{link}\"")),
            "{}",
            plain["html"]
        );

        let bad = to_bob
            .iter()
            .find(|m| {
                m["text"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/packages/{hostile}"))
            })
            .expect("the hostile package's mail");
        let html = bad["html"].as_str().unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("Alice &lt;b&gt;&amp;&lt;/b&gt; Co"), "{html}");
        assert_eq!(
            header_values(bad, "Subject"),
            ["Alice <b>&</b> Co sent you a package: <script>alert(1)</script>"]
        );
        sink.stop().await;
    }
);

on_both_databases!(
    line_breaks_in_a_title_inject_no_header,
    |engine: Engine| async move {
        let sink = SmtpSink::start(free_port()).await;
        let sent =
            Sent::new_with(engine, smtp_on(sink.port), &["bob"], Value::Null, &files()).await;
        let db = &sent.app.state.db;
        outbox_clear(&sent).await;
        // The API refuses control characters in titles; a row written some other way must still
        // be harmless.
        let draft = sent.draft(&["bob"], Value::Null).await;
        packages::Entity::update_many()
            .col_expr(
                packages::Column::Title,
                Expr::value("Report\r\nBcc: mallory@evil.test\r\nX-Injected: yes\n\nbody"),
            )
            .filter(packages::Column::Id.eq(draft))
            .exec(db)
            .await
            .unwrap();
        sent.upload_all(draft, &files()).await;
        let pass = deliver_due(db, &sender(&sent), Utc::now()).await.unwrap();
        assert_eq!(pass.sent, 1);
        let messages = sink.messages();
        assert_eq!(messages.len(), 1);
        let message = &messages[0];
        assert_eq!(message["rcpt_tos"], json!(["bob@example.test"]));
        assert!(header_values(message, "Bcc").is_empty());
        assert!(header_values(message, "X-Injected").is_empty());
        assert_eq!(
            header_values(message, "Subject"),
            ["alice sent you a package: Report Bcc: mallory@evil.test X-Injected: yes body"]
        );
        sink.stop().await;
    }
);

/// Marks every queued mail sent, so a test starts from an empty queue.
async fn outbox_clear(sent: &Sent) {
    mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::State,
            Expr::value(mail_outbox::State::Sent),
        )
        .exec(&sent.app.state.db)
        .await
        .unwrap();
}

on_both_databases!(
    a_server_that_is_down_delays_mail_and_loses_none,
    |engine: Engine| async move {
        let port = free_port();
        let sent = Sent::new_with(
            engine,
            smtp_on(port),
            &["bob", "carol"],
            Value::Null,
            &files(),
        )
        .await;
        let db = &sent.app.state.db;
        let worker = sender(&sent);
        let now = Utc::now();

        // Down: both stay pending, with the error and a later attempt time.
        let pass = deliver_due(db, &worker, now).await.unwrap();
        assert_eq!(
            pass,
            Pass {
                sent: 0,
                retrying: 2,
                failed: 0
            }
        );
        for mail in outbox(&sent).await {
            assert_eq!(mail.state, mail_outbox::State::Pending);
            assert_eq!(mail.attempts, 1);
            assert!(mail.last_error.as_deref().is_some_and(|e| !e.is_empty()));
            assert!(mail.next_attempt_at > now, "retried later, not at once");
            assert!(mail.claimed_until.is_none(), "the claim is released");
        }
        let report = sent
            .app
            .call(TestRequest::get(paths::ADMIN_MAIL).cookie(&sent.admin))
            .await;
        assert_eq!(report.body["pending"], 2);
        assert!(report.body["items"][0]["last_error"].is_string());

        // Up again: nothing is sent before the backoff ends, then each mail once.
        let sink = SmtpSink::start(port).await;
        assert_eq!(
            deliver_due(db, &worker, now).await.unwrap(),
            Pass::default()
        );
        let later = now + Duration::minutes(5);
        let pass = deliver_due(db, &worker, later).await.unwrap();
        assert_eq!(
            pass,
            Pass {
                sent: 2,
                retrying: 0,
                failed: 0
            }
        );
        assert_eq!(
            deliver_due(db, &worker, later + Duration::hours(1))
                .await
                .unwrap(),
            Pass::default()
        );
        assert_eq!(sink.messages().len(), 2);
        for mail in outbox(&sent).await {
            assert_eq!(mail.state, mail_outbox::State::Sent);
            assert_eq!(mail.attempts, 2);
            assert!(mail.last_error.is_none());
        }
        sink.stop().await;
    }
);

on_both_databases!(
    two_workers_at_once_send_each_mail_once,
    |engine: Engine| async move {
        let sink = SmtpSink::start(free_port()).await;
        let sent = Sent::new_with(
            engine,
            smtp_on(sink.port),
            &["bob", "carol"],
            Value::Null,
            &files(),
        )
        .await;
        for n in 0..4 {
            sent.send_titled(&format!("Package {n}"), &["bob", "carol"], &files())
                .await;
        }
        let queued = outbox(&sent).await.len();
        assert_eq!(queued, 10);
        let db = &sent.app.state.db;
        let (one, two) = (sender(&sent), sender(&sent));
        let now = Utc::now();
        let (a, b) = tokio::join!(deliver_due(db, &one, now), deliver_due(db, &two, now));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.sent + b.sent, 10, "{a:?} {b:?}");
        let messages = sink.messages();
        assert_eq!(messages.len(), 10);
        let mut seen: Vec<String> = messages
            .iter()
            .map(|m| format!("{} {}", m["rcpt_tos"], header_values(m, "Subject")[0]))
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 10, "no mail twice: {seen:?}");
        sink.stop().await;
    }
);
