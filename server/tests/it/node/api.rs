//! The node API's own rules, spoken to its router directly: no request without the node token
//! changes anything, names that are not server-made are refused, and every error has Ferry's shape.

use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode},
};
use ferry_server::{
    config::Secret,
    storage::{StorageError, TransferNode, local::LocalNode},
};

use crate::{
    common::{NODE_TOKEN, TestResponse, send_request},
    node::support::{NodeServer, Stored, body, client},
};

const KEY: &str = "ab0123456789";

struct Api {
    _dir: tempfile::TempDir,
    storage: std::path::PathBuf,
    node: LocalNode,
    router: Router,
}

impl Api {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("storage");
        let node = LocalNode::open(&storage).unwrap();
        let router = ferry_server::node::router(Arc::new(node.clone()), Secret::new(NODE_TOKEN));
        // One upload with bytes and one published object, which refused requests must not touch.
        node.create_upload("kept").await.unwrap();
        node.append("kept", 0, 100, body(&[b"12345"]), None)
            .await
            .unwrap();
        node.publish(&["kept".into()], KEY).await.unwrap();
        Self {
            _dir: dir,
            storage,
            node,
            router,
        }
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: &str,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.starts_with('{') {
            request = request.header("content-type", "application/json");
        }
        send_request(
            &self.router,
            request.body(Body::from(body.to_owned())).unwrap(),
        )
        .await
    }

    fn upload_files(&self) -> usize {
        std::fs::read_dir(self.storage.join("uploads"))
            .unwrap()
            .count()
    }

    async fn unchanged(&self) {
        assert_eq!(
            Stored::Disk(self.storage.clone())
                .upload_bytes("kept")
                .await,
            b"12345"
        );
        assert_eq!(self.upload_files(), 1, "no upload created");
        assert_eq!(
            self.node.object_size(KEY).await.unwrap(),
            5,
            "the object stays"
        );
        assert!(matches!(
            self.node.object_size("ab-new").await,
            Err(StorageError::NotFound)
        ));
    }
}

/// A request to each operation (and to a path the API does not have).
fn every_operation() -> Vec<(Method, String, &'static str)> {
    vec![
        (Method::GET, "/node/v1/health".into(), ""),
        (Method::GET, "/node/v1/uploads?idle_secs=0".into(), ""),
        (Method::PUT, "/node/v1/uploads/new".into(), ""),
        (
            Method::PATCH,
            "/node/v1/uploads/kept?offset=0&max=9".into(),
            "XXXXXXXXX",
        ),
        (
            Method::POST,
            "/node/v1/uploads/kept/truncate?len=0".into(),
            "",
        ),
        (Method::DELETE, "/node/v1/uploads/kept".into(), ""),
        (
            Method::POST,
            "/node/v1/objects/ab-new".into(),
            r#"{"parts":["kept"]}"#,
        ),
        (
            Method::GET,
            format!("/node/v1/objects/{KEY}?offset=0&len=5"),
            "",
        ),
        (Method::GET, format!("/node/v1/objects/{KEY}/size"), ""),
        (Method::DELETE, format!("/node/v1/objects/{KEY}"), ""),
        (Method::GET, "/node/v1/nothing-here".into(), ""),
    ]
}

#[tokio::test]
async fn requests_without_the_node_token_are_refused_and_change_nothing() {
    let api = Api::new().await;
    let wrong = format!("{NODE_TOKEN}x");
    let short = &NODE_TOKEN[..NODE_TOKEN.len() - 1];
    for (method, uri, body) in every_operation() {
        for token in [None, Some(wrong.as_str()), Some(short), Some("")] {
            let answer = api.call(method.clone(), &uri, token, body).await;
            assert_eq!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} {token:?}"
            );
            assert_eq!(answer.error_code(), "unauthorized");
            assert_eq!(answer.headers["www-authenticate"], "Bearer");
            assert!(!answer.text.contains(NODE_TOKEN));
        }
        api.unchanged().await;
    }
    let health = api
        .call(Method::GET, "/node/v1/health", Some(NODE_TOKEN), "")
        .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
}

#[tokio::test]
async fn names_that_are_not_server_made_are_refused() {
    let api = Api::new().await;
    let token = Some(NODE_TOKEN);
    for name in [
        "UPPER",
        "a.b",
        "..",
        "..%2F..%2Fetc",
        "a%2Fb",
        "%00",
        "x%20y",
    ] {
        for (method, uri, body) in [
            (Method::PUT, format!("/node/v1/uploads/{name}"), ""),
            (
                Method::PATCH,
                format!("/node/v1/uploads/{name}?offset=0&max=1"),
                "x",
            ),
            (Method::DELETE, format!("/node/v1/objects/{name}"), ""),
            (
                Method::POST,
                format!("/node/v1/objects/{name}"),
                r#"{"parts":["kept"]}"#,
            ),
        ] {
            let answer = api.call(method.clone(), &uri, token, body).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{method} {uri}");
            assert_eq!(answer.error_code(), "invalid_input", "{method} {uri}");
        }
    }
    let foreign_part = api
        .call(
            Method::POST,
            "/node/v1/objects/ab-new",
            token,
            r#"{"parts":["../kept"]}"#,
        )
        .await;
    assert_eq!(foreign_part.status, StatusCode::BAD_REQUEST);
    assert_eq!(foreign_part.error_code(), "invalid_input");
    api.unchanged().await;
}

#[tokio::test]
async fn errors_have_statuses_the_client_maps_back() {
    let api = Api::new().await;
    let token = Some(NODE_TOKEN);
    let missing = api
        .call(Method::GET, "/node/v1/objects/ab-none/size", token, "")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error_code(), "not_found");
    let twice = api
        .call(
            Method::POST,
            &format!("/node/v1/objects/{KEY}"),
            token,
            r#"{"parts":["kept"]}"#,
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.error_code(), "already_exists");
    let no_offset = api
        .call(Method::PATCH, "/node/v1/uploads/kept?max=1", token, "x")
        .await;
    assert_eq!(no_offset.status, StatusCode::BAD_REQUEST);
    assert!(
        no_offset.message().contains("offset"),
        "{}",
        no_offset.message()
    );
    let bad_json = api
        .call(Method::POST, "/node/v1/objects/ab-new", token, "{")
        .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    let nowhere = api
        .call(Method::GET, "/node/v1/nothing-here", token, "")
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(nowhere.error_code(), "no_such_path");
    api.unchanged().await;
}

#[tokio::test]
async fn a_gateway_with_the_wrong_token_is_told_which_setting_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let server = NodeServer::start(&storage, "127.0.0.1:0".parse().unwrap());
    let node = client(&server.url(), &format!("{NODE_TOKEN}-other"));
    let refused = node.create_upload("up-1").await.unwrap_err();
    assert!(refused.to_string().contains("node_token"), "{refused}");
    assert!(node.check().await.is_err());
    assert_eq!(
        std::fs::read_dir(storage.join("uploads")).unwrap().count(),
        0
    );
    let right = client(&server.url(), NODE_TOKEN);
    assert_eq!(right.check().await.unwrap().status, "ok");
}
