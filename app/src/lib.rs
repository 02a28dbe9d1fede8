//! Ferry's web app and the API contract it shares with the server.
//!
//! The contract (`types`, `paths`, `limits`) compiles everywhere, with no axum, sea-orm or tokio, so
//! the server and the browser speak exactly the same types. The Leptos web app itself sits behind the
//! `ui` feature, which only the wasm32 `frontend` crate turns on.
#![forbid(unsafe_code)]

pub mod limits;
pub mod paths;
pub mod types;

#[cfg(feature = "ui")]
pub mod ui;
