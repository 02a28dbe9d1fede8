//! The local-disk transfer node, Ferry's default. Under its root:
//! `uploads/<id>.part` (tus uploads in progress, appended to) and `objects/<2 hex>/<key>` (published
//! files). Ids and keys are made by the server and checked to be `[0-9a-z-]` before any path is
//! built, so no client-supplied text ever reaches the filesystem.
//!
//! Durability: an append is fsynced before it returns; a publish writes a hidden temp file, fsyncs
//! it, links it under its final name (never replacing one) and fsyncs the directory, so an object
//! is either absent or complete, also after a crash.

use std::{
    io,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use async_trait::async_trait;

use self::publish::publish_blocking;
use super::{
    Appended, ByteStream, DigestKind, Published, StorageError, TransferNode, check_name,
    running::RunningDigests,
};

/// Bytes per read when publishing (parts → object).
const PUBLISH_BUFFER: usize = 1 << 20;

/// Files on a local (or mounted) filesystem.
#[derive(Debug, Clone)]
pub struct LocalNode {
    uploads: PathBuf,
    objects: PathBuf,
    running: RunningDigests,
}

impl LocalNode {
    /// Uses (and creates) `root` with its `uploads/` and `objects/` directories.
    pub fn open(root: &Path) -> io::Result<Self> {
        let uploads = root.join("uploads");
        let objects = root.join("objects");
        std::fs::create_dir_all(&uploads)?;
        std::fs::create_dir_all(&objects)?;
        Ok(Self {
            uploads,
            objects,
            running: RunningDigests::default(),
        })
    }

    fn upload_path(&self, upload: &str) -> Result<PathBuf, StorageError> {
        check_name(upload)?;
        Ok(self.uploads.join(format!("{upload}.part")))
    }

    fn object_path(&self, key: &str) -> Result<PathBuf, StorageError> {
        check_name(key)?;
        let shard = key.get(..2).filter(|s| s.len() == 2).ok_or_else(|| {
            StorageError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "object keys have at least two characters",
            ))
        })?;
        Ok(self.objects.join(shard).join(key))
    }
}

/// `NotFound` as [`StorageError::NotFound`], anything else as I/O.
fn classify(error: io::Error) -> StorageError {
    if error.kind() == io::ErrorKind::NotFound {
        StorageError::NotFound
    } else {
        StorageError::Io(error)
    }
}

/// Makes a directory's entries (a created, renamed or linked file) durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[async_trait]
impl TransferNode for LocalNode {
    async fn create_upload(&self, upload: &str) -> Result<(), StorageError> {
        let path = self.upload_path(upload)?;
        tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await?;
        let dir = self.uploads.clone();
        tokio::task::spawn_blocking(move || sync_dir(&dir))
            .await
            .map_err(io::Error::other)??;
        Ok(())
    }

    async fn append(
        &self,
        upload: &str,
        offset: u64,
        max: u64,
        body: ByteStream,
        digest: Option<DigestKind>,
    ) -> Result<Appended, StorageError> {
        let path = self.upload_path(upload)?;
        let whole = self.running.take_for_append(upload, offset);
        let (written, body_complete) =
            append::append(path, offset, max, body, digest, whole).await?;
        if let Some(whole) = written.whole {
            self.running.store(upload, offset + written.written, whole);
        }
        Ok(Appended {
            written: written.written,
            digest: written.digest,
            body_complete,
        })
    }

    async fn truncate_upload(&self, upload: &str, len: u64) -> Result<(), StorageError> {
        let path = self.upload_path(upload)?;
        self.running.forget(upload);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .await
            .map_err(classify)?;
        if file.metadata().await?.len() > len {
            file.set_len(len).await?;
            file.sync_data().await?;
        }
        Ok(())
    }

    async fn publish(&self, parts: &[String], key: &str) -> Result<Published, StorageError> {
        let target = self.object_path(key)?;
        let sources = parts
            .iter()
            .map(|part| self.upload_path(part))
            .collect::<Result<Vec<_>, _>>()?;
        let known = match parts {
            [single] => {
                let size = tokio::fs::metadata(&sources[0])
                    .await
                    .map_err(classify)?
                    .len();
                self.running.finish(single, size)
            }
            _ => None,
        };
        tokio::task::spawn_blocking(move || publish_blocking(&sources, &target, known))
            .await
            .map_err(io::Error::other)?
    }

    async fn discard_upload(&self, upload: &str) -> Result<(), StorageError> {
        self.running.forget(upload);
        remove_if_present(&self.upload_path(upload)?).await
    }

    async fn idle_uploads(&self, idle: Duration) -> Result<Vec<String>, StorageError> {
        let dir = self.uploads.clone();
        tokio::task::spawn_blocking(move || {
            let now = SystemTime::now();
            let mut idle_ids = Vec::new();
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".part")) else {
                    continue;
                };
                let modified = entry.metadata()?.modified()?;
                if check_name(id).is_ok()
                    && now.duration_since(modified).is_ok_and(|age| age >= idle)
                {
                    idle_ids.push(id.to_owned());
                }
            }
            Ok(idle_ids)
        })
        .await
        .map_err(io::Error::other)?
    }

    async fn delete_object(&self, key: &str) -> Result<(), StorageError> {
        remove_if_present(&self.object_path(key)?).await
    }

    async fn object_size(&self, key: &str) -> Result<u64, StorageError> {
        let path = self.object_path(key)?;
        Ok(tokio::fs::metadata(&path).await.map_err(classify)?.len())
    }

    async fn read_object(
        &self,
        key: &str,
        offset: u64,
        len: u64,
    ) -> Result<ByteStream, StorageError> {
        let path = self.object_path(key)?;
        let file = tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&path).map_err(classify)?;
            let size = file.metadata()?.len();
            if offset.checked_add(len).is_none_or(|end| end > size) {
                return Err(StorageError::Io(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("range {offset}+{len} is outside the object ({size} bytes)"),
                )));
            }
            Ok(file)
        })
        .await
        .map_err(io::Error::other)??;
        Ok(read::stream(file, offset, len))
    }
}

async fn remove_if_present(path: &Path) -> Result<(), StorageError> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

mod append;
mod publish;
mod read;

#[cfg(test)]
mod tests;
