//! Real `ferry` processes killed (SIGKILL) in the middle of an upload, then started again on the
//! same data dir: the gateway (`ferry serve` with its in-process node), or a separate transfer node
//! (`ferry node`) under a running gateway. Either way the upload resumes from the last acknowledged
//! byte, nothing partial is ever published, and the finished file is byte-identical. Spoken over
//! raw HTTP/1.1 sockets.
#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod node;
mod server;
mod support;
