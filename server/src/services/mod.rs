//! Domain rules, independent of HTTP: who may do what, and what a valid change is.

pub mod accounts;
pub mod archive;
pub mod desktop_client;
pub mod devices;
pub mod downloads;
pub mod expiration;
pub mod file_names;
pub mod file_paths;
pub mod housekeeping;
pub mod mail;
pub mod notifications;
pub mod packages;
pub mod settings;
mod state;
pub mod text;
pub mod transfer_spec;
pub mod uploads;

pub use state::AppState;
