//! Appending to an upload file off the async threads, in a three-stage pipeline: the runtime reads
//! the request body, gathers its pieces into chunks of its own and hands them through a short
//! bounded queue to a writer thread, which writes them (several at once, in one vectored write) and
//! passes them on to a hasher thread (the chunk checksum and the file's running SHA-256). Reading the socket, writing
//! and hashing thus run side by side, and the queues bound the memory an append holds to a few
//! chunks.
//!
//! Durability: while writing, the kernel is asked to start writing back every window already
//! written (`fadvise`, Linux), so the `fdatasync` before the append returns has little left to wait
//! for; only that `fdatasync` is relied upon.

use std::{
    fs::File,
    io::{self, IoSlice, Seek, SeekFrom, Write},
    path::PathBuf,
    sync::mpsc as sync_mpsc,
};

use bytes::Bytes;
use futures_util::StreamExt;
use sha2::Sha256;
use tokio::sync::mpsc;

use super::classify;
use crate::storage::{ByteStream, DigestKind, StorageError, digest::Hasher};

/// Bytes gathered before a write to the upload file.
const WRITE_BUFFER: usize = 256 << 10;
/// The body's pieces are copied into chunks of this size before they are queued. A piece is a
/// slice of the HTTP server's read buffer (up to ~400 KiB) and would keep all of it alive while
/// queued: chunks of our own keep what an upload holds to what it queued.
const CHUNK: usize = 128 << 10;
/// Chunks queued for the writer thread, and written chunks queued for the hasher thread.
const QUEUE_CHUNKS: usize = 2;
/// Most chunks gathered into one write (a body of tiny chunks must not pile up small buffers).
const MAX_GATHERED_CHUNKS: usize = 64;
/// Written bytes between two requests to start writing back (Linux only).
const WRITEBACK_WINDOW: u64 = 8 << 20;

/// What the writer and hasher threads did.
pub(super) struct Written {
    pub written: u64,
    pub digest: Option<Vec<u8>>,
    /// The file's running SHA-256, continued over the written bytes.
    pub whole: Option<Sha256>,
}

/// Feeds at most `max` bytes of `body` to a writer thread that writes them at `offset` of the file
/// at `path` (cutting anything past `offset` first). Returns what was written (durable) and whether
/// the body was read to its end within `max`.
pub(super) async fn append(
    path: PathBuf,
    offset: u64,
    max: u64,
    body: ByteStream,
    digest: Option<DigestKind>,
    whole: Option<Sha256>,
) -> Result<(Written, bool), StorageError> {
    let file = open_at(path, offset).await?;
    let mut body = crate::storage::rechunk(body, CHUNK);
    let (sender, receiver) = mpsc::channel::<Bytes>(QUEUE_CHUNKS);
    let hashing = (digest.is_some() || whole.is_some()).then(|| {
        let (to_hasher, hasher_queue) = sync_mpsc::sync_channel::<Bytes>(QUEUE_CHUNKS);
        let hasher = tokio::task::spawn_blocking(move || hash_all(hasher_queue, digest, whole));
        (to_hasher, hasher)
    });
    let (to_hasher, hasher) = hashing.unzip();
    let writer = tokio::task::spawn_blocking(move || write_all(file, offset, receiver, to_hasher));
    let mut sent = 0u64;
    let mut body_complete = true;
    while let Some(item) = body.next().await {
        let Ok(mut chunk) = item else {
            body_complete = false;
            break;
        };
        let room = usize::try_from(max - sent).unwrap_or(usize::MAX);
        let too_long = chunk.len() > room;
        chunk.truncate(room);
        sent += chunk.len() as u64;
        if !chunk.is_empty() && sender.send(chunk).await.is_err() {
            // The writer stopped on an error: it is reported below.
            break;
        }
        if too_long {
            // Longer than allowed: keep what fits, read no further.
            body_complete = false;
            break;
        }
    }
    drop(sender);
    let written = writer.await.map_err(io::Error::other)?;
    // The writer has let go of the hasher's queue (also on error), so the hasher ends.
    let (digest, whole) = match hasher {
        Some(hasher) => hasher.await.map_err(io::Error::other)?,
        None => (None, None),
    };
    Ok((
        Written {
            written: written?,
            digest,
            whole,
        },
        body_complete,
    ))
}

