//! The web listener: package API under `/api`, `/healthz`, and the built web app for every other path.
//! Each resource's handlers live in their own file and register themselves, with their OpenAPI
//! description, through `routes()`.

mod admin_packages;
mod admin_users;
mod authority;
pub mod client;
mod client_config;
mod csrf;
mod desktop_client;
mod devices;
mod file_downloads;
mod health;
mod me;
mod notifications;
pub mod openapi;
mod package_archive;
mod packages;
pub mod respond;
mod security_headers;
mod session;
mod settings;
mod static_files;
pub use static_files::page_paths;
mod transfer_spec;
mod users;

use std::sync::Arc;

use app::paths;
use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    routing::get,
};
use tower_http::{set_header::SetResponseHeaderLayer, timeout::RequestBodyTimeoutLayer};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{error::AppError, services::AppState, telemetry};

/// The longest an API request's body may take to arrive.
pub const API_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Every package API route with its OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::check))
        .routes(routes!(client_config::show))
        .routes(routes!(session::current, session::login, session::logout))
        .merge(me::routes())
        .merge(devices::routes())
        .merge(notifications::routes())
        .merge(users::routes())
        .merge(admin_users::routes())
        .merge(admin_packages::routes())
        .merge(settings::routes())
        .merge(packages::routes())
        .merge(transfer_spec::routes())
        .merge(file_downloads::routes())
        .merge(package_archive::routes())
}

/// The whole web listener, ready to serve or to drive with `oneshot` in tests.
pub fn router(state: AppState) -> Router {
    let (api, mut doc) = api().split_for_parts();
    openapi::require_ferry_request(&mut doc);
    let doc_route = Router::new()
        .route(paths::OPENAPI, get(openapi::document))
        .with_state(Arc::new(doc));
    let api = api
        .merge(doc_route)
        // On matched routes only, and before the 405 fallback is set so that it does not wrap it:
        // an unlisted method is a 405 whatever headers it carries.
        .route_layer(middleware::from_fn(csrf::require_same_origin))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        // A client that starts a body and stops sending cannot hold the request (and its
        // connection) open: API bodies are small JSON documents.
        .layer(RequestBodyTimeoutLayer::new(API_BODY_TIMEOUT))
        // Answers about accounts and packages are never kept by a browser or a proxy.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client::record_client,
        ))
        .layer(telemetry::http::layer(telemetry::http::Listener::Web));
    let unknown_api = Router::new()
        .route("/api", axum::routing::any(|| async { AppError::NotFound }))
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { AppError::NotFound }),
        );
    let scripts = security_headers::WebAppScripts::read(&state.config.web_dir);
    let downloads =
        desktop_client::routes().layer(telemetry::http::layer(telemetry::http::Listener::Web));
    Router::new()
        .merge(api)
        .merge(unknown_api)
        .merge(downloads)
        .merge(static_files::pages(&state.config.web_dir))
        .fallback_service(static_files::files(&state.config.web_dir))
        .layer(middleware::from_fn_with_state(
            (state.clone(), scripts),
            security_headers::add,
        ))
        .with_state(state)
}
