//! tus concatenation: partial uploads of one file, joined by a final upload.

use app::paths;
use axum::{
    body::Body,
    http::{Method, StatusCode},
};

use crate::{
    common::{Engine, TestResponse},
    on_both_databases,
    tus::support::{World, b64, data, location, meta, offset_of, sha256_hex},
};

impl World {
    /// Creates a partial upload of `file` holding `bytes` and returns its URL.
    async fn partial(&self, file: i64, bytes: &[u8]) -> String {
        let request = self
            .tus(Method::POST, paths::GATEWAY_TUS)
            .header("upload-concat", "partial")
            .header("upload-length", bytes.len().to_string())
            .header("upload-metadata", meta(file, "part"));
        let created = self.send(request, Body::empty()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let url = location(&created);
        if !bytes.is_empty() {
            let patched = self.patch(&url, 0, bytes).await;
            assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.text);
        }
        url
    }

    async fn join(&self, urls: &[&str], metadata: Option<String>) -> TestResponse {
        let mut request = self
            .tus(Method::POST, paths::GATEWAY_TUS)
            .header("upload-concat", format!("final;{}", urls.join(" ")));
        if let Some(metadata) = metadata {
            request = request.header("upload-metadata", metadata);
        }
        self.send(request, Body::empty()).await
    }
}

on_both_databases!(
    partial_uploads_join_into_the_file,
    |engine: Engine| async move {
        let bytes = data(300_001, 7);
        let world = World::new(engine, &[("video.mp4", bytes.len() as u64)]).await;
        let file = world.files[0];
        let (a, rest) = bytes.split_at(100_000);
        let (b, c) = rest.split_at(100_000);
        let first = world.partial(file, a).await;
        let second = world.partial(file, b).await;
        let third = world.partial(file, c).await;
        let head = world.head(&second).await;
        assert_eq!(head.headers["upload-concat"], "partial");
        assert_eq!(offset_of(&head), 100_000);

        // Absolute and relative part URLs are both accepted.
        let absolute = format!("http://gateway.example:4001{third}");
        let metadata = format!(
            "{},sha256 {}",
            meta(file, "video.mp4"),
            b64(&sha256_hex(&bytes))
        );
        let joined = world
            .join(&[&first, &second, &absolute], Some(metadata))
            .await;
        assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text);
        let final_url = location(&joined);
        assert_eq!(offset_of(&joined), bytes.len() as u64);

        assert_eq!(world.object(file).await, bytes, "byte-identical");
        let row = world.file(file).await;
        assert_eq!(
            row.state,
            ferry_server::db::entities::package_files::State::Complete
        );
        assert_eq!(row.sha256.unwrap(), sha256_hex(&bytes));
        assert_eq!(
            world.package_row().await.state,
            ferry_server::db::entities::packages::State::Sent
        );
        for part in [&first, &second, &third] {
            assert!(!world.has_upload_bytes(part).await, "parts are discarded");
        }
        let head = world.head(&final_url).await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(offset_of(&head), bytes.len() as u64);
        assert_eq!(
            head.headers["upload-concat"].to_str().unwrap(),
            format!("final;{first} {second} {third}")
        );
        // tus: a PATCH to a final upload is 403, also once its package was sent.
        let patched = world.patch(&final_url, 0, b"x").await;
        assert_eq!(patched.status, StatusCode::FORBIDDEN, "{}", patched.text);
    }
);

on_both_databases!(
    parts_of_one_file_created_at_once_are_all_accepted,
    |engine: Engine| async move {
        // tus-js-client with `parallelUploads` creates every part of a file at the same moment;
        // each creation waits its turn for the file's room instead of being refused with 423.
        let bytes = data(90_000, 3);
        let world = World::new(engine, &[("parallel.bin", bytes.len() as u64)]).await;
        let file = world.files[0];
        let parts: Vec<&[u8]> = bytes.chunks(30_000).collect();
        let urls =
            futures_util::future::join_all(parts.iter().map(|part| world.partial(file, part)))
                .await;
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        let joined = world.join(&urls, None).await;
        assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text);
        assert_eq!(world.object(file).await, bytes);
    }
);

