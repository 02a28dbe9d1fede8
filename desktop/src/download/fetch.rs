//! One file: its checked path, its `.part` (found again from the journal or newly claimed), ranged
//! GETs from the bytes already there, the SHA-256 of the whole file, then its final name.

use std::io::{Read as _, Seek as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use app::types::TransferFile;
use futures_util::StreamExt as _;
use reqwest::{StatusCode, header};
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _};

use super::Shared;
use super::safe_path::{self, SafePath};
use crate::api::error_of;
use crate::journal::{Entry, sync_dir};
use crate::report::FileBar;
use crate::retry::Backoff;

/// Buffered before each write: few, large writes.
const WRITE_BUFFER: usize = 1 << 20;
/// Times a file whose bytes do not match its SHA-256 is fetched again from the start.
const REFETCHES: usize = 1;

/// Downloads `file`; where it was saved.
pub(super) async fn fetch(
    shared: &Shared,
    file: &TransferFile,
    known_part: Option<PathBuf>,
    bar: &FileBar,
) -> anyhow::Result<PathBuf> {
    let raw = file.path.as_deref().unwrap_or(&file.name);
    let safe = safe_path::check(raw)
        .map_err(|why| anyhow::anyhow!("refused the path {raw:?} sent by the server: {why}"))?;
    let expected = file
        .sha256
        .clone()
        .context("the transfer spec gives no SHA-256 for this file")?;
    let url = file
        .url
        .clone()
        .context("the transfer spec gives no URL for this file")?;
    let dir = safe_path::make_dirs(&shared.dir, &safe.dirs)
        .with_context(|| format!("cannot create the folder of {raw:?}"))?;
    let file_id = crate::ids::file(file.id);
    let (part_path, part) = open_part(shared, file_id, &dir, &safe, known_part)?;
    let mut part = tokio::fs::File::from_std(part);
    for attempt in 0..=REFETCHES {
        let (have, hasher) = resume_point(&mut part, file.size).await?;
        if attempt == 0 && have > 0 {
            bar.resumed(have);
        }
        bar.rewind(bar.position());
        bar.advance(have);
        let digest = receive(
            shared, &url, &expected, file.size, &mut part, have, hasher, bar,
        )
        .await?;
        if digest == expected {
            break;
        }
        part.set_len(0).await?;
        if attempt == REFETCHES {
            bail!(
                "the bytes received do not match the file's SHA-256 (got {digest}, expected \
                 {expected}), even when fetched again"
            );
        }
    }
    part.sync_all().await?;
    drop(part);
    let saved = publish(&part_path, &dir, &safe.name)?;
    shared.record(Entry::Saved {
        file_id,
        path: saved.clone(),
    })?;
    std::fs::remove_file(&part_path)
        .with_context(|| format!("cannot remove {}", part_path.display()))?;
    sync_dir(&dir);
    Ok(saved)
}

/// The `.part` of this file: the journal's one if it is still there (a plain file, not a link),
/// else a new `NAME.part` (`NAME (1).part`… when taken), claimed in the journal before it is made.
fn open_part(
    shared: &Shared,
    file_id: i64,
    dir: &Path,
    safe: &SafePath,
    known: Option<PathBuf>,
) -> anyhow::Result<(PathBuf, std::fs::File)> {
    if let Some(path) = known.filter(|p| p.parent() == Some(dir)) {
        match safe_path::open_nofollow(&path, false) {
            Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => return Ok((path, file)),
            _ => {}
        }
    }
    for n in 0..1000 {
        let path = dir.join(format!("{}.part", safe_path::numbered(&safe.name, n)));
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        shared.record(Entry::Partial {
            file_id,
            part: path.clone(),
        })?;
        match safe_path::open_nofollow(&path, true) {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => {
                return Err(error).with_context(|| format!("cannot create {}", path.display()));
            }
        }
    }
    bail!(
        "cannot find a free name for {}.part in {}",
        safe.name,
        dir.display()
    )
}

