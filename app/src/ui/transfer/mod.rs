//! The transfer engines, one folder each: [`upload`] sends a draft's files to the HTTP gateway,
//! [`download`] fetches a sent package's files from it (see each for how).
//!
//! Beside them, what both use: [`wait`] (waiting on the browser's single thread), [`stop`]
//! (stopping a file's requests and waits), [`shared_request`] (one spec request for concurrent
//! callers) and [`speed`] (speed and time left, in words).

pub mod download;
mod shared_request;
mod speed;
mod stop;
pub mod upload;
mod wait;

pub use wait::pause;
