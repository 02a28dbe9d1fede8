//! The OpenAPI 3 document of the package API, generated from the handlers' `#[utoipa::path]`
//! annotations and the contract types, served at `GET /api/openapi.json`.

use std::sync::Arc;

use axum::{Json, extract::State};

use super::csrf;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        self,
        security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        },
    },
};

/// Name of the session-cookie security scheme in the document.
pub const COOKIE_AUTH: &str = "session_cookie";
/// Name of the personal-API-token security scheme in the document.
pub const TOKEN_AUTH: &str = "api_token";
/// Name of the scheme for the `x-ferry-request: 1` header that a request without a bearer token
/// needs to change anything ([`super::csrf`]).
pub const FERRY_REQUEST: &str = "ferry_request";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ferry package API",
        description = "Accounts, packages, preferences and admin settings of a Ferry server. \
            Every error answers `{\"error\": {\"code\", \"message\"}}`. Browser sessions use the \
            `ferry_session` cookie and must send `x-ferry-request: 1` on POST, PUT, PATCH and \
            DELETE (the `ferry_request` scheme); other clients send a personal API token as \
            `Authorization: Bearer`.",
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "accounts", description = "My password, preferences and API tokens; the user directory"),
        (name = "admin", description = "Users and settings (admins only)"),
        (name = "packages", description = "Creating, listing, reading and deleting packages"),
        (name = "notifications", description = "My in-app notifications; the mail outbox (admins)"),
        (name = "server", description = "Health and public configuration"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            COOKIE_AUTH,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::COOKIE_NAME,
            ))),
        );
        components.add_security_scheme(
            TOKEN_AUTH,
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            FERRY_REQUEST,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                app::paths::CSRF_HEADER,
                "Send the value `1`. Required, with the session cookie, on POST, PUT, PATCH and \
                 DELETE (signing in too): a page on another site cannot send it.",
            ))),
        );
    }
}

/// Declares, on every operation that changes something, that a request without a bearer token
/// needs the [`FERRY_REQUEST`] header: with the session cookie (both in one requirement), and
/// alone where no credential is needed (signing in). Runs on the finished document, once the
/// routes have added their paths.
pub fn require_ferry_request(doc: &mut openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let changing = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in changing.into_iter().flatten() {
            if csrf::is_exempt_path(path) {
                continue;
            }
            let requirements = operation.security.get_or_insert_with(Vec::new);
            if requirements.is_empty() {
                requirements.push(SecurityRequirement::new(FERRY_REQUEST, [""; 0]));
                continue;
            }
            for requirement in requirements.iter_mut() {
                if names(requirement).iter().any(|name| name == COOKIE_AUTH) {
                    *requirement = requirement.clone().add(FERRY_REQUEST, [""; 0]);
                }
            }
        }
    }
}

/// The scheme names one requirement asks for (all of them at once).
fn names(requirement: &SecurityRequirement) -> Vec<String> {
    serde_json::to_value(requirement)
        .ok()
        .and_then(|value| value.as_object().map(|map| map.keys().cloned().collect()))
        .unwrap_or_default()
}

/// `GET /api/openapi.json`.
pub async fn document(State(doc): State<Arc<openapi::OpenApi>>) -> Json<openapi::OpenApi> {
    Json(doc.as_ref().clone())
}
