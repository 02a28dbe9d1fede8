//! The transfer node: where package files live. The gateway talks to it through [`TransferNode`],
//! implemented on local disk ([`local`], the default) and over HTTP to a separate `ferry node`
//! process ([`http`], which serves any `TransferNode` in turn: see [`crate::node`]), and on
//! S3-compatible object storage ([`s3`]). Everything streams: no file is held whole in memory.
//!
//! Two kinds of things are stored, both under names the server makes (never a user's file name):
//! *uploads* (tus uploads in progress, appended to) and *objects* (published files, immutable).

mod digest;
pub mod http;
pub mod local;
mod running;
pub mod s3;

use std::{io, pin::Pin};

use anyhow::Context;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::Stream;

/// Smallest piece an object read over the network (a separate node, S3) is handed on in: socket
/// reads arrive in pieces of a few KiB to a few hundred, and the small ones are gathered, while
/// pieces this large pass on without a copy (measured: gathering into 256 KiB instead cost a
/// separate-node download about 15 % of its throughput).
pub const NETWORK_PIECE: usize = 64 << 10;

/// A stream of bytes, in or out.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Digest algorithms a client may declare for a chunk (tus checksum extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestKind {
    Sha1,
    Sha256,
}

/// The outcome of [`TransferNode::append`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Bytes written (and durable) by this call.
    pub written: u64,
    /// The requested digest of exactly those bytes.
    pub digest: Option<Vec<u8>>,
    /// `false` when the body ended with an error (client gone, idle timeout) before its end.
    pub body_complete: bool,
}

/// A published object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub size: u64,
    /// Lower-case hex SHA-256 of the object's bytes.
    pub sha256: String,
    /// CRC-32 (ISO-HDLC, as in ZIP and gzip) of the object's bytes, computed beside the SHA-256.
    pub crc32: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such upload or object")]
    NotFound,
    /// [`TransferNode::publish`] found the object already there (published before).
    #[error("the object already exists")]
    AlreadyExists,
    /// [`TransferNode::append`] found the upload already joined into a file by an earlier
    /// [`TransferNode::publish`] (S3 only: a joined upload takes no more bytes). Every byte of it
    /// was there, so the caller may complete the file from it.
    #[error("the upload was already joined into a file")]
    Joined,
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The transfer node's operations.
#[async_trait]
pub trait TransferNode: Send + Sync + 'static {
    /// Prepares an empty upload. Idempotent.
    async fn create_upload(&self, upload: &str) -> Result<(), StorageError>;

    /// Writes `body` at `offset`, first discarding anything stored past `offset` (bytes never
    /// acknowledged), and at most `max` bytes (a longer body is an error the caller reports as 413
    /// before calling; `max` is a safety net: the node keeps the first `max` bytes, stops reading
    /// and reports `body_complete == false`). Computes `digest` of the written bytes when asked.
    /// Everything counted in `written` is durable (fsynced) when this returns `Ok`, also when the
    /// body failed midway (`body_complete == false`). May fail with [`StorageError::Joined`] once
    /// the upload was published.
    async fn append(
        &self,
        upload: &str,
        offset: u64,
        max: u64,
        body: ByteStream,
        digest: Option<DigestKind>,
    ) -> Result<Appended, StorageError>;

    /// Cuts an upload back to `len` bytes (a chunk that failed its checksum is discarded).
    async fn truncate_upload(&self, upload: &str, len: u64) -> Result<(), StorageError>;

    /// Joins `parts` (uploads, in order) into the object `key`, computing its SHA-256 and CRC-32 on the way,
    /// and publishes it atomically (temp → fsync → rename → fsync dir). The uploads are kept until
    /// [`TransferNode::discard_upload`]. Publishing the same key again replaces nothing and fails
    /// with [`StorageError::AlreadyExists`]; publishing the same uploads again (after that object
    /// was deleted) works, so a completion cut short can be retried.
    async fn publish(&self, parts: &[String], key: &str) -> Result<Published, StorageError>;

    /// Removes an upload's bytes. Missing is fine.
    async fn discard_upload(&self, upload: &str) -> Result<(), StorageError>;

    /// Uploads not written to for at least `idle`: candidates for reclaiming bytes whose record is
    /// gone (a file dropped from its draft takes its upload rows with it).
    async fn idle_uploads(&self, idle: std::time::Duration) -> Result<Vec<String>, StorageError>;

    /// Removes an object. Missing is fine.
    async fn delete_object(&self, key: &str) -> Result<(), StorageError>;

    /// Size of an object.
    async fn object_size(&self, key: &str) -> Result<u64, StorageError>;

    /// `len` bytes of an object from `offset`, streamed in large reads.
    async fn read_object(
        &self,
        key: &str,
        offset: u64,
        len: u64,
    ) -> Result<ByteStream, StorageError>;
}

