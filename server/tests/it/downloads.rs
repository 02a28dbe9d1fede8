//! Downloads through the gateway: the download spec, `GET`/`HEAD /files/{id}` with ranges, resumes
//! and `If-Range`, the headers that keep a browser safe whatever the file's name, token misuse, 410
//! after deletion (also mid-stream), and exact tracking of what recipients received. On SQLite and
//! PostgreSQL.
use app::{
    paths,
    types::{Settings, TransferDirection},
};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use ferry_server::{
    db::entities::{download_ranges, package_files},
    services::settings,
    transfer::token::TransferClaims,
};
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{
    common::{self, Engine, TestRequest},
    on_both_databases,
    sending::{Sent, data, file_path, sha256_hex},
};

const MIB: usize = 1 << 20;

/// alice sends bob and carol a 1 MiB file and a small one.
async fn two_files(engine: Engine) -> Sent {
    let files = [
        ("big.bin", data(MIB, 1)),
        ("notes.txt", b"some notes".to_vec()),
    ];
    Sent::new(engine, &["bob", "carol"], Value::Null, &files).await
}

fn header<'a>(response: &'a common::TestResponse, name: &str) -> &'a str {
    response.headers[name].to_str().unwrap()
}

on_both_databases!(
    the_spec_names_each_file_with_its_url_and_digest,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let spec = sent.download_spec(&sent.bob, sent.package).await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        assert_eq!(spec.body["direction"], "receive");
        assert_eq!(spec.body["package_id"], sent.package);
        assert!(spec.body["tus_endpoint"].is_null());
        assert!(spec.body["chunk_size"].as_u64().unwrap() >= 1 << 20);
        assert_eq!(spec.body["parallel"], 1);
        let gateway = spec.body["gateway_url"].as_str().unwrap();
        for ((id, bytes), file) in sent
            .files
            .iter()
            .zip(spec.body["files"].as_array().unwrap())
        {
            assert_eq!(file["id"], *id);
            assert_eq!(file["complete"], true);
            assert_eq!(file["size"], bytes.len());
            assert_eq!(file["sha256"], sha256_hex(bytes));
            assert_eq!(file["url"], format!("{gateway}{}", file_path(*id)));
        }
        let claims = sent
            .app
            .state
            .transfer_keys
            .verify(spec.body["token"].as_str().unwrap())
            .unwrap();
        assert_eq!(claims.dir, TransferDirection::Receive);
        assert_eq!(claims.pkg, sent.package);
        assert_eq!(
            claims.files,
            sent.files.iter().map(|f| f.0).collect::<Vec<_>>()
        );

        // The sender and admins may ask too; someone with no part in it may not know it exists.
        for cookie in [&sent.alice, &sent.admin] {
            assert_eq!(
                sent.download_spec(cookie, sent.package).await.status,
                StatusCode::OK
            );
        }
        let stranger = sent.download_spec(&sent.dave, sent.package).await;
        assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    }
);

on_both_databases!(
    drafts_and_a_closed_gateway_give_no_spec,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let draft = sent.draft(&["bob"], Value::Null).await;
        let refused = sent.download_spec(&sent.alice, draft).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.message().contains("draft"), "{}", refused.message());
        // The recipient does not even see the draft.
        let hidden = sent.download_spec(&sent.bob, draft).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);

        let token = sent.token(&sent.bob).await;
        let off = Settings {
            gateway_enabled: false,
            ..Settings::default()
        };
        settings::save(&sent.app.state.db, off).await.unwrap();
        let spec = sent.download_spec(&sent.bob, sent.package).await;
        assert_eq!(spec.status, StatusCode::FORBIDDEN);
        assert!(spec.message().contains("turned off"), "{}", spec.message());
        assert_eq!(spec.error_code(), "gateway_disabled");
        let get = sent.get(&token, sent.files[1].0, &[]).await;
        assert_eq!(get.status, StatusCode::FORBIDDEN);
        assert_eq!(get.error_code(), "gateway_disabled");
        // The switch is checked before the token, as for uploads: no token, the same answer.
        let tokenless = sent.get("", sent.files[1].0, &[]).await;
        assert_eq!(tokenless.status, StatusCode::FORBIDDEN);
        assert_eq!(tokenless.error_code(), "gateway_disabled");
    }
);

