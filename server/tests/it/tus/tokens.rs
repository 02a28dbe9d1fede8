//! The transfer token decides everything: another package, another file, the receive direction,
//! an expired, tampered or missing token are all refused, and other packages' uploads stay invisible.

use app::{paths, types::TransferDirection};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use ferry_server::transfer::token::{Issuer, TransferClaims};
use sea_orm::EntityTrait;

use crate::{
    common::{self, Engine},
    on_both_databases,
    tus::support::{World, meta},
};

on_both_databases!(token_misuse_is_refused, |engine: Engine| async move {
    let world = World::new(engine, &[("a.bin", 4), ("b.bin", 4)]).await;
    let (a, b) = (world.files[0], world.files[1]);
    let url = world.create(a, 4).await;
    let keys = &world.app.state.transfer_keys;
    let alice = world.file(a).await;
    let alice_id = world.package_row().await.sender_id;
    // Forged claims below carry the issuer of alice's real token, so only what they test differs.
    let alices = keys.verify(&world.token).unwrap().by.unwrap();
    assert_eq!(alice.package_id, world.package);

    // A second draft of alice's, with its own file and token.
    let other_package = world.draft().await;
    let (other_files, other_token) = world.spec(other_package, &[("c.bin", 4)]).await;

    // Another package's token: this package's uploads are invisible, its files not covered.
    let head = world
        .send(
            world.tus_as(&other_token, Method::HEAD, &url),
            Body::empty(),
        )
        .await;
    assert_eq!(head.status, StatusCode::NOT_FOUND);
    let patch = world
        .send(
            world
                .tus_as(&other_token, Method::PATCH, &url)
                .header("content-type", "application/offset+octet-stream")
                .header("upload-offset", "0"),
            Body::from("abcd"),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    let delete = world
        .send(
            world.tus_as(&other_token, Method::DELETE, &url),
            Body::empty(),
        )
        .await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    let create = world
        .send(
            world
                .tus_as(&other_token, Method::POST, paths::GATEWAY_TUS)
                .header("upload-length", "4")
                .header("upload-metadata", meta(a, "a.bin")),
            Body::empty(),
        )
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN, "{}", create.text);
    // …and this package's token does not cover the other package's file.
    assert_eq!(
        world.try_create(other_files[0], 4).await.status,
        StatusCode::FORBIDDEN
    );

    // A token for file a only: file b is not covered, its upload not writable.
    let only_a = keys
        .issue(
            &TransferClaims::new(alice_id, world.package, TransferDirection::Send, vec![a])
                .issued_by(alices.clone()),
        )
        .unwrap();
    let b_url = world.create(b, 4).await;
    let create_b = world
        .send(
            world
                .tus_as(&only_a, Method::POST, paths::GATEWAY_TUS)
                .header("upload-length", "4")
                .header("upload-metadata", meta(b, "b.bin")),
            Body::empty(),
        )
        .await;
    assert_eq!(create_b.status, StatusCode::FORBIDDEN);
    assert!(
        create_b.message().contains(&format!("file {b}")),
        "{}",
        create_b.message()
    );
    for method in [Method::HEAD, Method::DELETE] {
        let answer = world
            .send(world.tus_as(&only_a, method, &b_url), Body::empty())
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }

    // A receive token, an expired one, a tampered one, none at all.
    let receive = keys
        .issue(
            &TransferClaims::new(
                alice_id,
                world.package,
                TransferDirection::Receive,
                vec![a, b],
            )
            .issued_by(alices.clone()),
        )
        .unwrap();
    let answer = world
        .send(world.tus_as(&receive, Method::DELETE, &url), Body::empty())
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer.message().contains("downloading"),
        "{}",
        answer.message()
    );

    let mut old = TransferClaims::new(alice_id, world.package, TransferDirection::Send, vec![a, b])
        .issued_by(alices.clone());
    old.exp = (chrono::Utc::now() - chrono::Duration::minutes(10)).timestamp();
    let expired = keys.issue(&old).unwrap();
    let (signed, signature) = world.token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
    for token in [expired.as_str(), tampered.as_str(), "not-a-token"] {
        let answer = world
            .send(world.tus_as(token, Method::HEAD, &url), Body::empty())
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(answer.headers["tus-resumable"], "1.0.0");
        assert_eq!(answer.headers["www-authenticate"], "Bearer");
    }
    let anonymous = world
        .send(
            Request::builder()
                .method(Method::POST)
                .uri(paths::GATEWAY_TUS)
                .header("tus-resumable", "1.0.0")
                .header("upload-length", "4")
                .header("upload-metadata", meta(a, "a.bin")),
            Body::empty(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.message().contains("Bearer"));

    // A token signed for someone who is not the sender (asked for with bob's own API token).
    let bob_id = alice_id + 1;
    let bobs_api_token = world
        .app
        .call(
            common::TestRequest::post(app::paths::ME_TOKENS, serde_json::json!({ "name": "cli" }))
                .cookie(&world.bob),
        )
        .await;
    assert_eq!(
        bobs_api_token.status,
        StatusCode::CREATED,
        "{}",
        bobs_api_token.text
    );
    let bobs_api_token = bobs_api_token.body["details"]["id"].as_i64().unwrap();
    let bobs = keys
        .issue(
            &TransferClaims::new(bob_id, world.package, TransferDirection::Send, vec![a])
                .issued_by(Issuer::ApiToken(bobs_api_token)),
        )
        .unwrap();
    let answer = world
        .send(world.tus_as(&bobs, Method::HEAD, &url), Body::empty())
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        world.head(&url).await.status,
        StatusCode::OK,
        "the right token still works"
    );
});

