//! The upload engine: sends a draft's files to the HTTP gateway with tus 1.0.0, straight from the
//! chosen files (`Blob` slices over `XMLHttpRequest`, never copied into wasm memory).
//!
//! Big files go in parallel parts joined by tus concatenation; every failure is retried with
//! backoff from the gateway's own offset; uploads pause while the browser is offline; upload URLs
//! are remembered in `localStorage` so that choosing the same file again resumes it.
//!
//! - [`package`] and [`cancel`]: the whole package (files two at a time, abort) and Cancel;
//! - [`file`], [`part`] and [`retry`]: one file, one of its parts, and retrying their requests;
//! - [`tus`], [`xhr`], [`headers`]: the protocol over the wire;
//! - [`spec`]: the transfer spec and its token, kept fresh;
//! - [`plan`], [`backoff`], [`resume`], [`progress`]: rules and figures.
//!
//! Speed, stopping and waiting are shared with the download engine, one folder up.

mod backoff;
mod cancel;
mod file;
mod headers;
mod package;
mod part;
mod plan;
mod progress;
mod resume;
mod retry;
mod spec;
mod tus;
mod xhr;

pub use package::{PackageUpload, UploadOutcome};
pub use progress::{FileProgress, FileStage, TotalProgress};
pub use resume::forget_package;