on_both_databases!(
    a_final_upload_joins_only_complete_parts_of_its_own_file,
    |engine: Engine| async move {
        let world = World::new(engine, &[("one.bin", 8), ("two.bin", 8)]).await;
        let (one, two) = (world.files[0], world.files[1]);
        let one_a = world.partial(one, b"1111").await;
        let one_b = world.partial(one, b"2222").await;
        let two_a = world.partial(two, b"3333").await;
        let two_b = world.partial(two, b"4444").await;

        let mixed = world.join(&[&one_a, &two_b], None).await;
        assert_eq!(mixed.status, StatusCode::BAD_REQUEST, "{}", mixed.text);
        assert!(
            mixed.message().contains("different files"),
            "{}",
            mixed.message()
        );
        let named_other = world
            .join(&[&two_a, &two_b], Some(meta(one, "one.bin")))
            .await;
        assert_eq!(
            named_other.status,
            StatusCode::BAD_REQUEST,
            "{}",
            named_other.text
        );
        let short = world.join(&[&one_a], None).await;
        assert_eq!(short.status, StatusCode::BAD_REQUEST);
        let twice = world.join(&[&one_a, &one_a], None).await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST);
        let unknown = world
            .join(&[&one_a, "/tus/0123456789abcdef0123456789abcdef"], None)
            .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        let foreign = world.join(&[&one_a, "http://h/elsewhere/x"], None).await;
        assert_eq!(foreign.status, StatusCode::BAD_REQUEST);

        let request = world
            .tus(Method::POST, paths::GATEWAY_TUS)
            .header("upload-concat", "partial")
            .header("upload-length", "4")
            .header("upload-metadata", meta(two, "part"));
        let unfinished = location(&world.send(request, Body::empty()).await);
        assert_eq!(
            world.patch(&unfinished, 0, b"44").await.status,
            StatusCode::NO_CONTENT
        );
        let incomplete = world.join(&[&two_a, &unfinished], None).await;
        assert_eq!(incomplete.status, StatusCode::BAD_REQUEST);
        assert!(
            incomplete.message().contains("not complete"),
            "{}",
            incomplete.message()
        );

        let too_big = world
            .send(
                world
                    .tus(Method::POST, paths::GATEWAY_TUS)
                    .header("upload-concat", "partial")
                    .header("upload-length", "9")
                    .header("upload-metadata", meta(one, "part")),
                Body::empty(),
            )
            .await;
        assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);

        let one_done = world.join(&[&one_a, &one_b], None).await;
        assert_eq!(one_done.status, StatusCode::CREATED, "{}", one_done.text);
        assert_eq!(world.object(one).await, b"11112222");
        let two_done = world
            .join(&[&two_a, &two_b], Some(meta(two, "two.bin")))
            .await;
        assert_eq!(two_done.status, StatusCode::CREATED, "{}", two_done.text);
        assert_eq!(world.object(two).await, b"33334444");
        assert_eq!(
            world.package_row().await.state,
            ferry_server::db::entities::packages::State::Sent
        );
    }
);

on_both_databases!(
    a_final_upload_checks_every_part_before_taking_any_lease,
    |engine: Engine| async move {
        use ferry_server::services::uploads::MAX_PARTS;

        let bytes = data(2_000, 3);
        let world = World::new(engine, &[("notes.txt", bytes.len() as u64)]).await;
        let file = world.files[0];
        let (a, b) = bytes.split_at(1_000);
        let first = world.partial(file, a).await;
        let second = world.partial(file, b).await;

        // Too many parts: refused at once, whatever they are.
        let many: Vec<String> = (0..=MAX_PARTS).map(|n| format!("/tus/{n:032x}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let refused = world.join(&many, None).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert!(refused.text.contains("at most 1000"), "{}", refused.text);

        // A made-up part is found out before the real one's lease is asked for: with that lease
        // held elsewhere (an append in progress), the answer is still the clear 400, not 423.
        let _held = world.hold_lease(&first).await;
        let made_up = "/tus/0123456789abcdef0123456789abcdef";
        let answer = world.join(&[made_up, &first, &second], None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
        assert!(
            answer.text.contains("not a partial upload of this package"),
            "{}",
            answer.text
        );
    }
);
