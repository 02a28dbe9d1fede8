//! Appending to an upload file off the async threads, in a three-stage pipeline: the runtime reads
//! the request body and gathers its pieces into chunks of its own; each batch of chunks is written
//! by one short job on the blocking pool (several chunks at once, in one vectored write), and once
//! written it is hashed by another (the chunk checksum and the file's running SHA-256 and CRC-32). At most one
//! write and one hash job of an append run at a time, so reading the socket, writing and hashing
//! run side by side while what an append holds stays a few batches; and no thread is held while
//! the client is slow to send, so slow uploads cannot use up the blocking pool.
//!
//! Durability: while writing, the kernel is asked to start writing back every window already
//! written (`fadvise`, Linux), so the `fdatasync` before the append returns has little left to wait
//! for; only that `fdatasync` is relied upon.

use std::{
    fs::File,
    io::{self, IoSlice, Seek, SeekFrom, Write},
    path::PathBuf,
};

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::task::{JoinHandle, spawn_blocking};

use super::classify;
use crate::storage::{
    ByteStream, DigestKind, StorageError,
    digest::{Hasher, WholeDigest},
};

/// Bytes gathered before a write to the upload file.
const WRITE_BUFFER: usize = 256 << 10;
/// The body's pieces are copied into chunks of exactly this size before they are gathered. A piece
/// is a slice of the HTTP server's read buffer (up to ~400 KiB) and would keep all of it alive while
/// queued: chunks of our own keep what an upload holds to what it gathered.
const CHUNK: usize = 128 << 10;
/// Written bytes between two requests to start writing back (Linux only).
const WRITEBACK_WINDOW: u64 = 8 << 20;

/// What an append wrote and hashed.
pub(super) struct Written {
    pub written: u64,
    pub digest: Option<Vec<u8>>,
    /// The file's running SHA-256, continued over the written bytes.
    pub whole: Option<WholeDigest>,
}

/// The digests an append keeps: the chunk checksum asked for, and the file's running SHA-256 and CRC-32.
struct Digests {
    chunk: Option<Hasher>,
    whole: Option<WholeDigest>,
}

impl Digests {
    fn update(&mut self, batch: &[Bytes]) {
        for piece in batch {
            if let Some(chunk) = self.chunk.as_mut() {
                chunk.update(piece);
            }
            if let Some(whole) = self.whole.as_mut() {
                whole.update(piece);
            }
        }
    }

    fn wanted(&self) -> bool {
        self.chunk.is_some() || self.whole.is_some()
    }
}

/// Feeds at most `max` bytes of `body` to write jobs that write them at `offset` of the file at
/// `path` (cutting anything past `offset` first), and to hash jobs behind them. Returns what was
/// written (durable) and whether the body was read to its end within `max`.
pub(super) async fn append(
    path: PathBuf,
    offset: u64,
    max: u64,
    body: ByteStream,
    digest: Option<DigestKind>,
    whole: Option<WholeDigest>,
) -> Result<(Written, bool), StorageError> {
    let file = open_at(path, offset).await?;
    let mut body = crate::storage::rechunk(body, CHUNK);
    let mut pipeline = Pipeline {
        writing: Writing::Idle(WriteBehind::new(file, offset)),
        hashing: Hashing::Idle(Box::new(Digests {
            chunk: digest.map(Hasher::new),
            whole,
        })),
    };
    let mut batch = Vec::new();
    let mut batch_len = 0;
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
        if !chunk.is_empty() {
            batch_len += chunk.len();
            batch.push(chunk);
        }
        if batch_len >= WRITE_BUFFER {
            pipeline = pipeline.push(std::mem::take(&mut batch)).await?;
            batch_len = 0;
        }
        if too_long {
            // Longer than allowed: keep what fits, read no further.
            body_complete = false;
            break;
        }
    }
    // What arrived before the body ended (or failed) is written and made durable all the same.
    let digests = pipeline.push(batch).await?.finish().await?;
    Ok((
        Written {
            written: sent,
            digest: digests.chunk.map(Hasher::finish),
            whole: digests.whole,
        },
        body_complete,
    ))
}

/// An append's jobs on the blocking pool: at most one write and one hash at a time.
struct Pipeline {
    writing: Writing,
    hashing: Hashing,
}

impl Pipeline {
    /// Waits for the write in flight, hands what it wrote on to be hashed (after the hash in
    /// flight) and starts writing `batch`.
    async fn push(self, batch: Vec<Bytes>) -> io::Result<Self> {
        let (mut out, written) = self.writing.done().await?;
        let hashing = self.hashing.then(written).await?;
        let writing = if batch.is_empty() {
            Writing::Idle(out)
        } else {
            Writing::Busy(spawn_blocking(move || {
                out.write(&batch)?;
                Ok((out, batch))
            }))
        };
        Ok(Self { writing, hashing })
    }

    /// Waits for everything in flight, makes the file durable and returns the digests.
    async fn finish(self) -> io::Result<Digests> {
        let (out, written) = self.writing.done().await?;
        let hashing = self.hashing.then(written).await?;
        spawn_blocking(move || out.finish())
            .await
            .map_err(io::Error::other)??;
        hashing.done().await
    }
}

/// The upload file, or the job writing a batch to it (which hands both back).
enum Writing {
    Idle(WriteBehind),
    Busy(JoinHandle<io::Result<(WriteBehind, Vec<Bytes>)>>),
}

impl Writing {
    /// The file, and the batch written since the last call (empty if none).
    async fn done(self) -> io::Result<(WriteBehind, Vec<Bytes>)> {
        match self {
            Self::Idle(out) => Ok((out, Vec::new())),
            Self::Busy(job) => job.await.map_err(io::Error::other)?,
        }
    }
}

/// The digests, or the job updating them (which hands them back).
enum Hashing {
    Idle(Box<Digests>),
    Busy(JoinHandle<Digests>),
}

impl Hashing {
    async fn done(self) -> io::Result<Digests> {
        match self {
            Self::Idle(digests) => Ok(*digests),
            Self::Busy(job) => job.await.map_err(io::Error::other),
        }
    }

    /// Hashes `batch` after what is being hashed now: batches are hashed in order.
    async fn then(self, batch: Vec<Bytes>) -> io::Result<Self> {
        let mut digests = self.done().await?;
        if batch.is_empty() || !digests.wanted() {
            return Ok(Self::Idle(Box::new(digests)));
        }
        Ok(Self::Busy(spawn_blocking(move || {
            digests.update(&batch);
            digests
        })))
    }
}

/// Opens the upload file for writing at `offset`, dropping bytes past it (never acknowledged).
async fn open_at(path: PathBuf, offset: u64) -> Result<File, StorageError> {
    spawn_blocking(move || {
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
