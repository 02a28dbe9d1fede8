//! Appending to an upload file off the async threads. The request body is read on the runtime and
//! handed, chunk by chunk, through a short bounded queue to one blocking thread per append, which
//! gathers the chunks into large writes, hashes them (the chunk checksum and the file's running
//! SHA-256) and makes them durable. Reading the socket, writing and hashing thus overlap, and the
//! queue bounds the memory an append holds to a few chunks.
//!
//! Durability: while writing, the kernel is asked to start writing back every window already
//! written (`fadvise`, Linux), so the `fdatasync` before the append returns has little left
//! to wait for; only that `fdatasync` is relied upon.

use std::{
    fs::File,
    io::{self, Seek, SeekFrom, Write},
    path::PathBuf,
};

use bytes::Bytes;
use futures_util::StreamExt;
use sha2::Sha256;
use tokio::sync::mpsc;

use super::classify;
use crate::storage::{ByteStream, DigestKind, StorageError, digest::Hasher};

/// Bytes gathered before a write to the upload file.
const WRITE_BUFFER: usize = 1 << 20;
/// Chunks (as the body delivers them, usually 16 to 400 KiB) queued for the writer thread.
const QUEUE_CHUNKS: usize = 4;
/// Written bytes between two requests to start writing back (Linux only).
const WRITEBACK_WINDOW: u64 = 8 << 20;

/// What the writer thread did.
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
    mut body: ByteStream,
    digest: Option<DigestKind>,
    whole: Option<Sha256>,
) -> Result<(Written, bool), StorageError> {
    let file = open_at(path, offset).await?;
    let (sender, receiver) = mpsc::channel::<Bytes>(QUEUE_CHUNKS);
    let writer =
        tokio::task::spawn_blocking(move || write_all(file, offset, receiver, digest, whole));
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
    let written = writer.await.map_err(io::Error::other)??;
    Ok((written, body_complete))
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

/// The writer thread: everything received is written, hashed and, before returning, fsynced.
fn write_all(
    file: File,
    offset: u64,
    mut receiver: mpsc::Receiver<Bytes>,
    digest: Option<DigestKind>,
    mut whole: Option<Sha256>,
) -> Result<Written, StorageError> {
    let mut out = WriteBehind::new(file, offset);
    let mut hasher = digest.map(Hasher::new);
    let mut buffer = Vec::with_capacity(WRITE_BUFFER);
    let mut written = 0u64;
    while let Some(chunk) = receiver.blocking_recv() {
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(&chunk);
        }
        if let Some(whole) = whole.as_mut() {
            sha2::Digest::update(whole, &chunk);
        }
        written += chunk.len() as u64;
        if buffer.is_empty() && chunk.len() >= WRITE_BUFFER {
            out.write(&chunk)?;
            continue;
        }
        buffer.extend_from_slice(&chunk);
        if buffer.len() >= WRITE_BUFFER {
            out.write(&buffer)?;
            buffer.clear();
        }
    }
    out.write(&buffer)?;
    out.finish()?;
    Ok(Written {
        written,
        digest: hasher.map(Hasher::finish),
        whole,
    })
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

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.position += bytes.len() as u64;
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
