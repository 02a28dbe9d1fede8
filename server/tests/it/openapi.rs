//! The OpenAPI document is generated from the code and covers every endpoint of the package API.

use axum::http::StatusCode;
use serde_json::Value;

use crate::common::{Engine, TestApp, TestRequest};

/// Every package API operation: (method, path pattern).
const OPERATIONS: &[(&str, &str)] = &[
    ("get", app::paths::HEALTHZ),
    ("get", app::paths::CLIENT_CONFIG),
    ("get", app::paths::SESSION),
    ("post", app::paths::SESSION),
    ("delete", app::paths::SESSION),
    ("put", app::paths::ME_PASSWORD),
    ("get", app::paths::ME_PREFERENCES),
    ("put", app::paths::ME_PREFERENCES),
    ("get", app::paths::ME_TOKENS),
    ("post", app::paths::ME_TOKENS),
    ("delete", app::paths::ME_TOKEN),
    ("get", app::paths::USERS),
    ("get", app::paths::ADMIN_USERS),
    ("post", app::paths::ADMIN_USERS),
    ("patch", app::paths::ADMIN_USER),
    ("put", app::paths::ADMIN_USER_PASSWORD),
    ("get", app::paths::SETTINGS),
    ("put", app::paths::ADMIN_SETTINGS),
    ("post", app::paths::PACKAGES),
    ("get", app::paths::PACKAGES_RECEIVED),
    ("get", app::paths::PACKAGES_SENT),
    ("get", app::paths::PACKAGE),
    ("delete", app::paths::PACKAGE),
    ("post", app::paths::PACKAGE_UPLOAD_SPEC),
    ("post", app::paths::PACKAGE_DOWNLOAD_SPEC),
    ("post", app::paths::PACKAGE_FILE_LINK),
    ("get", app::paths::PACKAGE_FILE_DELIVERY),
    ("get", app::paths::ADMIN_PACKAGES),
    ("delete", app::paths::ADMIN_PACKAGE_FILES),
    ("get", app::paths::ME_NOTIFICATIONS),
    ("get", app::paths::ME_NOTIFICATIONS_UNREAD),
    ("post", app::paths::ME_NOTIFICATION_READ),
    ("post", app::paths::ME_NOTIFICATIONS_READ_ALL),
    ("get", app::paths::ADMIN_MAIL),
];

async fn document() -> Value {
    let app = TestApp::start(Engine::Sqlite).await;
    let response = app.call(TestRequest::get(app::paths::OPENAPI)).await;
    assert_eq!(response.status, StatusCode::OK);
    response.body
}

#[tokio::test]
async fn documents_every_operation_with_its_errors() {
    let doc = document().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (method, path) in OPERATIONS {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|code| code.starts_with('2')),
            "{method} {path} documents no success response"
        );
        let public = [app::paths::HEALTHZ, app::paths::CLIENT_CONFIG];
        if !public.contains(path) {
            assert!(
                responses.keys().any(|code| code.starts_with('4')),
                "{method} {path} documents no error response"
            );
        }
    }
}

#[tokio::test]
async fn every_documented_operation_exists_and_every_schema_reference_resolves() {
    let doc = document().await;
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    for (method, path) in &documented {
        assert!(
            OPERATIONS.contains(&(method.as_str(), path.as_str())),
            "{method} {path} is documented but not listed in this test: add it"
        );
    }
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "unresolved schema {name}");
    }
    assert!(schemas.contains_key("ErrorBody"));

    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids must be unique");
    assert_eq!(count, OPERATIONS.len(), "every operation has an id");
}

#[tokio::test]
async fn lists_every_error_code_a_client_can_match_on() {
    let doc = document().await;
    let listed: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode is an enum of strings")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for code in app::types::ErrorCode::ALL {
        assert!(listed.contains(&code.as_str()), "{code} is not listed");
    }
    assert_eq!(
        doc["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
}
