//! One file's upload: its parts (one, or several joined by a final concatenation), each from the
//! offset the gateway holds to its end, chunk by chunk, retried with backoff. A part whose upload
//! is gone (expired, or reclaimed) is created again; a file the server already completed (an
//! answer lost on the way back) counts as done.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use app::types::TransferFile;
use sha2::Digest as _;
use tokio::io::AsyncReadExt as _;

use super::plan::part_ranges;
use super::tus::{self, Creation, Source, TusError};
use super::{Shared, remember};
use crate::journal::{Entry, LocalFile};
use crate::report::FileBar;
use crate::retry::Backoff;

/// Times a file starts over after its uploads were found gone.
const FRESH_STARTS: usize = 3;
/// A part smaller than this is not written to the journal: sending it again costs less.
const REMEMBER_FROM: u64 = 8 << 20;
/// Chunk size of a file sent as one upload. Every PATCH costs the gateway an fsync and a database
/// write: 200 MiB to a local ferry serve over loopback took 1.07-1.23 s in 8 MiB chunks (the spec's
/// suggestion, meant for browsers), 0.85-0.89 s in 32 MiB and 0.73-0.74 s in 256 MiB. A failed
/// chunk is resent only from the offset the gateway kept.
const SINGLE_UPLOAD_CHUNK: u64 = 64 << 20;

/// The file's SHA-256 in lower-case hex, read in large blocks off the async threads.
pub async fn hash_file(path: &Path) -> anyhow::Result<String> {
    let mut file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

pub(crate) struct FileJob<'a> {
    pub shared: Arc<Shared>,
    /// The file's number in the send (its place in the journal).
    pub index: usize,
    pub local: &'a LocalFile,
    pub remote: &'a TransferFile,
    pub bar: &'a FileBar,
    pub sha256: String,
}

