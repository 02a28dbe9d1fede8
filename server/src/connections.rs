//! What one client can hold of the server's connections. Both listeners share one process and so
//! one table of file descriptors: without a bound, one client opening a thousand connections and
//! sending nothing stopped the web app *and* the gateway. So:
//!
//! - [`PerAddressLimit`] admits at most [`MAX_PER_ADDRESS`] open connections from one client address
//!   (an IPv6 client by its /64, which one host usually has whole) across both listeners, and closes
//!   the rest at once. A peer listed in `trusted_proxies` is not limited: it carries many clients.
//! - [`raise_open_file_limit`] lifts the soft `RLIMIT_NOFILE` (often 1,024) to the hard limit.
//! - Refused connections and accept errors are logged, at most once per [`LOG_EVERY`] each.
//! - Every admitted connection gets `TCP_NODELAY` (this acceptor stands in for axum-server's own,
//!   which would set it): without it a small answer on a reused connection waited for the
//!   client's delayed ACK, ~40 ms per small file (measured by `bench/desktop.sh`).

use std::{
    collections::HashMap,
    io,
    net::{IpAddr, Ipv6Addr},
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum_server::accept::Accept;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
};

/// Open connections one client address may hold: far more than browsers open (six per host over
/// HTTP/1.1, one over HTTP/2), enough for an office behind one NAT address, and a small share of
/// the file descriptors.
pub const MAX_PER_ADDRESS: usize = 256;
/// The least time between two log lines about refused connections (and between two about accept
/// errors), so a flood cannot fill the disk with them.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

/// The key a client is counted under: its IPv4 address, or the /64 of its IPv6 address.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The per-address connection limit of a process; clones share the counts.
#[derive(Clone, Debug)]
pub struct PerAddressLimit {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    trusted: Arc<[IpAddr]>,
    max: usize,
    refusals: Arc<RateLimitedLog>,
}

impl PerAddressLimit {
    /// At most `max` connections per address; `trusted` proxies are not limited.
    pub fn new(trusted: &[IpAddr], max: usize) -> Self {
        Self {
            open: Arc::default(),
            trusted: trusted.iter().map(|ip| ip.to_canonical()).collect(),
            max,
            refusals: Arc::new(RateLimitedLog::default()),
        }
    }

    /// Counts `stream` against its client's address, or refuses it when that address is full.
    fn admit(&self, stream: TcpStream) -> io::Result<Counted> {
        stream.set_nodelay(true)?;
        let peer = stream.peer_addr()?.ip().to_canonical();
        if self.trusted.contains(&peer) {
            return Ok(Counted {
                stream,
                _slot: None,
            });
        }
        let key = client_key(peer);
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(key).or_default();
        if *count >= self.max {
            drop(open);
            let max = self.max;
            self.refusals.log(|suppressed| {
                tracing::warn!(client.address = %key, max, suppressed, "refused a connection: this client already holds the most open connections one address may");
            });
            return Err(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                "too many connections from one address",
            ));
        }
        *count += 1;
        Ok(Counted {
            stream,
            _slot: Some(Slot {
                open: self.open.clone(),
                key,
            }),
        })
    }
}

impl<S: Send + 'static> Accept<TcpStream, S> for PerAddressLimit {
    type Stream = Counted;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Counted, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        std::future::ready(self.admit(stream).map(|counted| (counted, service)))
    }
}

/// A connection's place in its address's count, given back when the connection closes.
#[derive(Debug)]
struct Slot {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    key: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// A TCP connection that counts against its client's address while it is open.
#[derive(Debug)]
pub struct Counted {
    stream: TcpStream,
    /// Held for its `Drop`, which gives the place back.
    _slot: Option<Slot>,
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A log line at most once per [`LOG_EVERY`], saying how many were left out since the last.
#[derive(Debug, Default)]
pub struct RateLimitedLog {
    state: Mutex<(Option<Instant>, u64)>,
}

impl RateLimitedLog {
    /// Calls `write` with the number of events left out since the last line, unless a line was
    /// written less than [`LOG_EVERY`] ago (then only counts this event).
    pub fn log(&self, write: impl FnOnce(u64)) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (last, suppressed) = &mut *state;
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < LOG_EVERY) {
            *suppressed += 1;
            return;
        }
        let left_out = std::mem::take(suppressed);
        *last = Some(now);
        drop(state);
        write(left_out);
    }
}

/// Raises the soft limit on open files to the hard limit, so the connection limits, not the
/// process's file table, decide when clients are refused. Returns the limit now in force.
#[cfg(target_os = "linux")]
pub fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if let (Some(current), Some(maximum)) = (limit.current, limit.maximum)
        && current < maximum
    {
        limit.current = Some(maximum);
        if let Err(error) = setrlimit(Resource::Nofile, limit) {
            tracing::warn!(%error, "cannot raise the open-file limit to the hard limit");
        }
    }
    getrlimit(Resource::Nofile).current
}

#[cfg(not(target_os = "linux"))]
pub fn raise_open_file_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[tokio::test]
    async fn admitted_connections_send_small_answers_at_once() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let limit = PerAddressLimit::new(&[], 2);
        for trusted in [false, true] {
            let limit = match trusted {
                false => limit.clone(),
                true => PerAddressLimit::new(&[address.ip()], 2),
            };
            let _client = TcpStream::connect(address).await.unwrap();
            let (accepted, _) = listener.accept().await.unwrap();
            assert!(!accepted.nodelay().unwrap());
            let counted = limit.admit(accepted).unwrap();
            assert!(counted.stream.nodelay().unwrap(), "trusted: {trusted}");
        }
    }

    #[test]
    fn a_rate_limited_log_counts_what_it_left_out() {
        let log = RateLimitedLog::default();
        let mut lines = Vec::new();
        for _ in 0..5 {
            log.log(|left_out| lines.push(left_out));
        }
        assert_eq!(lines, [0], "one line, then silence within the interval");
        *log.state.lock().unwrap() = (Some(Instant::now() - LOG_EVERY), 4);
        log.log(|left_out| lines.push(left_out));
        assert_eq!(lines, [0, 4]);
    }
}
