//! Ferry's integration tests, as one test binary: one build and one link for all of them instead of
//! one per file (each binary is a few hundred MB in debug), as crates.io does. Each module but the
//! support ones (`common`, `mail`, `sending`) is a group of tests; run some with a filter on their
//! module, `cargo test -p server --test it -- tus:: packages::`. A filter matches anywhere in a test's
//! path (`tus::` would also pick a module named `status`): `-- --list` shows what it picks.
//!
//! The tests run as threads of one process, so none may change what the process shares: no
//! `std::env::set_var`, no change of directory, no global tracing subscriber (a test that logs
//! scopes its subscriber to its thread, see `serve`). What the tests do share on purpose is one
//! moto server (`common::s3`), started on first use, with a bucket per test.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up panics on failure: the panic is the failure report"
)]

mod accounts;
mod admin;
mod api;
mod common;
mod crash;
mod desktop;
mod desktop_client;
mod device_login;
mod downloads;
mod expiration;
mod file_links;
mod folders;
mod gateway;
mod instances;
mod leases;
mod mail;
mod mail_delivery;
mod node;
mod notifications;
mod openapi;
mod packages;
mod sending;
mod serve;
mod throttle;
mod transfer_spec;
mod tus;
mod zip;
