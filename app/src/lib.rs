//! Ferry's web app and the API contract it shares with the server.
//!
//! The contract (`types`, `paths`, `limits`) compiles everywhere, with no axum, sea-orm or tokio, so
//! the server and the browser speak exactly the same types. The Leptos web app itself sits behind the
//! `ui` feature: the wasm32 `frontend` crate renders it (`csr`); the server only lists its routes
//! (`ssr`, through `leptos_axum`), so it can answer 404 for a path that is no page.
#![forbid(unsafe_code)]
// The server-side (`ssr`) view types of the bigger pages nest deeper than the default 128.
#![recursion_limit = "256"]

pub mod limits;
pub mod paths;
pub mod types;

#[cfg(feature = "ui")]
pub mod ui;
