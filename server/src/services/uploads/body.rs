//! A PATCH body as the transfer node reads it: never longer than the upload allows, and given up
//! when it stalls. How it ended is recorded, so the caller can tell a complete chunk from one that
//! broke off (kept, unless a checksum was declared), stalled (kept likewise) or ran too long
//! (discarded: 413).

use std::{
    io,
    sync::{Arc, OnceLock},
    time::Duration,
};

use futures_util::{StreamExt, stream};

use crate::storage::ByteStream;

/// How long a PATCH body may go without a byte before the gateway stops waiting for it.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How a watched body ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEnd {
    /// Every byte arrived.
    Complete,
    /// More bytes than allowed: the chunk that crossed the limit was not passed on.
    TooLong,
    /// No byte arrived for [`BODY_IDLE_TIMEOUT`].
    Stalled,
    /// The connection broke (the client went away).
    Broken,
    /// The transfer token stopped working meanwhile (`transfer::live::until_revoked`).
    Revoked,
}

/// Where a watched body records how it ended.
#[derive(Debug, Clone, Default)]
pub struct BodyWatch(Arc<OnceLock<BodyEnd>>);

impl BodyWatch {
    /// How the body ended; [`BodyEnd::Broken`] if it was not read to an end.
    pub fn end(&self) -> BodyEnd {
        self.0.get().copied().unwrap_or(BodyEnd::Broken)
    }

    fn set(&self, end: BodyEnd) {
        let _ = self.0.set(end);
    }
}

struct Watched {
    inner: ByteStream,
    seen: u64,
    limit: u64,
    idle: Duration,
    watch: BodyWatch,
    done: bool,
}

/// Wraps `body`: at most `limit` bytes pass, and a wait longer than `idle` for the next chunk ends
/// it with an error.
pub fn watch(body: ByteStream, limit: u64, idle: Duration) -> (ByteStream, BodyWatch) {
    let watch = BodyWatch::default();
    let state = Watched {
        inner: body,
        seen: 0,
        limit,
        idle,
        watch: watch.clone(),
        done: false,
    };
    let stream = stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        let failure = match tokio::time::timeout(s.idle, s.inner.next()).await {
            Ok(None) => {
                s.watch.set(BodyEnd::Complete);
                return None;
            }
            Ok(Some(Ok(chunk))) => {
                s.seen = s.seen.saturating_add(chunk.len() as u64);
                if s.seen <= s.limit {
                    return Some((Ok(chunk), s));
                }
                (
                    BodyEnd::TooLong,
                    io::Error::other("the body is longer than allowed"),
                )
            }
            Ok(Some(Err(error))) if error.kind() == io::ErrorKind::PermissionDenied => {
                (BodyEnd::Revoked, error)
            }
            Ok(Some(Err(error))) => (BodyEnd::Broken, error),
            Err(_) => (
                BodyEnd::Stalled,
                io::Error::new(io::ErrorKind::TimedOut, "the body stalled"),
            ),
        };
        s.watch.set(failure.0);
        s.done = true;
        Some((Err(failure.1), s))
    });
    (Box::pin(stream), watch)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    async fn drain(mut body: ByteStream) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        while let Some(item) = body.next().await {
            match item {
                Ok(chunk) => out.extend_from_slice(&chunk),
                Err(_) => return (out, false),
            }
        }
        (out, true)
    }

    fn chunks(items: Vec<io::Result<&'static [u8]>>) -> ByteStream {
        Box::pin(stream::iter(
            items.into_iter().map(|i| i.map(Bytes::from_static)),
        ))
    }

    #[tokio::test]
    async fn records_how_the_body_ended() {
        let (body, w) = watch(chunks(vec![Ok(b"ab"), Ok(b"cd")]), 4, BODY_IDLE_TIMEOUT);
        assert_eq!(drain(body).await, (b"abcd".to_vec(), true));
        assert_eq!(w.end(), BodyEnd::Complete);

        let (body, w) = watch(chunks(vec![Ok(b"ab"), Ok(b"cde")]), 4, BODY_IDLE_TIMEOUT);
        assert_eq!(drain(body).await, (b"ab".to_vec(), false));
        assert_eq!(w.end(), BodyEnd::TooLong);

        let broken = chunks(vec![Ok(b"ab"), Err(io::Error::other("reset")), Ok(b"x")]);
        let (body, w) = watch(broken, 9, BODY_IDLE_TIMEOUT);
        assert_eq!(drain(body).await, (b"ab".to_vec(), false));
        assert_eq!(w.end(), BodyEnd::Broken);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_ends_after_the_idle_timeout() {
        let first: ByteStream = chunks(vec![Ok(b"ab")]);
        let stalled: ByteStream = Box::pin(first.chain(stream::pending()));
        let (body, w) = watch(stalled, 9, Duration::from_secs(30));
        assert_eq!(drain(body).await, (b"ab".to_vec(), false));
        assert_eq!(w.end(), BodyEnd::Stalled);
    }
}
