//! File links and delivery progress, what the web app uses to hand a file to the browser's own
//! downloads and follow it there: a link's token (in the URL) opens exactly one file for one user,
//! a spec's token is not accepted in a URL, and what a link delivered is tracked and read back
//! byte-exact. On SQLite and PostgreSQL.
use app::paths;
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use serde_json::{Value, json};

use crate::{
    common::{Engine, TestRequest, TestResponse},
    on_both_databases,
    sending::{Sent, data, file_path},
};

/// alice sends bob and carol a 1 MiB file and a small one.
async fn two_files(engine: Engine) -> Sent {
    let files = [
        ("big.bin", data(1 << 20, 3)),
        ("notes.txt", b"some notes".to_vec()),
    ];
    Sent::new(engine, &["bob", "carol"], Value::Null, &files).await
}

async fn link(sent: &Sent, cookie: &str, file: i64) -> TestResponse {
    let path = paths::with_file(paths::PACKAGE_FILE_LINK, sent.package, file);
    sent.app
        .call(TestRequest::post(&path, json!({})).cookie(cookie))
        .await
}

async fn delivery(sent: &Sent, cookie: &str, file: i64) -> TestResponse {
    let path = paths::with_file(paths::PACKAGE_FILE_DELIVERY, sent.package, file);
    sent.app.call(TestRequest::get(&path).cookie(cookie)).await
}

/// `GET` of a gateway path (with its query), with no header but `extra`.
async fn fetch(sent: &Sent, path_and_query: &str, extra: &[(&str, &str)]) -> TestResponse {
    let mut request = Request::builder().method(Method::GET).uri(path_and_query);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    sent.gateway(request, Body::empty()).await
}

/// The path and query of a link's URL (the gateway is driven without a socket).
fn path_of(url: &str) -> String {
    url[url.find("/files/").unwrap()..].to_owned()
}

on_both_databases!(
    a_link_opens_one_file_for_one_user,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let (big, notes) = (sent.files[0].0, sent.files[1].0);
        let answer = link(&sent, &sent.bob, big).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert!(answer.body["expires_at"].is_string());
        let url = answer.body["url"].as_str().unwrap();
        assert!(url.contains(&format!("{}?token=", file_path(big))), "{url}");
        let path = path_of(url);
        let token = &path[path.find("token=").unwrap() + 6..];
        let claims = sent.app.state.transfer_keys.verify(token).unwrap();
        assert!(claims.link);
        assert_eq!(claims.files, vec![big]);

        let whole = fetch(&sent, &path, &[]).await;
        assert_eq!(whole.status, StatusCode::OK);
        assert_eq!(whole.headers["content-length"], (1 << 20).to_string());
        let disposition = whole.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        let part = fetch(&sent, &path, &[("range", "bytes=10-19")]).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);

        // The same token on another file's path, even of the same package: refused.
        let other = format!("{}?token={token}", file_path(notes));
        assert_eq!(
            fetch(&sent, &other, &[]).await.status,
            StatusCode::FORBIDDEN
        );
        // A spec's token covers every file: it works as a header only, never in a URL.
        let spec_token = sent.token(&sent.bob).await;
        let in_url = format!("{}?token={spec_token}", file_path(big));
        let refused = fetch(&sent, &in_url, &[]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(
            refused.message().contains("file link"),
            "{}",
            refused.message()
        );
        let junk = format!("{}?token=junk", file_path(big));
        assert_eq!(
            fetch(&sent, &junk, &[]).await.status,
            StatusCode::UNAUTHORIZED
        );

        // Only those who may see the package get links; a file of another package is not found.
        assert_eq!(
            link(&sent, &sent.dave, big).await.status,
            StatusCode::NOT_FOUND
        );
        let (_, elsewhere) = sent
            .send(&["bob"], Value::Null, &[("other.bin", b"other".to_vec())])
            .await;
        let foreign = link(&sent, &sent.bob, elsewhere[0]).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        assert_eq!(link(&sent, &sent.alice, big).await.status, StatusCode::OK);
    }
);

on_both_databases!(
    what_a_link_delivered_is_read_back_exactly,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let big = sent.files[0].0;
        let path = path_of(
            link(&sent, &sent.bob, big).await.body["url"]
                .as_str()
                .unwrap(),
        );
        let before = delivery(&sent, &sent.bob, big).await;
        assert_eq!(before.status, StatusCode::OK, "{}", before.text);
        assert_eq!(
            before.body,
            json!({"file_id": big, "size": 1 << 20, "delivered": 0, "complete": false, "tracked": true})
        );

        for range in ["bytes=0-99", "bytes=50-149", "bytes=1000-1999"] {
            fetch(&sent, &path, &[("range", range)]).await;
        }
        sent.settled().await;
        let part = delivery(&sent, &sent.bob, big).await.body;
        assert_eq!(part["delivered"], 150 + 1000);
        assert_eq!(part["complete"], false);
        assert_eq!(
            sent.status_of(sent.package, "bob").await["state"],
            "partially_downloaded"
        );

        fetch(&sent, &path, &[]).await;
        sent.settled().await;
        let done = delivery(&sent, &sent.bob, big).await.body;
        assert_eq!(
            (done["delivered"].as_u64(), done["complete"].as_bool()),
            (Some(1 << 20), Some(true))
        );
        // Another recipient's record is their own; the sender's downloads are not tracked.
        assert_eq!(delivery(&sent, &sent.carol, big).await.body["delivered"], 0);
        let sender = delivery(&sent, &sent.alice, big).await.body;
        assert_eq!(sender["tracked"], false);
        assert_eq!(
            delivery(&sent, &sent.dave, big).await.status,
            StatusCode::NOT_FOUND
        );
    }
);
