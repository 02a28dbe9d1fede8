//! The body of a download: the node's bytes, passed through unchanged, with two duties.
//!
//! - **Never end looking complete after a deletion.** Before the final chunk, and every
//!   [`RECHECK_EVERY`] bytes, the file's row is read again; once it is no longer servable (deleted
//!   by expiration or an admin, or its package deleted) the body fails, so the client sees a
//!   truncated response rather than a complete one.
//! - **Record what was delivered.** When the body ends, fails or is dropped (the client went away),
//!   the range actually handed to the server's HTTP stack, `[start, start + bytes yielded)`, is
//!   recorded ([`super::tracking`]); so is each [`RECHECK_EVERY`] bytes of it on the way, so that
//!   a long download's progress can be read from the records while it runs (the web app follows
//!   the browser's own downloads that way). The record runs as a task of its own ([`DeliveryRecords`]), so a
//!   client leaving mid-record cannot cancel it; a body that ends normally waits for it, so the
//!   download's effects (a package counted downloaded, its files expired) are in place when the
//!   last byte is out.

use std::io;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio_util::task::TaskTracker;

use crate::telemetry::GATEWAY_TARGET;

use super::{Servable, still_servable, tracking::Delivered};
use crate::{services::AppState, storage::ByteStream};

/// Bytes between two checks that a file being streamed was not deleted meanwhile.
pub const RECHECK_EVERY: u64 = 32 << 20;

/// The download records still being written (spawned when a body ends or is dropped).
#[derive(Debug, Clone, Default)]
pub struct DeliveryRecords(TaskTracker);

impl DeliveryRecords {
    fn spawn(&self, state: AppState, delivered: Delivered) -> Option<tokio::task::JoinHandle<()>> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!(
                file.id = delivered.file_id,
                "no runtime to record a download on"
            );
            return None;
        };
        let task = async move {
            if let Err(error) = super::tracking::record(&state, &delivered).await {
                tracing::error!(file.id = delivered.file_id, user.id = delivered.user_id, %error,
                    "recording a download failed");
            }
        };
        Some(self.0.spawn_on(task, &runtime))
    }

    /// Waits until every record spawned so far is written (shutdown; tests).
    pub async fn settled(&self) {
        self.0.close();
        self.0.wait().await;
        self.0.reopen();
    }
}

/// What one response delivered so far; recorded once, when it ends or is dropped.
struct Record {
    state: AppState,
    package_id: i64,
    file_id: i64,
    user_id: i64,
    file_size: u64,
    start: u64,
    sent: u64,
    /// How many of the `sent` bytes were already recorded by [`Record::checkpoint`].
    recorded_to: u64,
    recorded: bool,
}

impl Record {
    fn delivered(&self) -> Delivered {
        Delivered {
            package_id: self.package_id,
            file_id: self.file_id,
            user_id: self.user_id,
            file_size: self.file_size,
            start: self.start + self.recorded_to,
            end: self.start + self.sent,
        }
    }

    /// Records what was sent since the last record, without waiting for it.
    fn checkpoint(&mut self) {
        if self.sent > self.recorded_to {
            let _ = self
                .state
                .download_records
                .spawn(self.state.clone(), self.delivered());
            self.recorded_to = self.sent;
        }
    }

    /// Records the delivery and waits for it (the body's normal end).
    async fn finish(&mut self) {
        self.recorded = true;
        let handle = self
            .state
            .download_records
            .spawn(self.state.clone(), self.delivered());
        if let Some(handle) = handle {
            let _ = handle.await;
        }
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        // Ended early (client gone, failed): what went out still counts. An empty file's body is
        // dropped unpolled (hyper knows from `Content-Length: 0` there is nothing to read): its
        // answer was all of it.
        tracing::event!(
            target: GATEWAY_TARGET,
            tracing::Level::INFO,
            package.id = self.package_id,
            file.id = self.file_id,
            user.id = self.user_id,
            start = self.start,
            bytes = self.sent,
            "download ended"
        );
        if !self.recorded && (self.sent > self.recorded_to || self.file_size == 0) {
            self.recorded = true;
            let _ = self
                .state
                .download_records
                .spawn(self.state.clone(), self.delivered());
        }
    }
}

/// The stream's state between chunks.
struct Flow {
    bytes: ByteStream,
    record: Record,
    len: u64,
    since_check: u64,
    failed: bool,
}

/// The body of a response sending `len` bytes of `file` from `start` to `user_id`, read from
/// `bytes` (the node's stream of exactly that part).
pub fn deliver(
    state: &AppState,
    file: &Servable,
    user_id: i64,
    start: u64,
    len: u64,
    bytes: ByteStream,
) -> ByteStream {
    let flow = Flow {
        bytes,
        record: Record {
            state: state.clone(),
            package_id: file.file.package_id,
            file_id: file.file.id,
            user_id,
            file_size: file.size,
            start,
            sent: 0,
            recorded_to: 0,
            recorded: false,
        },
        len,
        since_check: 0,
        failed: false,
    };
    Box::pin(futures_util::stream::unfold(flow, next))
}

async fn next(mut flow: Flow) -> Option<(io::Result<Bytes>, Flow)> {
    if flow.failed {
        return None;
    }
    let chunk = match flow.bytes.next().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(error)) => return Some(fail(flow, error)),
        None if flow.record.sent < flow.len => {
            let error = io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the transfer node sent {} of {} bytes",
                    flow.record.sent, flow.len
                ),
            );
            return Some(fail(flow, error));
        }
        None => {
            flow.record.finish().await;
            return None;
        }
    };
    let after = flow.record.sent + chunk.len() as u64;
    flow.since_check += chunk.len() as u64;
    let last = after >= flow.len;
    if last || flow.since_check >= RECHECK_EVERY {
        flow.since_check = 0;
        match still_servable(&flow.record.state.db, flow.record.file_id).await {
            Ok(true) if last => {}
            Ok(true) => flow.record.checkpoint(),
            Ok(false) => {
                tracing::info!(
                    file.id = flow.record.file_id,
                    sent = flow.record.sent,
                    "file deleted during a download: the response is cut short"
                );
                let error = io::Error::other("the file was deleted during the download");
                return Some(fail(flow, error));
            }
            Err(error) => return Some(fail(flow, io::Error::other(error))),
        }
    }
    flow.record.sent = after;
    Some((Ok(chunk), flow))
}

/// Ends the body with `error`: the client sees a truncated response.
fn fail(mut flow: Flow, error: io::Error) -> (io::Result<Bytes>, Flow) {
    flow.failed = true;
    (Err(error), flow)
}