on_both_databases!(
    a_whole_download_has_the_bytes_and_safe_headers,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let token = sent.token(&sent.bob).await;
        let (id, bytes) = &sent.files[0];
        let (status, headers, body) = sent.get_bytes(&token, *id, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&body, bytes);
        let expect = [
            ("content-type", "application/octet-stream".to_owned()),
            ("content-length", bytes.len().to_string()),
            ("accept-ranges", "bytes".to_owned()),
            ("etag", format!("\"{}\"", sha256_hex(bytes))),
            ("x-content-type-options", "nosniff".to_owned()),
            ("content-security-policy", "sandbox".to_owned()),
            ("cache-control", "private, no-store".to_owned()),
            (
                "content-disposition",
                "attachment; filename=\"big.bin\"; filename*=UTF-8''big.bin".to_owned(),
            ),
        ];
        for (name, value) in expect {
            assert_eq!(headers[name].to_str().unwrap(), value, "{name}");
        }
        assert!(!headers.contains_key("content-range"));
    }
);

on_both_databases!(
    split_ranges_add_up_to_the_whole_file,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let token = sent.token(&sent.bob).await;
        let (id, bytes) = &sent.files[0];
        let size = bytes.len();
        let mut joined = Vec::new();
        for (range, start, end) in [
            ("bytes=0-99999", 0, 100_000),
            ("bytes=100000-700000", 100_000, 700_001),
            ("bytes=700001-", 700_001, size),
        ] {
            let (status, headers, body) = sent.get_bytes(&token, *id, &[("range", range)]).await;
            assert_eq!(status, StatusCode::PARTIAL_CONTENT, "{range}");
            assert_eq!(
                headers["content-range"].to_str().unwrap(),
                format!("bytes {start}-{}/{size}", end - 1)
            );
            assert_eq!(
                headers["content-length"].to_str().unwrap(),
                (end - start).to_string()
            );
            assert_eq!(body, bytes[start..end], "{range}");
            joined.extend_from_slice(&body);
        }
        assert_eq!(&joined, bytes, "the parts add up byte for byte");

        // The last n bytes, and an end past the file (clamped).
        let (status, _, tail) = sent
            .get_bytes(&token, *id, &[("range", "bytes=-1000")])
            .await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(tail, bytes[size - 1000..]);
        let (_, headers, all) = sent
            .get_bytes(&token, *id, &[("range", "bytes=0-99999999")])
            .await;
        assert_eq!(&all, bytes);
        assert_eq!(
            headers["content-range"].to_str().unwrap(),
            format!("bytes 0-{}/{size}", size - 1)
        );
    }
);