/// Longest upload id or object key accepted.
const MAX_NAME_LEN: usize = 128;

/// Upload ids and object keys are server-made: `[0-9a-z-]`, 1 to 128 characters. Every node checks
/// them before a name reaches a path (or a URL), so no client-supplied text ever does.
pub fn check_name(name: &str) -> Result<(), StorageError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(StorageError::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a storage id or key",
        )))
    }
}

/// Gathers `stream`'s small pieces into chunks of `min` bytes (the last may be shorter); a piece at
/// least that large passes on whole, without a copy. An error ends the stream, after the bytes
/// before it.
pub fn coalesce(stream: ByteStream, min: usize) -> ByteStream {
    gather(stream, min, true)
}

/// Cuts `stream` into chunks of exactly `size` bytes (the last may be shorter), each a copy of its
/// own: a piece is often a slice of a larger receive buffer that it would keep alive for as long as
/// it is queued, so a queue of copies holds what it counts and no more.
pub fn rechunk(stream: ByteStream, size: usize) -> ByteStream {
    gather(stream, size, false)
}

/// [`coalesce`] and [`rechunk`]: what is copied goes into a buffer of exactly `min` bytes, which is
/// never grown, so a chunk never holds more than it was made for.
fn gather(stream: ByteStream, min: usize, pass_large: bool) -> ByteStream {
    use futures_util::StreamExt;
    let state = Gathering {
        inner: stream.fuse(),
        gathered: bytes::BytesMut::with_capacity(min),
        pending: Bytes::new(),
        failed: None,
    };
    Box::pin(futures_util::stream::unfold(
        state,
        move |mut state| async move {
            let chunk = state.next_chunk(min, pass_large).await?;
            Some((chunk, state))
        },
    ))
}

struct Gathering {
    inner: futures_util::stream::Fuse<ByteStream>,
    gathered: bytes::BytesMut,
    /// What is left of the last piece read.
    pending: Bytes,
    /// An error to hand on once the bytes before it are out.
    failed: Option<io::Error>,
}

impl Gathering {
    async fn next_chunk(&mut self, min: usize, pass_large: bool) -> Option<io::Result<Bytes>> {
        use futures_util::StreamExt;
        loop {
            if !self.pending.is_empty() {
                if pass_large && self.gathered.is_empty() && self.pending.len() >= min {
                    return Some(Ok(std::mem::take(&mut self.pending)));
                }
                let room = min - self.gathered.len();
                let taken = self.pending.split_to(room.min(self.pending.len()));
                self.gathered.extend_from_slice(&taken);
                if self.gathered.len() == min {
                    return Some(Ok(take(&mut self.gathered, min)));
                }
                continue;
            }
            if let Some(error) = self.failed.take() {
                return Some(Err(error));
            }
            match self.inner.next().await {
                Some(Ok(piece)) => self.pending = piece,
                Some(Err(error)) => {
                    // Nothing is read after an error: the bytes before it go first.
                    self.inner = futures_util::stream::empty().boxed().fuse();
                    if self.gathered.is_empty() {
                        return Some(Err(error));
                    }
                    self.failed = Some(error);
                    return Some(Ok(take(&mut self.gathered, min)));
                }
                None => {
                    return (!self.gathered.is_empty()).then(|| Ok(take(&mut self.gathered, min)));
                }
            }
        }
    }
}

/// The gathered bytes as a chunk of their own, leaving a fresh buffer for the next one (splitting
/// the buffer instead would keep every chunk cut from it alive in one ever-growing allocation).
fn take(gathered: &mut bytes::BytesMut, min: usize) -> Bytes {
    std::mem::replace(gathered, bytes::BytesMut::with_capacity(min)).freeze()
}

