//! The OpenAPI 3 document of the package API, generated from the handlers' `#[utoipa::path]`
//! annotations and the contract types, served at `GET /api/openapi.json`.

use std::sync::Arc;

use axum::{Json, extract::State};
use utoipa::{
    Modify, OpenApi,
    openapi::{
        self,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

/// Name of the session-cookie security scheme in the document.
pub const COOKIE_AUTH: &str = "session_cookie";
/// Name of the personal-API-token security scheme in the document.
pub const TOKEN_AUTH: &str = "api_token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ferry package API",
        description = "Accounts, packages, preferences and admin settings of a Ferry server. \
            Every error answers `{\"error\": {\"code\", \"message\"}}`. Browser sessions use the \
            `ferry_session` cookie and must send `x-ferry-request: 1` on POST, PUT, PATCH and \
            DELETE; other clients send a personal API token as `Authorization: Bearer`.",
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
    }
}

/// `GET /api/openapi.json`.
pub async fn document(State(doc): State<Arc<openapi::OpenApi>>) -> Json<openapi::OpenApi> {
    Json(doc.as_ref().clone())
}