on_both_databases!(
    a_transfer_token_dies_with_the_credential_that_asked_for_it,
    |engine: Engine| async move {
        use common::{ADMIN_PASSWORD, TestRequest};
        use serde_json::json;

        let world = World::new(engine, &[("a.bin", 4)]).await;
        let url = world.create(world.files[0], 4).await;
        assert_eq!(world.head(&url).await.status, StatusCode::OK);
        let keys = &world.app.state.transfer_keys;
        // A new upload spec of the same file, asked for with whatever credential is added.
        let spec_request = || {
            TestRequest::post(
                &paths::with_id(paths::PACKAGE_UPLOAD_SPEC, world.package),
                json!({ "files": [{ "name": "a.bin", "size": 4 }] }),
            )
        };
        let claims = keys.verify(&world.token).unwrap();

        // A token naming no credential (as tokens made before this check did) is refused.
        let anonymous = keys
            .issue(&TransferClaims {
                by: None,
                ..claims.clone()
            })
            .unwrap();
        let answer = world
            .send(world.tus_as(&anonymous, Method::HEAD, &url), Body::empty())
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);

        // Asked for with an API token: revoking that token ends the transfer token.
        let created = world
            .app
            .call(
                TestRequest::post(paths::ME_TOKENS, json!({ "name": "cli" })).cookie(&world.alice),
            )
            .await;
        let api_token = created.body["token"].as_str().unwrap().to_owned();
        let api_token_id = created.body["details"]["id"].as_i64().unwrap();
        let spec = world.app.call(spec_request().bearer(&api_token)).await;
        assert_eq!(spec.status, StatusCode::OK, "{}", spec.text);
        let by_api_token = spec.body["token"].as_str().unwrap().to_owned();
        let head = |token: String| {
            let request = world.tus_as(&token, Method::HEAD, &url);
            async { world.send(request, Body::empty()).await }
        };
        assert_eq!(head(by_api_token.clone()).await.status, StatusCode::OK);
        let revoked = world
            .app
            .call(
                TestRequest::delete(&paths::with_id(paths::ME_TOKEN, api_token_id))
                    .cookie(&world.alice),
            )
            .await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        assert_eq!(
            head(by_api_token.clone()).await.status,
            StatusCode::UNAUTHORIZED
        );
        // HEAD answers carry no body: the reason is in any other answer.
        let refused = world
            .send(
                world.tus_as(&by_api_token, Method::DELETE, &url),
                Body::empty(),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(
            refused.message().contains("no longer works"),
            "{}",
            refused.text
        );
        assert_eq!(
            head(world.token.clone()).await.status,
            StatusCode::OK,
            "the session's still works"
        );

        // Signing out ends the tokens that session asked for.
        let out = world
            .app
            .call(TestRequest::delete(paths::SESSION).cookie(&world.alice))
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_eq!(
            head(world.token.clone()).await.status,
            StatusCode::UNAUTHORIZED
        );

        // Disabling the user ends every token of theirs, whoever asked for it.
        let alice = world
            .app
            .sign_in("alice", crate::tus::support::PASSWORD)
            .await;
        let spec = world.app.call(spec_request().cookie(&alice)).await;
        let fresh = spec.body["token"].as_str().unwrap().to_owned();
        assert_eq!(head(fresh.clone()).await.status, StatusCode::OK);
        let admin = world.app.sign_in("admin", ADMIN_PASSWORD).await;
        let disabled = world
            .app
            .call(
                TestRequest::patch(
                    &paths::with_id(paths::ADMIN_USER, claims.uid),
                    json!({ "disabled": true }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text);
        assert_eq!(head(fresh).await.status, StatusCode::UNAUTHORIZED);
    }
);

// Disabling a user ends their upload under way: the PATCH still streaming answers 401 with the
// reason within a few seconds (`transfer::live::RECHECK`), and no more of its bytes are taken.
on_both_databases!(
    a_running_upload_ends_when_its_user_is_disabled,
    |engine: Engine| async move {
        use common::{ADMIN_PASSWORD, TestRequest};
        use futures_util::StreamExt;
        use std::time::Duration;

        const PIECE: usize = 64 * 1024;
        let length = 64 * PIECE;
        let world = World::new(engine, &[("a.bin", length as u64)]).await;
        let url = world.create(world.files[0], length as u64).await;
        let uid = world
            .app
            .state
            .transfer_keys
            .verify(&world.token)
            .unwrap()
            .uid;

        // A client sending a piece every 100 ms: 6.4 s for the whole body.
        let pieces = futures_util::stream::iter(0..64).then(|_| async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok::<_, std::io::Error>(bytes::Bytes::from(vec![7u8; PIECE]))
        });
        let request = world.patch_request(&url, 0);
        let patch = tokio::spawn({
            let gateway = world.app.gateway.clone();
            async move {
                use tower::ServiceExt;
                gateway
                    .oneshot(request.body(Body::from_stream(pieces)).unwrap())
                    .await
                    .unwrap()
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        let admin = world.app.sign_in("admin", ADMIN_PASSWORD).await;
        let disabled = world
            .app
            .call(
                TestRequest::patch(
                    &paths::with_id(paths::ADMIN_USER, uid),
                    serde_json::json!({ "disabled": true }),
                )
                .cookie(&admin),
            )
            .await;
        assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text);

        let answer = tokio::time::timeout(Duration::from_secs(5), patch)
            .await
            .expect("the PATCH ends well before its body would")
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
        let body = http_body_util::BodyExt::collect(answer.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("no longer works"), "{text}");
        let row = ferry_server::db::entities::uploads::Entity::find_by_id(location_id(&url))
            .one(&world.app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert!(
            (row.offset as usize) < length,
            "the upload was not completed: {} of {length}",
            row.offset
        );
    }
);

fn location_id(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}