/// Deletes objects whose rows are already gone. A failure only leaves unreachable bytes behind, so it
/// is logged (with `why` the objects went) rather than undoing what the caller committed.
pub async fn delete_unreferenced(node: &dyn TransferNode, keys: Vec<String>, why: &str) {
    for key in keys {
        if let Err(error) = node.delete_object(&key).await {
            tracing::error!(%error, key, why, "an unreferenced file stays on the transfer node");
        }
    }
}

/// The node on `storage`: an S3 bucket, or the local disk under `<data_dir>/storage` (creating its
/// directories). Also what `ferry node` serves.
pub fn open(
    storage: &crate::config::Storage,
    data_dir: &std::path::Path,
) -> anyhow::Result<std::sync::Arc<dyn TransferNode>> {
    if let crate::config::Storage::S3(settings) = storage {
        let node = s3::S3Node::new(settings)
            .context("invalid S3 settings (s3_endpoint, s3_bucket, s3_region, credentials)")?;
        return Ok(std::sync::Arc::new(node));
    }
    let storage = data_dir.join("storage");
    let node = local::LocalNode::open(&storage).with_context(|| {
        format!(
            "invalid setting data_dir (env FERRY_DATA_DIR): cannot create {}",
            storage.display()
        )
    })?;
    Ok(std::sync::Arc::new(node))
}

#[cfg(test)]
mod tests {
    use futures_util::{StreamExt, stream};

    use super::*;

    async fn pieces(
        input: Vec<io::Result<&'static [u8]>>,
        min: usize,
    ) -> Vec<Result<Vec<u8>, String>> {
        let stream: ByteStream = Box::pin(stream::iter(
            input.into_iter().map(|i| i.map(Bytes::from_static)),
        ));
        coalesce(stream, min)
            .map(|item| item.map(|b| b.to_vec()).map_err(|e| e.to_string()))
            .collect()
            .await
    }

    #[tokio::test]
    async fn coalesce_gathers_small_pieces_and_keeps_the_error_last() {
        assert_eq!(
            pieces(vec![Ok(b"ab"), Ok(b"c"), Ok(b"defg"), Ok(b"h")], 3).await,
            vec![Ok(b"abc".to_vec()), Ok(b"defg".to_vec()), Ok(b"h".to_vec())]
        );
        assert_eq!(
            pieces(vec![Ok(b"ab"), Err(io::Error::other("cut")), Ok(b"x")], 3).await,
            vec![Ok(b"ab".to_vec()), Err("cut".to_owned())]
        );
        assert_eq!(pieces(vec![], 3).await, Vec::new());
        // A large piece after a small one tops up the chunk, then passes on what is left whole.
        assert_eq!(
            pieces(vec![Ok(b"a"), Ok(b"bcdefgh")], 3).await,
            vec![Ok(b"abc".to_vec()), Ok(b"defgh".to_vec())]
        );
    }

    #[tokio::test]
    async fn rechunk_cuts_exact_chunks_of_their_own_and_keeps_the_error_last() {
        let input: Vec<io::Result<&'static [u8]>> =
            vec![Ok(b"ab"), Ok(b"cdefghij"), Ok(b""), Ok(b"k")];
        let stream: ByteStream = Box::pin(stream::iter(
            input.into_iter().map(|i| i.map(Bytes::from_static)),
        ));
        let chunks: Vec<Vec<u8>> = rechunk(stream, 3)
            .map(|chunk| chunk.unwrap().to_vec())
            .collect()
            .await;
        assert_eq!(chunks, [&b"abc"[..], b"def", b"ghi", b"jk"]);

        let failing: ByteStream = Box::pin(stream::iter(vec![
            Ok(Bytes::from_static(b"abcd")),
            Err(io::Error::other("cut")),
            Ok(Bytes::from_static(b"x")),
        ]));
        let items: Vec<Result<Vec<u8>, String>> = rechunk(failing, 3)
            .map(|item| item.map(|b| b.to_vec()).map_err(|e| e.to_string()))
            .collect()
            .await;
        assert_eq!(
            items,
            vec![
                Ok(b"abc".to_vec()),
                Ok(b"d".to_vec()),
                Err("cut".to_owned())
            ]
        );
    }
}
