//! "Download all": a package's files as one streamed ZIP from the gateway. Archives are checked by
//! Debian's `unzip` and Python's `zipfile` (empty files, unicode names, folder paths, more than
//! 4 GiB, more than 65,535 entries); every range is that slice of the whole archive; a cut archive
//! resumed equals the uninterrupted one; what an archive carried is tracked file by file (complete,
//! partial, resumed, and the expiration policy that follows); 410 once the files are deleted;
//! tokens open their own package only; a stale `If-Range` gets the whole archive. On SQLite and
//! PostgreSQL.

mod big;
mod support;

use app::paths;
use axum::http::{Method, StatusCode};
use ferry_server::db::entities::{download_ranges, file_downloads, package_files};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

use crate::{
    common::Engine,
    on_both_databases,
    sending::{Sent, data, file_path, sha256_hex},
};
use support::{check_with_tools, fetch, get_cut, get_uri, get_zip, link_uri, zip_link, zip_path};

const MIB: usize = 1 << 20;
const BIG_NAME: &str = "big.bin";

/// alice sends bob and carol a 1 MiB file, an empty one, one with a unicode name and one in a
/// folder (its `path`, set as the desktop client would have).
async fn four_files(engine: Engine, expiration: Value) -> Sent {
    let files = [
        (BIG_NAME, data(MIB, 5)),
        ("empty.txt", Vec::new()),
        ("Ünïcødé – 日本語.txt", b"unicode".to_vec()),
        ("notes.txt", b"some notes".to_vec()),
    ];
    let sent = Sent::new(engine, &["bob", "carol"], expiration, &files).await;
    let mut row = sent.file_row(sent.files[3].0).await.into_active_model();
    row.path = Set(Some("Folder/sub dir/notes.txt".into()));
    package_files::Entity::update(row)
        .exec(&sent.app.state.db)
        .await
        .unwrap();
    sent
}

/// What the archive should hold: `[name, size, sha256]` in order.
fn expected(sent: &Sent) -> Vec<(String, u64, String)> {
    let names = [
        BIG_NAME,
        "empty.txt",
        "Ünïcødé – 日本語.txt",
        "Folder/sub dir/notes.txt",
    ];
    names
        .iter()
        .zip(&sent.files)
        .map(|(name, (_, bytes))| ((*name).to_owned(), bytes.len() as u64, sha256_hex(bytes)))
        .collect()
}

async fn uid(sent: &Sent, token: &str) -> i64 {
    sent.app.state.transfer_keys.verify(token).unwrap().uid
}

/// The files `user` has completely downloaded.
async fn downloaded(sent: &Sent, user: i64) -> Vec<i64> {
    sent.settled().await;
    file_downloads::Entity::find()
        .filter(file_downloads::Column::UserId.eq(user))
        .order_by_asc(file_downloads::Column::FileId)
        .all(&sent.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.file_id)
        .collect()
}

/// `user`'s recorded ranges of `file`, merged.
async fn ranges(sent: &Sent, user: i64, file: i64) -> Vec<(i64, i64)> {
    sent.settled().await;
    let rows = download_ranges::Entity::find()
        .filter(download_ranges::Column::UserId.eq(user))
        .filter(download_ranges::Column::FileId.eq(file))
        .order_by_asc(download_ranges::Column::RangeStart)
        .all(&sent.app.state.db)
        .await
        .unwrap();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for row in rows {
        match merged.last_mut() {
            Some(last) if row.range_start <= last.1 => last.1 = last.1.max(row.range_end),
            _ => merged.push((row.range_start, row.range_end)),
        }
    }
    merged
}

