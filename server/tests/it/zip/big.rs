//! ZIP64 archives without moving gigabytes: a file of more than 4 GiB is a sparse object written
//! straight into local storage (its rows say what a real upload would have), and the archive is
//! rebuilt on disk as a sparse file from two ranged requests around it; a package of more than
//! 65,535 files is rows inserted directly (empty files: the archive never reads an empty object).

use std::{io::Write, os::unix::fs::FileExt, process::Command};

use axum::http::{Method, StatusCode};
use chrono::Utc;
use ferry_server::db::entities::package_files;
use sea_orm::{EntityTrait, IntoActiveModel, Set};
use serde_json::Value;

use super::support::{
    check_file_with_tools, check_with_tools, fetch, get_uri, get_zip, link_uri, zip_path,
};
use crate::{
    common::{Engine, s3},
    on_both_databases,
    sending::Sent,
};

/// 4 GiB and one byte: past every 32-bit size field.
const HUGE: u64 = (4 << 30) + 1;
/// SHA-256 of nothing.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// CRC-32 of `len` zero bytes (by Python's zlib, which is quick about it).
fn crc32_of_zeros(len: u64) -> u32 {
    let script = "import sys, zlib\nn = int(sys.argv[1]); c = 0; block = bytes(1 << 24)\n\
                  while n:\n    k = min(n, len(block)); c = zlib.crc32(block[:k], c); n -= k\n\
                  print(c)";
    let out = Command::new("python3")
        .args(["-c", script, &len.to_string()])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

on_both_databases!(more_than_4_gib_in_zip64, |engine: Engine| async move {
    if s3::s3_wanted() {
        return; // the sparse object is written into local storage
    }
    let files = [
        ("huge.bin", b"h".to_vec()),
        ("after.txt", b"after the huge one".to_vec()),
    ];
    let sent = Sent::new(engine, &["bob"], Value::Null, &files).await;
    let huge = sent.file_row(sent.files[0].0).await;
    let object = sent
        .app
        .dir
        .path()
        .join("storage/objects")
        .join(&huge.storage_key[..2])
        .join(&huge.storage_key);
    std::fs::remove_file(&object).unwrap();
    std::fs::File::create(&object)
        .unwrap()
        .set_len(HUGE)
        .unwrap();
    let mut row = huge.into_active_model();
    row.size = Set(HUGE as i64);
    row.crc32 = Set(Some(i64::from(crc32_of_zeros(HUGE))));
    // Not the real digest (hashing 4 GiB takes a while); only the ETag is made of it here.
    row.sha256 = Set(Some("0".repeat(64)));
    package_files::Entity::update(row)
        .exec(&sent.app.state.db)
        .await
        .unwrap();

    let token = sent.token(&sent.alice).await;
    let auth = format!("Bearer {token}");
    let uri = zip_path(sent.package);
    let head = fetch(&sent, Method::HEAD, &uri, &[("authorization", &auth)]).await;
    assert_eq!(head.status, StatusCode::OK);
    let len: u64 = head.header("content-length").parse().unwrap();
    // The huge file's data starts after its header (30 + name + 20 bytes of ZIP64 sizes).
    let data_start = 30 + 8 + 20;
    let data_end = data_start + HUGE;
    assert!(len > data_end);

    let mut archive = tempfile::NamedTempFile::new().unwrap();
    archive.as_file().set_len(len).unwrap();
    for (first, last) in [(0, data_start - 1), (data_end, len - 1)] {
        let range = format!("bytes={first}-{last}");
        let part = get_zip(&sent, &token, sent.package, &[("range", &range)]).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
        archive.as_file().write_all_at(&part.bytes, first).unwrap();
    }
    archive.flush().unwrap();
    // Across the end of the huge file: its last zeros, then the next header.
    let range = format!("bytes={}-{}", data_end - 10, data_end + 9);
    let across = get_zip(&sent, &token, sent.package, &[("range", &range)]).await;
    assert_eq!(across.bytes[..10], [0; 10]);
    assert_eq!(across.bytes[10..14], *b"PK\x03\x04");

    let listed = check_file_with_tools(archive.path(), false);
    let names: Vec<(&str, u64)> = listed.iter().map(|(n, s, _)| (n.as_str(), *s)).collect();
    assert_eq!(names, [("huge.bin", HUGE), ("after.txt", 18)]);
});

/// 65,535 more files: 65,536 in all.
const MANY: usize = 65_535;

on_both_databases!(
    more_than_65535_entries_in_zip64,
    |engine: Engine| async move {
        let files = [("first.txt", b"first".to_vec())];
        let sent = Sent::new(engine, &["bob"], Value::Null, &files).await;
        let now = Utc::now();
        let rows: Vec<package_files::ActiveModel> = (0..MANY)
            .map(|i| package_files::ActiveModel {
                package_id: Set(sent.package),
                name: Set(format!("{i:05}.txt")),
                path: Set(Some(format!("many/{i:05}.txt"))),
                size: Set(0),
                state: Set(package_files::State::Complete),
                storage_key: Set(format!("zz-many-{i}")),
                sha256: Set(Some(EMPTY_SHA256.into())),
                crc32: Set(Some(0)),
                created_at: Set(now),
                completed_at: Set(Some(now)),
                ..Default::default()
            })
            .collect();
        for batch in rows.chunks(1000) {
            package_files::Entity::insert_many(batch.to_vec())
                .exec(&sent.app.state.db)
                .await
                .unwrap();
        }
        let link = link_uri(&sent, &sent.alice, sent.package).await;
        assert!(link.len() < 1024, "a link stays short however many files");
        let whole = get_uri(&sent, &link, &[]).await;
        assert_eq!(whole.status, StatusCode::OK);
        let listed = check_with_tools(&whole.bytes);
        assert_eq!(listed.len(), MANY + 1);
        assert_eq!(listed[0].0, "first.txt");
        assert_eq!(listed[MANY].0, format!("many/{:05}.txt", MANY - 1));
        assert!(
            listed[1..]
                .iter()
                .all(|(_, size, digest)| *size == 0 && digest == EMPTY_SHA256)
        );
    }
);