on_both_databases!(
    tracking_counts_split_ranges_and_only_recipients,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let (big, bytes) = sent.files[0].clone();
        let (notes, _) = sent.files[1].clone();
        let status = |user: &'static str| sent.status_of(sent.package, user);
        assert_eq!(status("bob").await["state"], "not_downloaded");
        assert_eq!(delivery(&sent).await, json!([2, 0, 0, 0]));

        // The sender and an admin download everything: served, but nobody's progress.
        for cookie in [&sent.alice, &sent.admin] {
            let token = sent.token(cookie).await;
            for (id, bytes) in &sent.files {
                let (code, _, body) = sent.get_bytes(&token, *id, &[]).await;
                assert_eq!(code, StatusCode::OK);
                assert_eq!(&body, bytes);
            }
        }
        for user in ["bob", "carol"] {
            let progress = status(user).await;
            assert_eq!(progress["state"], "not_downloaded", "{user}");
            assert_eq!(progress["files_downloaded"], 0);
        }

        // bob: the first half of the big file, overlapping pieces of the rest, then the notes.
        let token = sent.token(&sent.bob).await;
        let half = bytes.len() / 2;
        let first = format!("bytes=0-{}", half - 1);
        sent.get_bytes(&token, big, &[("range", &first)]).await;
        let progress = status("bob").await;
        assert_eq!(progress["state"], "partially_downloaded");
        assert_eq!(progress["files_downloaded"], 0);
        assert!(progress["downloaded_at"].is_null());
        let received = received_state(&sent, &sent.bob).await;
        assert_eq!(received, "partially_downloaded");
        assert_eq!(delivery(&sent).await, json!([2, 0, 1, 0]));

        let overlapping = format!("bytes={}-{}", half - 10, bytes.len() - 2);
        sent.get_bytes(&token, big, &[("range", &overlapping)])
            .await;
        assert_eq!(
            status("bob").await["files_downloaded"],
            0,
            "one byte missing"
        );
        sent.get_bytes(&token, big, &[("range", "bytes=-1")]).await;
        let progress = status("bob").await;
        assert_eq!(progress["files_downloaded"], 1);
        assert_eq!(progress["state"], "partially_downloaded");
        assert_eq!(delivery(&sent).await, json!([2, 0, 1, 1]));

        sent.get_bytes(&token, notes, &[]).await;
        let progress = status("bob").await;
        assert_eq!(progress["state"], "downloaded");
        assert_eq!(progress["files_downloaded"], 2);
        assert!(progress["downloaded_at"].is_string());
        assert_eq!(received_state(&sent, &sent.bob).await, "downloaded");
        assert_eq!(delivery(&sent).await, json!([2, 1, 0, 2]));
        // carol's progress is her own.
        assert_eq!(status("carol").await["state"], "not_downloaded");
        assert_eq!(received_state(&sent, &sent.carol).await, "not_downloaded");

        // Downloading again changes nothing.
        let before = status("bob").await;
        sent.get_bytes(&token, notes, &[]).await;
        assert_eq!(status("bob").await, before);
    }
);

/// The sender's view in their Sent list of how far the recipients got: `[recipients, downloaded,
/// partially, most_files]`. Recipients never see it.
async fn delivery(sent: &Sent) -> Value {
    let list = sent
        .app
        .call(TestRequest::get(paths::PACKAGES_SENT).cookie(&sent.alice))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let delivery = &list.body["items"][0]["delivery"];
    let received = sent
        .app
        .call(TestRequest::get(paths::PACKAGES_RECEIVED).cookie(&sent.bob))
        .await;
    assert_eq!(received.body["items"][0]["delivery"], Value::Null);
    json!([
        delivery["recipients"],
        delivery["downloaded"],
        delivery["partially"],
        delivery["most_files"]
    ])
}

/// The viewer's `my_download_state` of the first package in their Received list.
async fn received_state(sent: &Sent, cookie: &str) -> Value {
    let list = sent
        .app
        .call(TestRequest::get(paths::PACKAGES_RECEIVED).cookie(cookie))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    list.body["items"][0]["my_download_state"].clone()
}

on_both_databases!(
    an_empty_file_counts_once_asked_for,
    |engine: Engine| async move {
        let files = [("empty.txt", vec![])];
        let sent = Sent::new(engine, &["bob"], Value::Null, &files).await;
        let token = sent.token(&sent.bob).await;
        let id = sent.files[0].0;
        let head = sent
            .gateway(sent.file_request(Method::HEAD, &token, id), Body::empty())
            .await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(
            sent.status_of(sent.package, "bob").await["state"],
            "not_downloaded"
        );
        let (status, headers, body) = sent.get_bytes(&token, id, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_empty());
        assert_eq!(headers["content-length"], "0");
        assert_eq!(
            headers["etag"].to_str().unwrap(),
            format!("\"{}\"", sha256_hex(b""))
        );
        assert_eq!(
            sent.status_of(sent.package, "bob").await["state"],
            "downloaded"
        );
        let ranged = sent.get(&token, id, &[("range", "bytes=0-")]).await;
        assert_eq!(ranged.status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(header(&ranged, "content-range"), "bytes */0");
    }
);

on_both_databases!(
    head_sends_the_headers_only_and_is_not_tracked,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let token = sent.token(&sent.bob).await;
        let (id, bytes) = &sent.files[0];
        let request = sent
            .file_request(Method::HEAD, &token, *id)
            .header("range", "bytes=10-19");
        let head = sent.gateway(request, Body::empty()).await;
        assert_eq!(head.status, StatusCode::PARTIAL_CONTENT);
        assert!(head.text.is_empty());
        assert_eq!(header(&head, "content-length"), "10");
        assert_eq!(
            header(&head, "content-range"),
            format!("bytes 10-19/{}", bytes.len())
        );
        let whole = sent
            .gateway(sent.file_request(Method::HEAD, &token, *id), Body::empty())
            .await;
        assert_eq!(whole.status, StatusCode::OK);
        assert_eq!(header(&whole, "content-length"), bytes.len().to_string());
        assert_eq!(header(&whole, "etag"), format!("\"{}\"", sha256_hex(bytes)));
        assert_eq!(
            header(&whole, "content-disposition"),
            "attachment; filename=\"big.bin\"; filename*=UTF-8''big.bin"
        );
        assert_eq!(
            sent.status_of(sent.package, "bob").await["state"],
            "not_downloaded"
        );
    }
);