on_both_databases!(
    unzip_and_python_read_every_file_and_the_download_counts,
    |engine: Engine| async move {
        let sent = four_files(engine, Value::Null).await;
        let token = sent.token(&sent.bob).await;
        let whole = get_zip(&sent, &token, sent.package, &[]).await;
        assert_eq!(whole.status, StatusCode::OK);
        assert_eq!(whole.header("content-type"), "application/zip");
        assert_eq!(whole.header("accept-ranges"), "bytes");
        assert_eq!(
            whole.header("content-length"),
            whole.bytes.len().to_string()
        );
        assert_eq!(whole.header("x-content-type-options"), "nosniff");
        assert_eq!(whole.header("cache-control"), "private, no-store");
        assert!(
            whole
                .header("content-disposition")
                .starts_with("attachment;")
        );
        assert!(whole.header("content-disposition").contains("Drawings.zip"));
        let etag = whole.header("etag").to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong: {etag}"
        );
        assert_eq!(check_with_tools(&whole.bytes), expected(&sent));

        // Deterministic: the same bytes and ETag again; HEAD says the same without a body.
        let again = get_zip(&sent, &token, sent.package, &[]).await;
        assert_eq!(again.bytes, whole.bytes);
        let auth = format!("Bearer {token}");
        let head = fetch(
            &sent,
            Method::HEAD,
            &zip_path(sent.package),
            &[("authorization", &auth)],
        )
        .await;
        assert_eq!(head.status, StatusCode::OK);
        assert!(head.bytes.is_empty());
        assert_eq!(head.header("etag"), etag);
        assert_eq!(head.header("content-length"), whole.bytes.len().to_string());

        // Every file counts as downloaded by bob, the empty one too.
        let bob = uid(&sent, &token).await;
        let ids: Vec<i64> = sent.files.iter().map(|f| f.0).collect();
        assert_eq!(downloaded(&sent, bob).await, ids);
    }
);

on_both_databases!(
    any_range_is_that_slice_of_the_whole_archive,
    |engine: Engine| async move {
        let sent = four_files(engine, Value::Null).await;
        // The sender's downloads are not tracked: ranges here change nobody's receipts.
        let token = sent.token(&sent.alice).await;
        let whole = get_zip(&sent, &token, sent.package, &[]).await.bytes;
        let len = whole.len() as u64;
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let mut ranges: Vec<(u64, u64)> = (0..40)
            .map(|_| {
                let start = random(len);
                (start, start + random(len - start))
            })
            .collect();
        ranges.extend([
            (0, 0),
            (len - 1, len - 1),
            (0, len - 1),
            (len - 22, len - 1),
        ]);
        for (first, last) in ranges {
            let range = format!("bytes={first}-{last}");
            let part = get_zip(&sent, &token, sent.package, &[("range", &range)]).await;
            assert_eq!(part.status, StatusCode::PARTIAL_CONTENT, "{range}");
            assert_eq!(
                part.header("content-range"),
                format!("bytes {first}-{last}/{len}")
            );
            let (a, b) = (first as usize, last as usize + 1);
            assert!(part.bytes == whole[a..b], "{range} differs from the slice");
        }
        let suffix = get_zip(&sent, &token, sent.package, &[("range", "bytes=-100")]).await;
        assert_eq!(suffix.bytes, whole[whole.len() - 100..]);
        let beyond = format!("bytes={len}-");
        let refused = get_zip(&sent, &token, sent.package, &[("range", &beyond)]).await;
        assert_eq!(refused.status, StatusCode::RANGE_NOT_SATISFIABLE);
    }
);

