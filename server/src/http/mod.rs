//! The web listener: package API under `/api`, `/healthz`, and the built web app for every other path.
//! Each resource's handlers live in their own file and register themselves, with their OpenAPI
//! description, through `routes()`.

mod admin_packages;
mod admin_users;
mod client_config;
mod csrf;
mod file_downloads;
mod health;
mod me;
mod notifications;
pub mod openapi;
mod packages;
mod session;
mod settings;
mod static_files;
pub mod trace;
mod transfer_spec;
mod users;

use std::sync::Arc;

use app::paths;
use axum::{Router, middleware, routing::get};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{error::ApiError, state::AppState};

/// Every package API route with its OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::check))
        .routes(routes!(client_config::show))
        .routes(routes!(session::current, session::login, session::logout))
        .merge(me::routes())
        .merge(notifications::routes())
        .merge(users::routes())
        .merge(admin_users::routes())
        .merge(admin_packages::routes())
        .merge(settings::routes())
        .merge(packages::routes())
        .merge(transfer_spec::routes())
        .merge(file_downloads::routes())
}

/// The whole web listener, ready to serve or to drive with `oneshot` in tests.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api().split_for_parts();
    let doc_route = Router::new()
        .route(paths::OPENAPI, get(openapi::document))
        .with_state(Arc::new(doc));
    let api = api
        .merge(doc_route)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn(csrf::require_same_origin))
        .layer(trace::layer(trace::Listener::Web));
    let unknown_api = Router::new()
        .route("/api", axum::routing::any(|| async { ApiError::NotFound }))
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { ApiError::NotFound }),
        );
    Router::new()
        .merge(api)
        .merge(unknown_api)
        .fallback_service(static_files::service(&state.config.web_dir))
        .with_state(state)
}
