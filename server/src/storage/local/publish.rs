//! Publishing: parts joined into a hidden temp file (SHA-256 and CRC-32 on the way), fsynced, linked under the
//! object's name (a link never replaces an existing object), then the directory fsynced. A file
//! uploaded in one part is not copied: its bytes are already durable (every append is fsynced), so
//! it is hashed in one read and linked under the object's name.

use std::{
    io::{self, Read, Write},
    path::{Path, PathBuf},
};

use rand::RngCore;

use super::{PUBLISH_BUFFER, classify, sync_dir};
use crate::storage::{Published, StorageError, digest::WholeDigest};

/// Removes the temp file unless the publish got far enough to disarm it.
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `known`: the digests of a one-part upload kept while it was appended (see `running`), which
/// spares reading it again.
pub(super) fn publish_blocking(
    sources: &[PathBuf],
    target: &Path,
    known: Option<Published>,
) -> Result<Published, StorageError> {
    let dir = target
        .parent()
        .ok_or_else(|| io::Error::other("an object path has a parent"))?;
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::other("an object path has a name"))?;
    if !dir.exists() {
        std::fs::create_dir_all(dir)?;
        if let Some(objects) = dir.parent() {
            sync_dir(objects)?;
        }
    }
    if target.exists() {
        return Err(StorageError::AlreadyExists);
    }
    if let [single] = sources
        && let Some(published) = link_single(single, target, dir, known)?
    {
        return Ok(published);
    }
    let mut suffix = [0u8; 8];
    rand::rng().fill_bytes(&mut suffix);
    let temp_path = dir.join(format!(".{name}.{}.tmp", hex::encode(suffix)));
    let mut out = std::fs::File::create_new(&temp_path)?;
    let temp = TempFile(Some(temp_path));

    let mut hasher = WholeDigest::default();
    let mut buffer = vec![0u8; PUBLISH_BUFFER];
    let mut size = 0u64;
    for source in sources {
        let mut part = std::fs::File::open(source).map_err(classify)?;
        loop {
            let read = part.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            out.write_all(&buffer[..read])?;
            size += read as u64;
        }
    }
    out.sync_all()?;
    drop(out);

    let temp_path = temp.0.as_deref().ok_or_else(|| io::Error::other("temp"))?;
    link(temp_path, target)?;
    drop(temp);
    sync_dir(dir)?;
    Ok(hasher.published(size))
}

/// A link, unlike a rename, never replaces an existing object.
fn link(from: &Path, target: &Path) -> Result<(), StorageError> {
    match std::fs::hard_link(from, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(StorageError::AlreadyExists),
        Err(e) => Err(e.into()),
    }
}

/// Publishes a one-part upload by hashing it (SHA-256 and CRC-32) and linking it under the object's name. `None` when
/// the two cannot share an inode (another file system): the caller copies instead.
fn link_single(
    source: &Path,
    target: &Path,
    dir: &Path,
    known: Option<Published>,
) -> Result<Option<Published>, StorageError> {
    let mut part = std::fs::File::open(source).map_err(classify)?;
    if let Some(known) = known {
        return match link(source, target) {
            Ok(()) => {
                sync_dir(dir)?;
                Ok(Some(known))
            }
            Err(StorageError::Io(e)) if e.kind() == io::ErrorKind::CrossesDevices => Ok(None),
            Err(e) => Err(e),
        };
    }
    let mut hasher = WholeDigest::default();
    let mut buffer = vec![0u8; PUBLISH_BUFFER];
    let mut size = 0u64;
    loop {
        let read = part.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    match link(source, target) {
        Ok(()) => {}
        Err(StorageError::Io(e)) if e.kind() == io::ErrorKind::CrossesDevices => return Ok(None),
        Err(e) => return Err(e),
    }
    sync_dir(dir)?;
    Ok(Some(hasher.published(size)))
}
