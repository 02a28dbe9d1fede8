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
    ("post", app::paths::DEVICE_AUTHORIZATIONS),
    ("post", app::paths::DEVICE_TOKEN),
    ("get", app::paths::DEVICE_AUTHORIZATION),
    ("post", app::paths::DEVICE_AUTHORIZATION_APPROVE),
    ("post", app::paths::DEVICE_AUTHORIZATION_DENY),
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
    ("post", app::paths::PACKAGE_ZIP_LINK),
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

/// How to authenticate is declared, not only described: a cookie request that changes anything
/// needs the `x-ferry-request` header too (one requirement naming both), signing in needs the
/// header alone, a bearer token needs nothing more, and a device's own sign-in calls need neither.
#[tokio::test]
async fn declares_the_header_that_cookie_requests_need_to_change_anything() {
    let doc = document().await;
    let scheme = &doc["components"]["securitySchemes"]["ferry_request"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], app::paths::CSRF_HEADER);

    let requirements = |method: &str, path: &str| -> Vec<Vec<String>> {
        doc["paths"][path][method]["security"]
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|one| {
                        let mut names: Vec<String> =
                            one.as_object().unwrap().keys().cloned().collect();
                        names.sort();
                        names
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let both = vec!["ferry_request".to_owned(), "session_cookie".to_owned()];
    let token = vec!["api_token".to_owned()];
    for (method, path) in OPERATIONS {
        let found = requirements(method, path);
        let device = [app::paths::DEVICE_AUTHORIZATIONS, app::paths::DEVICE_TOKEN];
        if matches!(*method, "get" | "head") || device.contains(path) {
            assert!(
                found.iter().flatten().all(|name| name != "ferry_request"),
                "{method} {path}: {found:?}"
            );
            continue;
        }
        assert!(!found.is_empty(), "{method} {path} declares no security");
        for requirement in &found {
            let cookie = requirement.iter().any(|name| name == "session_cookie");
            if cookie {
                assert_eq!(requirement, &both, "{method} {path}");
            } else if requirement != &token {
                assert_eq!(requirement, &["ferry_request"], "{method} {path}");
            }
        }
    }
    assert_eq!(
        requirements("post", app::paths::SESSION),
        vec![vec!["ferry_request".to_owned()]]
    );
}

/// The limits the server enforces on what people type are in the schemas, so a generated client
/// (or a form built from the document) refuses what the server would.
#[tokio::test]
async fn request_schemas_carry_the_limits_the_server_enforces() {
    use app::limits::{MAX_PASSWORD_LEN, MAX_USERNAME_LEN, MIN_PASSWORD_LEN};
    use app::types::{DeviceAuthorizationRequest, NewPackage};
    use ferry_server::services::accounts::{MAX_DISPLAY_NAME_LEN, MAX_EMAIL_LEN};

    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    let property = |schema: &str, name: &str| schemas[schema]["properties"][name].clone();
    let limits = |schema: &str, name: &str, key: &str| -> Option<u64> {
        property(schema, name)[key].as_u64()
    };
    let max = |schema: &str, name: &str| limits(schema, name, "maxLength");
    let min = |schema: &str, name: &str| limits(schema, name, "minLength");

    assert_eq!(
        max("NewPackage", "title"),
        Some(NewPackage::MAX_TITLE_LEN as u64)
    );
    assert_eq!(min("NewPackage", "title"), Some(1));
    assert_eq!(
        max("NewPackage", "note"),
        Some(NewPackage::MAX_NOTE_LEN as u64)
    );
    assert_eq!(
        limits("NewPackage", "recipients", "maxItems"),
        Some(NewPackage::MAX_RECIPIENTS as u64)
    );
    assert_eq!(limits("NewPackage", "recipients", "minItems"), Some(1));

    assert_eq!(max("NewUser", "username"), Some(MAX_USERNAME_LEN as u64));
    assert_eq!(
        property("NewUser", "username")["pattern"],
        "^[A-Za-z0-9._-]+$"
    );
    assert_eq!(
        max("NewUser", "display_name"),
        Some(MAX_DISPLAY_NAME_LEN as u64)
    );
    assert_eq!(
        max("UserUpdate", "display_name"),
        Some(MAX_DISPLAY_NAME_LEN as u64)
    );
    assert_eq!(max("NewUser", "email"), Some(MAX_EMAIL_LEN as u64));
    assert_eq!(
        max("LoginRequest", "username"),
        Some(MAX_USERNAME_LEN as u64)
    );
    for (schema, name) in [
        ("NewUser", "password"),
        ("PasswordReset", "new_password"),
        ("PasswordChange", "new_password"),
    ] {
        assert_eq!(
            max(schema, name),
            Some(MAX_PASSWORD_LEN as u64),
            "{schema}.{name}"
        );
        assert_eq!(
            min(schema, name),
            Some(MIN_PASSWORD_LEN as u64),
            "{schema}.{name}"
        );
    }
    assert_eq!(
        max("LoginRequest", "password"),
        Some(MAX_PASSWORD_LEN as u64)
    );
    assert_eq!(
        max("NewApiToken", "name"),
        Some(ferry_server::services::accounts::tokens::MAX_NAME_LEN as u64)
    );
    assert_eq!(
        max("DeviceAuthorizationRequest", "device_name"),
        Some(DeviceAuthorizationRequest::MAX_NAME_LEN as u64)
    );
    assert_eq!(
        limits("NewApiToken", "expires_in_days", "maximum"),
        Some(app::types::ApiToken::MAX_LIFETIME_DAYS as u64)
    );
}