/// Opens the upload file for writing at `offset`, dropping bytes past it (never acknowledged).
async fn open_at(path: PathBuf, offset: u64) -> Result<File, StorageError> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(classify)?;
        let stored = file.metadata()?.len();
        if stored < offset {
            return Err(StorageError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{} holds {stored} bytes, fewer than its offset {offset}",
                    path.display()
                ),
            )));
        }
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(file)
    })
    .await
    .map_err(io::Error::other)?
}

/// The writer thread: everything received is written, passed on to the hasher and, before
/// returning, fsynced. Returns the number of bytes written.
fn write_all(
    file: File,
    offset: u64,
    mut receiver: mpsc::Receiver<Bytes>,
    to_hasher: Option<sync_mpsc::SyncSender<Bytes>>,
) -> Result<u64, StorageError> {
    let mut out = WriteBehind::new(file, offset);
    let mut gathered: Vec<Bytes> = Vec::new();
    let mut gathered_len = 0;
    let mut written = 0u64;
    let flush = |gathered: &mut Vec<Bytes>, out: &mut WriteBehind| -> io::Result<()> {
        out.write(gathered)?;
        for chunk in gathered.drain(..) {
            if let Some(to_hasher) = &to_hasher {
                // The hasher only stops when this queue closes: a send cannot fail before.
                let _ = to_hasher.send(chunk);
            }
        }
        Ok(())
    };
    while let Some(chunk) = receiver.blocking_recv() {
        written += chunk.len() as u64;
        gathered_len += chunk.len();
        gathered.push(chunk);
        if gathered_len >= WRITE_BUFFER || gathered.len() >= MAX_GATHERED_CHUNKS {
            flush(&mut gathered, &mut out)?;
            gathered_len = 0;
        }
    }
    flush(&mut gathered, &mut out)?;
    out.finish()?;
    Ok(written)
}

/// The hasher thread: the chunk digest and the running SHA-256 over every written chunk, in order.
fn hash_all(
    queue: sync_mpsc::Receiver<Bytes>,
    digest: Option<DigestKind>,
    mut whole: Option<Sha256>,
) -> (Option<Vec<u8>>, Option<Sha256>) {
    let mut hasher = digest.map(Hasher::new);
    for chunk in queue {
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(&chunk);
        }
        if let Some(whole) = whole.as_mut() {
            sha2::Digest::update(whole, &chunk);
        }
    }
    (hasher.map(Hasher::finish), whole)
}

/// A file written sequentially whose written windows are handed to the kernel's writeback early.
struct WriteBehind {
    file: File,
    position: u64,
    flushed_to: u64,
}

impl WriteBehind {
    fn new(file: File, position: u64) -> Self {
        Self {
            file,
            position,
            flushed_to: position,
        }
    }

    /// Writes `chunks` in order, with as few system calls as the kernel allows.
    fn write(&mut self, chunks: &[Bytes]) -> io::Result<()> {
        let mut slices: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match self.file.write_vectored(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    IoSlice::advance_slices(&mut rest, n);
                    self.position += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.position - self.flushed_to >= WRITEBACK_WINDOW {
            start_writeback(&self.file, self.flushed_to, self.position - self.flushed_to);
            self.flushed_to = self.position;
        }
        Ok(())
    }

    /// Makes everything written durable.
    fn finish(self) -> io::Result<()> {
        self.file.sync_data()
    }
}

/// Asks the kernel to start writing `len` bytes from `from` back to disk, without waiting for it
/// (`POSIX_FADV_DONTNEED` starts writeback of dirty pages, then drops those already clean). Only a
/// hint: durability comes from `sync_data` in [`WriteBehind::finish`].
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, len: u64) {
    let Some(len) = std::num::NonZeroU64::new(len) else {
        return;
    };
    if let Err(error) = rustix::fs::fadvise(file, from, Some(len), rustix::fs::Advice::DontNeed) {
        tracing::debug!(%error, "fadvise failed");
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64, _len: u64) {}