impl FileJob<'_> {
    pub async fn run(&self) -> anyhow::Result<()> {
        let spec = self.shared.spec.get().await?;
        let chunk = match self.shared.parts {
            1 => spec.chunk_size.max(SINGLE_UPLOAD_CHUNK),
            _ => spec.chunk_size.max(64 << 10),
        };
        let ranges = part_ranges(self.local.size, chunk, self.shared.parts);
        let mut last_error = None;
        for _ in 0..FRESH_STARTS {
            let outcome = match ranges.len() {
                1 => self.upload(0, &ranges[0], None, chunk).await.map(drop),
                _ => self.upload_parts(&ranges, chunk).await,
            };
            match outcome {
                Ok(()) => return Ok(()),
                Err(TusError::Gone) => {
                    if self.completed_meanwhile().await {
                        return Ok(());
                    }
                    self.bar.rewind(self.bar.position());
                    last_error = Some(TusError::Gone);
                }
                Err(error) => {
                    if self.completed_meanwhile().await {
                        return Ok(());
                    }
                    return Err(error.into_anyhow());
                }
            }
        }
        Err(last_error
            .map(TusError::into_anyhow)
            .unwrap_or_else(|| anyhow::anyhow!("the upload kept failing")))
    }

    /// Whether the server holds the file complete after all (asked with a fresh spec).
    async fn completed_meanwhile(&self) -> bool {
        match self.shared.spec.renew().await {
            Ok(spec) => spec
                .files
                .iter()
                .any(|f| f.id == self.remote.id && f.complete),
            // Sent already: only possible once every file, this one included, is complete.
            Err(_) => self
                .shared
                .api
                .package(self.shared.package_id)
                .await
                .is_ok_and(|p| p.summary.state == app::types::PackageState::Sent),
        }
    }

    /// Parts in parallel, then the final concatenation that completes the file.
    async fn upload_parts(&self, ranges: &[Range<u64>], chunk: u64) -> Result<(), TusError> {
        let uploads = ranges
            .iter()
            .enumerate()
            .map(|(index, range)| self.upload(index, range, Some("partial"), chunk));
        let mut urls = Vec::with_capacity(ranges.len());
        for outcome in futures_util::future::join_all(uploads).await {
            urls.push(outcome?);
        }
        let metadata = tus::metadata(
            crate::ids::file(self.remote.id),
            &self.remote.name,
            Some(&self.sha256),
        );
        let mut backoff = Backoff::default();
        loop {
            let spec = self.shared.spec.get().await.map_err(TusError::Fatal)?;
            let endpoint = spec.tus_endpoint.clone().unwrap_or_default();
            let creation = Creation {
                length: self.local.size,
                metadata: &metadata,
                concat: Some(format!("final;{}", urls.join(" "))),
                first_bytes: None,
            };
            match tus::create(self.shared.api.http(), &endpoint, &spec.token, creation).await {
                Ok(_) => return Ok(()),
                Err(TusError::Token) => {
                    self.shared.spec.renew().await.map_err(TusError::Fatal)?;
                }
                Err(TusError::Transient(error)) => {
                    if !backoff.wait().await {
                        return Err(TusError::Transient(error));
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }

    /// One upload (the whole file, or part `index`) from where the gateway holds it to its end;
    /// its URL.
    async fn upload(
        &self,
        index: usize,
        range: &Range<u64>,
        concat: Option<&str>,
        chunk: u64,
    ) -> Result<String, TusError> {
        let length = range.end - range.start;
        let (url, offset) = match self.resumable(index, range).await? {
            Some(found) => {
                self.bar.resumed(found.1);
                found
            }
            None => self.create(index, range, concat, chunk).await?,
        };
        self.bar.advance(offset);
        self.push(&url, range, offset, chunk).await?;
        debug_assert!(length == 0 || !url.is_empty());
        Ok(url)
    }

    /// The journal's upload of this part, if the gateway still has it: its URL and offset.
    async fn resumable(
        &self,
        index: usize,
        range: &Range<u64>,
    ) -> Result<Option<(String, u64)>, TusError> {
        let known = {
            let journal =
                self.shared.journal.lock().map_err(|_| {
                    TusError::Fatal(anyhow::anyhow!("the journal lock was poisoned"))
                })?;
            journal.entries.iter().rev().find_map(|entry| match entry {
                Entry::Part {
                    file,
                    index: i,
                    start,
                    end,
                    url,
                } if *file == self.index
                    && *i == index
                    && *start == range.start
                    && *end == range.end =>
                {
                    Some(url.clone())
                }
                _ => None,
            })
        };
        let Some(url) = known else {
            return Ok(None);
        };
        match self.head(&url).await {
            Ok(offset) if offset <= range.end - range.start => Ok(Some((url, offset))),
            Ok(_) | Err(TusError::Gone) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Creates the upload, with its bytes when they fit in one chunk.
    async fn create(
        &self,
        index: usize,
        range: &Range<u64>,
        concat: Option<&str>,
        chunk: u64,
    ) -> Result<(String, u64), TusError> {
        let length = range.end - range.start;
        let metadata = match concat {
            Some(_) => tus::metadata(crate::ids::file(self.remote.id), &self.remote.name, None),
            None => tus::metadata(
                crate::ids::file(self.remote.id),
                &self.remote.name,
                Some(&self.sha256),
            ),
        };
        // Small uploads carry their bytes in the creation request (one round trip less); bigger
        // ones are created first, so their URL is in the journal before any byte is sent.
        let with_bytes = length > 0 && length <= chunk.min(REMEMBER_FROM);
        let mut backoff = Backoff::default();
        loop {
            let spec = self.shared.spec.get().await.map_err(TusError::Fatal)?;
            let endpoint = spec.tus_endpoint.clone().unwrap_or_default();
            let source = self.source();
            let creation = Creation {
                length,
                metadata: &metadata,
                concat: concat.map(str::to_owned),
                first_bytes: with_bytes.then(|| (source, range.clone())),
            };
            let permit = self.shared.streams.acquire().await;
            let outcome =
                tus::create(self.shared.api.http(), &endpoint, &spec.token, creation).await;
            drop(permit);
            match outcome {
                Ok(created) => {
                    if length > REMEMBER_FROM {
                        let entry = Entry::Part {
                            file: self.index,
                            index,
                            start: range.start,
                            end: range.end,
                            url: created.url.clone(),
                        };
                        remember(&self.shared, entry).map_err(TusError::Fatal)?;
                    }
                    // The bar already counted the bytes sent with the creation.
                    self.bar.rewind(created.offset);
                    return Ok((created.url, created.offset));
                }
                Err(TusError::Token) => {
                    self.shared.spec.renew().await.map_err(TusError::Fatal)?;
                }
                Err(TusError::Transient(error)) => {
                    if !backoff.wait().await {
                        return Err(TusError::Transient(error));
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }

    /// PATCHes chunk after chunk from `offset` (relative to the part) to the part's end.
    async fn push(
        &self,
        url: &str,
        range: &Range<u64>,
        mut offset: u64,
        chunk: u64,
    ) -> Result<(), TusError> {
        let length = range.end - range.start;
        let mut backoff = Backoff::default();
        while offset < length {
            let spec = self.shared.spec.get().await.map_err(TusError::Fatal)?;
            let start = range.start + offset;
            let end = (start + chunk).min(range.end);
            let permit = self.shared.streams.acquire().await;
            let source = self.source();
            let outcome = tus::patch(
                self.shared.api.http(),
                url,
                &spec.token,
                offset,
                &source,
                start..end,
            )
            .await;
            drop(permit);
            let error = match outcome {
                Ok(new) if new > offset && new <= length => {
                    offset = new;
                    backoff.reset();
                    continue;
                }
                Ok(new) => TusError::Transient(anyhow::anyhow!(
                    "the gateway answered offset {new} after a chunk sent at {offset}"
                )),
                Err(error) => error,
            };
            match error {
                TusError::Gone | TusError::Refused(_) | TusError::Fatal(_) => return Err(error),
                TusError::Token => {
                    self.shared.spec.renew().await.map_err(TusError::Fatal)?;
                }
                TusError::Conflict => {}
                TusError::Transient(error) => {
                    self.bar.retrying(&error);
                    if !backoff.wait().await {
                        return Err(TusError::Transient(error));
                    }
                }
            }
            // Ask where the server is, and go on from there.
            let before = offset;
            offset = self.head(url).await?;
            self.bar.advance(offset.saturating_sub(before));
            self.bar.rewind(before.saturating_sub(offset));
        }
        Ok(())
    }

    /// `HEAD`, retried like any request.
    async fn head(&self, url: &str) -> Result<u64, TusError> {
        let mut backoff = Backoff::default();
        loop {
            let spec = self.shared.spec.get().await.map_err(TusError::Fatal)?;
            match tus::offset(self.shared.api.http(), url, &spec.token).await {
                Ok(offset) => return Ok(offset),
                Err(TusError::Token) => {
                    self.shared.spec.renew().await.map_err(TusError::Fatal)?;
                }
                Err(TusError::Transient(error)) => {
                    if !backoff.wait().await {
                        return Err(TusError::Transient(error));
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }

    fn source(&self) -> Source<'_> {
        Source {
            file: &self.local.local,
            rate: self.shared.rate.clone(),
            bar: self.bar,
        }
    }
}
