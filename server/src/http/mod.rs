//! The web listener: package API under `/api`, `/healthz`, and the built web app for every other path.

mod client_config;
mod csrf;
mod health;
mod session;
mod static_files;
pub mod trace;

use app::paths;
use axum::{Router, middleware, routing::get};

use crate::{error::ApiError, state::AppState};

/// The whole web listener, ready to serve or to drive with `oneshot` in tests.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(
            paths::SESSION,
            get(session::current)
                .post(session::login)
                .delete(session::logout),
        )
        .route(paths::CLIENT_CONFIG, get(client_config::show))
        .route(paths::HEALTHZ, get(health::check))
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