/// How many bytes the `.part` holds (more than the file: start over), and their running hash.
async fn resume_point(part: &mut tokio::fs::File, size: u64) -> anyhow::Result<(u64, Sha256)> {
    let have = part.metadata().await?.len();
    if have > size {
        part.set_len(0).await?;
        return Ok((0, Sha256::new()));
    }
    let std_file = part.try_clone().await?.into_std().await;
    let hasher = tokio::task::spawn_blocking(move || -> std::io::Result<Sha256> {
        let mut file = std_file;
        file.rewind()?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 20];
        let mut left = have;
        while left > 0 {
            let want = buffer
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = file.read(&mut buffer[..want])?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            left -= n as u64;
        }
        Ok(hasher)
    })
    .await??;
    Ok((have, hasher))
}

/// GETs the rest of the file into the `.part` (appending from `have`), retried with backoff from
/// the bytes written; the hex SHA-256 of the whole `.part`.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site, each argument named there"
)]
async fn receive(
    shared: &Shared,
    url: &str,
    etag: &str,
    size: u64,
    part: &mut tokio::fs::File,
    mut have: u64,
    mut hasher: Sha256,
    bar: &FileBar,
) -> anyhow::Result<String> {
    let mut backoff = Backoff::default();
    // An empty file is fetched too: the server counts the download.
    let mut first = true;
    while first || have < size {
        first = false;
        let token = shared.token().await?;
        let mut request = shared.api.http().get(url).bearer_auth(&token);
        if have > 0 {
            request = request
                .header(header::RANGE, format!("bytes={have}-"))
                .header(header::IF_RANGE, format!("\"{etag}\""));
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                bar.retrying(&error);
                if !backoff.wait().await {
                    return Err(anyhow::Error::new(error).context("the download kept failing"));
                }
                continue;
            }
        };
        match response.status() {
            StatusCode::PARTIAL_CONTENT if have > 0 => {}
            StatusCode::OK => {
                // The whole file (no range asked, or the file changed): start over.
                if have > 0 {
                    part.set_len(0).await?;
                    bar.rewind(have);
                    have = 0;
                    hasher = Sha256::new();
                }
            }
            StatusCode::RANGE_NOT_SATISFIABLE if have == size => break,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                shared.renew().await?;
                if !backoff.wait().await {
                    bail!("the gateway keeps refusing the transfer token");
                }
                continue;
            }
            _ => {
                let error = error_of(response).await;
                if error.is_transient() && backoff.wait().await {
                    continue;
                }
                return Err(error.into());
            }
        }
        part.seek(std::io::SeekFrom::Start(have)).await?;
        let mut writer = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, &mut *part);
        let mut body = response.bytes_stream();
        let mut broke = None;
        while let Some(chunk) = body.next().await {
            let bytes = match chunk {
                Ok(bytes) => bytes,
                Err(error) => {
                    broke = Some(error);
                    break;
                }
            };
            let room = size.saturating_sub(have);
            if bytes.len() as u64 > room {
                bail!("the server sent more bytes than the file has");
            }
            if let Some(rate) = &shared.rate {
                rate.take(bytes.len()).await;
            }
            writer.write_all(&bytes).await?;
            hasher.update(&bytes);
            have += bytes.len() as u64;
            bar.advance(bytes.len() as u64);
            backoff.reset();
        }
        writer.flush().await?;
        drop(writer);
        if let Some(error) = broke {
            bar.retrying(&error);
            if !backoff.wait().await {
                return Err(anyhow::Error::new(error).context("the download kept failing"));
            }
        } else if have < size && !backoff.wait().await {
            bail!("the server ended the file early");
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Gives the verified `.part` its name, never over an existing file: a hard link fails if the name
/// is taken (atomically), then the next `NAME (n).ext` is tried.
fn publish(part: &Path, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    for n in 0..10_000 {
        let target = dir.join(safe_path::numbered(name, n));
        match std::fs::hard_link(part, &target) {
            Ok(()) => return Ok(target),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            // No hard links here (some file systems): check, then rename.
            Err(_) => match std::fs::symlink_metadata(&target) {
                Ok(_) => continue,
                Err(_) => {
                    let copy = target.clone();
                    std::fs::rename(part, &target)
                        .with_context(|| format!("cannot save {}", copy.display()))?;
                    // The caller removes the .part: leave an empty one behind to remove.
                    safe_path::open_nofollow(part, true)?;
                    return Ok(target);
                }
            },
        }
    }
    bail!("cannot find a free name for {name} in {}", dir.display())
}