on_both_databases!(
    ranges_it_cannot_serve_answer_416,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let token = sent.token(&sent.bob).await;
        let (id, bytes) = &sent.files[0];
        let size = bytes.len();
        let past = format!("bytes={size}-");
        for range in [
            "bytes=0-1,5-6",
            past.as_str(),
            "bytes=20-10",
            "bytes=abc",
            "bytes=-0",
        ] {
            let response = sent.get(&token, *id, &[("range", range)]).await;
            assert_eq!(
                response.status,
                StatusCode::RANGE_NOT_SATISFIABLE,
                "{range}"
            );
            assert_eq!(
                header(&response, "content-range"),
                format!("bytes */{size}")
            );
            assert_eq!(response.error_code(), "range_not_satisfiable");
            assert!(
                response.message().contains(&size.to_string()),
                "{}",
                response.message()
            );
            assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        }
        // A unit it does not know is ignored: the whole file.
        let (status, _, body) = sent.get_bytes(&token, *id, &[("range", "items=0-1")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&body, bytes);
        assert_eq!(
            sent.status_of(sent.package, "bob").await["state"],
            "partially_downloaded"
        );
    }
);

on_both_databases!(
    if_range_resumes_only_the_same_file,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let token = sent.token(&sent.bob).await;
        let (id, bytes) = &sent.files[0];
        let etag = format!("\"{}\"", sha256_hex(bytes));
        let (status, _, body) = sent
            .get_bytes(
                &token,
                *id,
                &[("range", "bytes=1000-"), ("if-range", &etag)],
            )
            .await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(body, bytes[1000..]);
        for stale in ["\"0000\"", "W/\"x\"", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let (status, headers, body) = sent
                .get_bytes(
                    &token,
                    *id,
                    &[("range", "bytes=1000-"), ("if-range", stale)],
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{stale}");
            assert!(!headers.contains_key("content-range"));
            assert_eq!(&body, bytes);
        }
    }
);

on_both_databases!(
    a_client_gone_midway_counts_what_it_received,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let token = sent.token(&sent.bob).await;
        let (id, bytes) = sent.files[0].clone();
        let request = sent.file_request(Method::GET, &token, id);
        let response = sent
            .app
            .gateway
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let mut body = response.into_body();
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        // Files on a local disk are read 512 KiB at a time; bytes that cross a network (a separate
        // node, S3) are handed on as they arrive, in pieces of at least 64 KiB.
        let large = if common::separate_node_wanted() || common::s3::s3_wanted() {
            ferry_server::storage::NETWORK_PIECE
        } else {
            256 << 10
        };
        assert!(first.len() >= large, "reads are large: {}", first.len());
        assert_eq!(first, bytes[..first.len()]);
        drop(body);
        sent.settled().await;
        let ranges = download_ranges::Entity::find()
            .filter(download_ranges::Column::FileId.eq(id))
            .all(&sent.app.state.db)
            .await
            .unwrap();
        assert_eq!(ranges.len(), 1);
        assert_eq!(
            (ranges[0].range_start, ranges[0].range_end),
            (0, first.len() as i64)
        );
        let progress = sent.status_of(sent.package, "bob").await;
        assert_eq!(progress["state"], "partially_downloaded");

        // Resuming where it stopped completes the file.
        let resume = format!("bytes={}-", first.len());
        let (status, _, rest) = sent.get_bytes(&token, id, &[("range", &resume)]).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!([first.to_vec(), rest].concat(), bytes);
        assert_eq!(
            sent.status_of(sent.package, "bob").await["files_downloaded"],
            1
        );
    }
);

