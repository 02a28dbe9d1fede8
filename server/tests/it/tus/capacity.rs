//! One declared file's uploads hold at most its size: starting over discards idle uploads of the
//! file, and an upload being appended to right now is never discarded (the new one is refused).

use axum::{
    body::Body,
    http::{Method, StatusCode},
};

use crate::{
    common::{Engine, TestResponse},
    on_both_databases,
    tus::support::{World, data, meta, offset_of},
};

impl World {
    async fn partial_upload(&self, file: i64, length: u64) -> TestResponse {
        let request = self
            .tus(Method::POST, app::paths::GATEWAY_TUS)
            .header("upload-concat", "partial")
            .header("upload-length", length.to_string())
            .header("upload-metadata", meta(file, "part"));
        self.send(request, Body::empty()).await
    }
}

on_both_databases!(
    a_files_uploads_never_hold_more_than_its_size,
    |engine: Engine| async move {
        let bytes = data(1_024, 5);
        let world = World::new(engine, &[("small.bin", 1_024)]).await;
        let file = world.files[0];

        // A single upload half sent, then the client starts over: the idle one makes room.
        let first = world.create(file, 1_024).await;
        assert_eq!(
            world.patch(&first, 0, &bytes[..512]).await.status,
            StatusCode::NO_CONTENT
        );
        let second = world.create(file, 1_024).await;
        assert_eq!(world.head(&first).await.status, StatusCode::NOT_FOUND);
        assert!(!world.has_upload_bytes(&first).await, "its bytes are gone");

        // Partial uploads count too: a whole-size part pushes the idle single upload out.
        let part = world.partial_upload(file, 1_024).await;
        assert_eq!(part.status, StatusCode::CREATED, "{}", part.text);
        let part = crate::tus::support::location(&part);
        assert_eq!(world.head(&second).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            world.patch(&part, 0, &bytes[..100]).await.status,
            StatusCode::NO_CONTENT
        );

        // While that part is being appended to (its lease held), nothing is discarded for a
        // newcomer: it is refused, and the part keeps its bytes.
        let busy = world.hold_lease(&part).await;
        let refused = world.try_create(file, 1_024).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
        assert!(
            refused.text.contains("holding 1024 of its 1024 bytes"),
            "{}",
            refused.text
        );
        drop(busy);
        assert_eq!(offset_of(&world.head(&part).await), 100);

        // Parts that fit together are all kept, and the file completes from the last upload.
        let small = world.partial_upload(file, 0).await;
        assert_eq!(small.status, StatusCode::CREATED, "{}", small.text);
        assert_eq!(world.head(&part).await.status, StatusCode::OK);
        let last = world.create(file, 1_024).await;
        assert_eq!(world.head(&part).await.status, StatusCode::NOT_FOUND);
        let done = world.patch(&last, 0, &bytes).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
        assert_eq!(world.object(file).await, bytes);
    }
);

on_both_databases!(
    uploads_past_a_users_storage_quota_are_refused,
    |engine: Engine| async move {
        use app::types::Settings;
        use ferry_server::services::settings;

        let bytes = data(1_024, 9);
        let world = World::new(engine, &[("first.bin", 1_024)]).await;
        let db = &world.app.state.db;
        let quota = Settings {
            user_quota_bytes: Some(1_500),
            ..settings::load(db).await.unwrap()
        };
        settings::save(db, quota).await.unwrap();
        assert_eq!(
            world.upload(world.files[0], &bytes).await.status,
            StatusCode::NO_CONTENT
        );

        // 1,024 bytes kept in a sent package; 600 more would pass 1,500.
        let package = world.draft().await;
        let (files, token) = world.spec(package, &[("second.bin", 600)]).await;
        let request = world
            .tus_as(&token, Method::POST, app::paths::GATEWAY_TUS)
            .header("upload-length", "600")
            .header("upload-metadata", meta(files[0], "second.bin"));
        let refused = world.send(request, Body::empty()).await;
        assert_eq!(
            refused.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            refused.text
        );
        assert!(
            refused.text.contains("storage quota of 1500 bytes"),
            "{}",
            refused.text
        );

        // Without a quota the same upload is taken.
        let unbounded = Settings {
            user_quota_bytes: None,
            ..settings::load(db).await.unwrap()
        };
        settings::save(db, unbounded).await.unwrap();
        let request = world
            .tus_as(&token, Method::POST, app::paths::GATEWAY_TUS)
            .header("upload-length", "600")
            .header("upload-metadata", meta(files[0], "second.bin"));
        assert_eq!(
            world.send(request, Body::empty()).await.status,
            StatusCode::CREATED
        );
    }
);