on_both_databases!(
    a_cut_archive_counts_what_it_carried_and_its_resume_completes_it,
    |engine: Engine| async move {
        let sent = four_files(engine, json!({ "kind": "after_all_recipients_download" })).await;
        let reference = get_zip(&sent, &sent.token(&sent.alice).await, sent.package, &[]).await;
        let (etag, whole) = (reference.header("etag").to_owned(), reference.bytes);
        let token = sent.token(&sent.bob).await;
        let bob = uid(&sent, &token).await;
        let auth = format!("Bearer {token}");
        let big = sent.files[0].0;

        // Cut inside the big file: exactly the bytes of it that went out are bob's.
        let header = 30 + BIG_NAME.len();
        let keep = header + 300_000;
        let uri = zip_path(sent.package);
        let head = get_cut(&sent, &uri, &[("authorization", &auth)], keep).await;
        assert_eq!(head, whole[..keep]);
        let carried = ranges(&sent, bob, big).await;
        assert_eq!(carried.len(), 1, "{carried:?}");
        assert_eq!(carried[0].0, 0);
        // The client read `keep` bytes; the server may have handed on a little more.
        assert!(
            carried[0].1 >= 300_000 && carried[0].1 < MIB as i64,
            "{carried:?}"
        );
        assert!(downloaded(&sent, bob).await.is_empty());
        for (file, _) in &sent.files[1..] {
            assert!(ranges(&sent, bob, *file).await.is_empty());
        }

        // The resume (as a browser sends it) completes the archive and every file.
        let from = format!("bytes={keep}-");
        let rest = get_zip(
            &sent,
            &token,
            sent.package,
            &[("range", &from), ("if-range", &etag)],
        )
        .await;
        assert_eq!(rest.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!([head, rest.bytes].concat(), whole);
        let ids: Vec<i64> = sent.files.iter().map(|f| f.0).collect();
        assert_eq!(downloaded(&sent, bob).await, ids);
        let key = sent.file_row(big).await.storage_key;
        assert!(
            sent.app.has_object(&key).await,
            "carol has not downloaded yet"
        );

        // Carol's whole archive is the last download the policy waits for.
        let carol = sent.token(&sent.carol).await;
        assert_eq!(get_zip(&sent, &carol, sent.package, &[]).await.bytes, whole);
        sent.settled().await;
        assert!(
            sent.package_row(sent.package)
                .await
                .files_deleted_at
                .is_some()
        );
        let gone = get_zip(&sent, &carol, sent.package, &[]).await;
        assert_eq!(gone.status, StatusCode::GONE);
    }
);

on_both_databases!(
    a_stale_if_range_gets_the_whole_archive,
    |engine: Engine| async move {
        let sent = four_files(engine, Value::Null).await;
        let token = sent.token(&sent.alice).await;
        let whole = get_zip(&sent, &token, sent.package, &[]).await;
        for stale in ["\"zip-0000\"", "W/\"x\"", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let answer = get_zip(
                &sent,
                &token,
                sent.package,
                &[("range", "bytes=100-"), ("if-range", stale)],
            )
            .await;
            assert_eq!(answer.status, StatusCode::OK, "{stale}");
            assert!(answer.headers.get("content-range").is_none());
            assert_eq!(answer.bytes, whole.bytes);
        }
        // A file renamed in a folder changes the archive, and its ETag.
        let mut row = sent.file_row(sent.files[2].0).await.into_active_model();
        row.path = Set(Some("elsewhere/unicode.txt".into()));
        package_files::Entity::update(row)
            .exec(&sent.app.state.db)
            .await
            .unwrap();
        let old = whole.header("etag").to_owned();
        let answer = get_zip(
            &sent,
            &token,
            sent.package,
            &[("range", "bytes=100-"), ("if-range", &old)],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_ne!(answer.header("etag"), old);
        assert_eq!(
            answer.header("content-length"),
            answer.bytes.len().to_string()
        );
    }
);

on_both_databases!(
    deleted_files_answer_410_on_every_path,
    |engine: Engine| async move {
        let sent = four_files(engine, Value::Null).await;
        let token = sent.token(&sent.bob).await;
        let link = link_uri(&sent, &sent.bob, sent.package).await;
        assert_eq!(
            sent.admin_delete_files(sent.package).await.status,
            StatusCode::NO_CONTENT
        );
        let auth = format!("Bearer {token}");
        for method in [Method::GET, Method::HEAD] {
            let answer = fetch(
                &sent,
                method.clone(),
                &zip_path(sent.package),
                &[("authorization", &auth)],
            )
            .await;
            assert_eq!(answer.status, StatusCode::GONE, "{method}");
            assert_eq!(
                fetch(&sent, method, &link, &[]).await.status,
                StatusCode::GONE
            );
        }
        let refused = zip_link(&sent, &sent.bob, sent.package).await;
        assert_eq!(refused.status, StatusCode::GONE, "{}", refused.text);
    }
);

on_both_databases!(
    tokens_open_their_own_package_only,
    |engine: Engine| async move {
        let sent = four_files(engine, Value::Null).await;
        let (other, _) = sent
            .send(&["carol"], Value::Null, &[("x.txt", b"x".to_vec())])
            .await;
        // bob's link: this package's archive, in a plain URL, as bob.
        let link = link_uri(&sent, &sent.bob, sent.package).await;
        let whole = get_uri(&sent, &link, &[]).await;
        assert_eq!(whole.status, StatusCode::OK);
        assert_eq!(check_with_tools(&whole.bytes), expected(&sent));
        // Not another package's archive, and no file alone.
        let elsewhere = link.replace(&zip_path(sent.package), &zip_path(other));
        assert_eq!(
            get_uri(&sent, &elsewhere, &[]).await.status,
            StatusCode::FORBIDDEN
        );
        let query = &link[link.find('?').unwrap()..];
        let one = format!("{}{query}", file_path(sent.files[0].0));
        assert_eq!(
            get_uri(&sent, &one, &[]).await.status,
            StatusCode::FORBIDDEN
        );
        // bob cannot have a link to a package he is not in, nor dave to this one.
        assert_eq!(
            zip_link(&sent, &sent.bob, other).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            zip_link(&sent, &sent.dave, sent.package).await.status,
            StatusCode::NOT_FOUND
        );
        // A one-file link does not open the archive; a spec's token is refused in a URL.
        let path = paths::with_file(paths::PACKAGE_FILE_LINK, sent.package, sent.files[0].0);
        let file_link = sent
            .app
            .call(crate::common::TestRequest::post(&path, json!({})).cookie(&sent.bob))
            .await;
        let file_url = file_link.body["url"].as_str().unwrap();
        let file_query = &file_url[file_url.find('?').unwrap()..];
        let with_file_token = format!("{}{file_query}", zip_path(sent.package));
        assert_eq!(
            get_uri(&sent, &with_file_token, &[]).await.status,
            StatusCode::FORBIDDEN
        );
        let spec_token = sent.token(&sent.bob).await;
        let in_query = format!("{}?token={spec_token}", zip_path(sent.package));
        assert_eq!(
            get_uri(&sent, &in_query, &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Nothing in this test downloaded anything for bob but his whole archive.
        let bob = uid(&sent, &spec_token).await;
        assert_eq!(downloaded(&sent, bob).await.len(), 4);
    }
);

on_both_databases!(
    files_published_before_crcs_get_theirs_once,
    |engine: Engine| async move {
        let sent = four_files(engine, Value::Null).await;
        let mut stored = Vec::new();
        for (id, _) in &sent.files {
            let row = sent.file_row(*id).await;
            stored.push(row.crc32.expect("publishing records the CRC-32"));
            let mut row = row.into_active_model();
            row.crc32 = Set(None);
            package_files::Entity::update(row)
                .exec(&sent.app.state.db)
                .await
                .unwrap();
        }
        assert_eq!(stored[1], 0, "the CRC-32 of nothing");
        let token = sent.token(&sent.alice).await;
        let whole = get_zip(&sent, &token, sent.package, &[]).await;
        assert_eq!(check_with_tools(&whole.bytes), expected(&sent));
        for ((id, _), crc32) in sent.files.iter().zip(stored) {
            assert_eq!(sent.file_row(*id).await.crc32, Some(crc32));
        }
    }
);