on_both_databases!(deleted_files_answer_410, |engine: Engine| async move {
    let sent = two_files(engine).await;
    let token = sent.token(&sent.bob).await;
    let deleted = sent.admin_delete_files(sent.package).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);

    let spec = sent.download_spec(&sent.bob, sent.package).await;
    assert_eq!(spec.status, StatusCode::GONE);
    assert!(spec.message().contains("deleted"), "{}", spec.message());
    for method in [Method::GET, Method::HEAD] {
        let request = sent.file_request(method.clone(), &token, sent.files[0].0);
        let response = sent.gateway(request, Body::empty()).await;
        assert_eq!(response.status, StatusCode::GONE, "{method}");
        if method == Method::GET {
            assert_eq!(response.error_code(), "gone");
            assert!(
                response.message().contains("deleted"),
                "{}",
                response.message()
            );
        }
    }
    // The package stays listed, saying so, with each file's state.
    let detail = sent.detail(&sent.bob, sent.package).await;
    assert!(detail["files_deleted_at"].is_string());
    for file in detail["files"].as_array().unwrap() {
        assert_eq!(file["state"], "deleted");
    }
});

on_both_databases!(
    a_download_running_when_its_file_is_deleted_ends_truncated,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let token = sent.token(&sent.bob).await;
        let (id, bytes) = sent.files[0].clone();
        let request = sent.file_request(Method::GET, &token, id);
        let response = sent
            .app
            .gateway
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut body = response.into_body();
        let mut received = body
            .frame()
            .await
            .unwrap()
            .unwrap()
            .into_data()
            .unwrap()
            .to_vec();

        let deleted = sent.admin_delete_files(sent.package).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert!(!sent.has_bytes(id).await, "the bytes left the node");

        read_until_it_fails(&mut body, &mut received, &bytes).await;
        drop(body);
        sent.settled().await;
        let progress = sent.status_of(sent.package, "bob").await;
        assert_eq!(progress["files_downloaded"], 0);
    }
);

on_both_databases!(token_misuse_is_refused, |engine: Engine| async move {
    let sent = two_files(engine).await;
    let (other, other_files) = sent
        .send(&["bob"], Value::Null, &[("other.bin", b"other".to_vec())])
        .await;
    let token = sent.token(&sent.bob).await;
    let file = sent.files[0].0;

    let none = sent
        .gateway(
            Request::builder().method(Method::GET).uri(file_path(file)),
            Body::empty(),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(header(&none, "www-authenticate"), "Bearer");

    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(
        sent.get(&tampered, file, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let keys = &sent.app.state.transfer_keys;
    // Forged claims carry the real token's user and issuer, so only what they test differs.
    let real = keys.verify(&token).unwrap();
    let bobs = real.by.clone().unwrap();
    let mut old = TransferClaims::new(0, sent.package, TransferDirection::Receive, vec![file])
        .issued_by(bobs.clone());
    old.uid = real.uid;
    old.exp = (chrono::Utc::now() - chrono::Duration::minutes(10)).timestamp();
    let expired = keys.issue(&old).unwrap();
    assert_eq!(
        sent.get(&expired, file, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let send = TransferClaims::new(old.uid, sent.package, TransferDirection::Send, vec![file])
        .issued_by(bobs.clone());
    let send_token = keys.issue(&send).unwrap();
    let refused = sent.get(&send_token, file, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.message().contains("uploading"),
        "{}",
        refused.message()
    );

    // A token of one package does not open another package's file, nor does the other's token
    // open this one's.
    let refused = sent.get(&token, other_files[0], &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let other_spec = sent.download_spec(&sent.bob, other).await;
    let other_token = other_spec.body["token"].as_str().unwrap();
    assert_eq!(
        sent.get(other_token, file, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // A forged claim naming another package's file is still held to its own package.
    let forged = TransferClaims::new(
        old.uid,
        sent.package,
        TransferDirection::Receive,
        vec![other_files[0]],
    )
    .issued_by(bobs);
    let forged = keys.issue(&forged).unwrap();
    assert_eq!(
        sent.get(&forged, other_files[0], &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(sent.get(&token, 0, &[]).await.status, StatusCode::FORBIDDEN);
    let junk = sent
        .gateway(
            sent.file_request(Method::GET, &token, 0)
                .uri("/files/not-a-number"),
            Body::empty(),
        )
        .await;
    assert_eq!(junk.status, StatusCode::NOT_FOUND);
    assert_eq!(
        sent.status_of(sent.package, "bob").await["state"],
        "not_downloaded"
    );
});

on_both_databases!(
    hostile_names_get_safe_headers,
    |engine: Engine| async move {
        let files = [
            ("a\";x=.txt", b"1".to_vec()),
            ("Ünïcödé 数据.csv", b"2".to_vec()),
            ("invoice\u{202E}fdp.exe", b"3".to_vec()),
            ("plain.txt", b"4".to_vec()),
            ("plain2.txt", b"5".to_vec()),
        ];
        let sent = Sent::new(engine, &["bob"], Value::Null, &files).await;
        // Names the API would refuse, written straight into rows (nothing trusts a row's name).
        for (index, raw) in [(3, "../x"), (4, "evil\r\nSet-Cookie: a=b\".txt")] {
            let mut row = sent.file_row(sent.files[index].0).await.into_active_model();
            row.name = Set(raw.into());
            row.update(&sent.app.state.db).await.unwrap();
        }
        let token = sent.token(&sent.bob).await;
        let expected = [
            "attachment; filename=\"a__x=.txt\"; filename*=UTF-8''a%22%3Bx%3D.txt",
            "attachment; filename=\"_n_c_d_ __.csv\"; \
             filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%E6%95%B0%E6%8D%AE.csv",
            "attachment; filename=\"invoicefdp.exe\"; filename*=UTF-8''invoicefdp.exe",
            "attachment; filename=\".._x\"; filename*=UTF-8''.._x",
            "attachment; filename=\"evilSet-Cookie: a=b_.txt\"; \
             filename*=UTF-8''evilSet-Cookie%3A%20a%3Db%22.txt",
        ];
        for ((id, bytes), want) in sent.files.iter().zip(expected) {
            let (status, headers, body) = sent.get_bytes(&token, *id, &[]).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(&body, bytes);
            let values: Vec<_> = headers.get_all("content-disposition").iter().collect();
            assert_eq!(values.len(), 1);
            assert_eq!(values[0].to_str().unwrap(), want);
            assert!(!headers.contains_key("set-cookie"));
            assert_eq!(headers["content-type"], "application/octet-stream");
        }
    }
);

on_both_databases!(
    browsers_may_download_cross_origin,
    |engine: Engine| async move {
        let sent = two_files(engine).await;
        let preflight = Request::builder()
            .method(Method::OPTIONS)
            .uri(file_path(sent.files[0].0))
            .header("origin", "http://ferry.test:8080")
            .header("access-control-request-method", "GET")
            .header(
                "access-control-request-headers",
                "authorization,range,if-range",
            );
        let answer = sent.gateway(preflight, Body::empty()).await;
        assert!(answer.status.is_success(), "{}", answer.status);
        let allowed = header(&answer, "access-control-allow-headers").to_ascii_lowercase();
        for name in ["authorization", "range", "if-range"] {
            assert!(allowed.contains(name), "{allowed}");
        }
        let methods = header(&answer, "access-control-allow-methods");
        assert!(
            methods.contains("GET") && methods.contains("HEAD"),
            "{methods}"
        );

        let token = sent.token(&sent.bob).await;
        let get = sent
            .get(
                &token,
                sent.files[1].0,
                &[("origin", "http://ferry.test:8080")],
            )
            .await;
        assert_eq!(header(&get, "access-control-allow-origin"), "*");
        let exposed = header(&get, "access-control-expose-headers").to_ascii_lowercase();
        for name in [
            "content-length",
            "content-range",
            "etag",
            "content-disposition",
            "accept-ranges",
        ] {
            assert!(exposed.contains(name), "{exposed}");
        }
    }
);

/// The node has no bytes for a file whose row still says complete (deleted between the check and
/// the read): gone, never a partial body.
#[tokio::test]
async fn bytes_gone_before_the_read_answer_410() {
    let sent = two_files(Engine::Sqlite).await;
    let token = sent.token(&sent.bob).await;
    let id = sent.files[1].0;
    // The bytes vanish behind Ferry's back while the row still says complete.
    let row = sent.file_row(id).await;
    let key = row.storage_key.clone();
    sent.app.remove_object_behind_ferrys_back(&key).await;
    let response = sent.get(&token, id, &[]).await;
    assert_eq!(response.status, StatusCode::GONE);
    let still = package_files::Entity::find_by_id(id)
        .one(&sent.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.state, package_files::State::Complete);
}

on_both_databases!(
    a_recipients_delivered_ranges_stay_few_however_many_requests,
    |engine: Engine| async move {
        use ferry_server::services::downloads::COMPACT_ABOVE;

        let sent = two_files(engine).await;
        let (big, bytes) = sent.files[0].clone();
        let token = sent.token(&sent.bob).await;
        // One byte per request, the last byte never: every request used to leave a row for good.
        let requests = COMPACT_ABOVE * 3;
        for at in 0..requests {
            let range = format!("bytes={at}-{at}");
            let (code, _, body) = sent.get_bytes(&token, big, &[("range", &range)]).await;
            assert_eq!(code, StatusCode::PARTIAL_CONTENT);
            assert_eq!(body, bytes[at..=at]);
        }
        sent.settled().await;
        let rows = download_ranges::Entity::find()
            .filter(download_ranges::Column::FileId.eq(big))
            .all(&sent.app.state.db)
            .await
            .unwrap();
        assert!(
            rows.len() <= COMPACT_ABOVE + 1,
            "{} rows after {requests} requests",
            rows.len()
        );
        let covered: Vec<(u64, u64)> = rows
            .iter()
            .map(|r| (r.range_start as u64, r.range_end as u64))
            .collect();
        assert_eq!(
            ferry_server::services::downloads::tracking::covered(covered),
            requests as u64,
            "no byte of coverage lost"
        );
        let status = sent.status_of(sent.package, "bob").await;
        assert_eq!(status["files_downloaded"], 0);

        let rest = format!("bytes={requests}-");
        sent.get_bytes(&token, big, &[("range", &rest)]).await;
        sent.settled().await;
        assert_eq!(
            sent.status_of(sent.package, "bob").await["files_downloaded"],
            1
        );
    }
);

// Disabling a user ends their downloads under way too, not only their next request: the body
// breaks off (never looking complete) within a few seconds (`transfer::live::RECHECK`).
on_both_databases!(
    a_running_download_breaks_off_when_its_user_is_disabled,
    |engine: Engine| async move {
        let bytes = data(16 * MIB, 3);
        let sent = Sent::new(engine, &["bob"], Value::Null, &[("big.bin", bytes.clone())]).await;
        let token = sent.token(&sent.bob).await;
        let bob = sent.app.state.transfer_keys.verify(&token).unwrap().uid;
        let (id, _) = sent.files[0].clone();
        let request = sent.file_request(Method::GET, &token, id);
        let response = sent
            .app
            .gateway
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut body = response.into_body();
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        let mut received = first.to_vec();

        let disabled = sent
            .app
            .call(
                TestRequest::patch(
                    &paths::with_id(paths::ADMIN_USER, bob),
                    serde_json::json!({ "disabled": true }),
                )
                .cookie(&sent.admin),
            )
            .await;
        assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text);
        tokio::time::sleep(
            ferry_server::transfer::live::RECHECK + std::time::Duration::from_millis(500),
        )
        .await;

        read_until_it_fails(&mut body, &mut received, &bytes).await;
    }
);

/// Reads the rest of a download's `body` into `received`: it must fail rather than end, short of
/// the file's `bytes`, and everything that arrived must be the file's start.
async fn read_until_it_fails(body: &mut axum::body::Body, received: &mut Vec<u8>, bytes: &[u8]) {
    let mut failed = false;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => received.extend_from_slice(&frame.into_data().unwrap()),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "the body must fail, not end");
    assert!(received.len() < bytes.len(), "it never looks complete");
    assert_eq!(received[..], bytes[..received.len()]);
}
