//! The `ferry-desktop` binary this server offers for download (setting `desktop_client`, or the
//! file beside the running `ferry`). It may come and go while Ferry runs (`scripts/run` rebuilds
//! it), so it is looked at on each request; its SHA-256 is computed once per version of the file
//! (size and modification time) and kept.

use std::{
    io::Read,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::SystemTime,
};

use sha2::{Digest, Sha256};

use crate::error::AppError;

/// The offered binary, with its digest cached.
#[derive(Debug, Clone)]
pub struct DesktopClient {
    path: Arc<PathBuf>,
    cached: Arc<Mutex<Option<Described>>>,
}

/// One version of the binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub len: u64,
    modified: Option<SystemTime>,
    /// Lower-case hex.
    pub sha256: String,
}

impl DesktopClient {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path: Arc::new(path),
            cached: Arc::default(),
        }
    }

    /// The binary's size and SHA-256; `None` when there is none to offer.
    pub async fn describe(&self) -> Result<Option<Described>, AppError> {
        let Ok(meta) = tokio::fs::metadata(self.path.as_ref()).await else {
            return Ok(None);
        };
        if !meta.is_file() {
            return Ok(None);
        }
        let (len, modified) = (meta.len(), meta.modified().ok());
        if let Some(hit) = self
            .lock()
            .as_ref()
            .filter(|cached| cached.len == len && cached.modified == modified)
        {
            return Ok(Some(hit.clone()));
        }
        let path = Arc::clone(&self.path);
        let sha256 = tokio::task::spawn_blocking(move || hash_file(&path))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let Ok(sha256) = sha256 else {
            return Ok(None); // removed while it was read
        };
        let described = Described {
            len,
            modified,
            sha256,
        };
        *self.lock() = Some(described.clone());
        Ok(Some(described))
    }

    /// The binary opened for reading, with what [`Self::describe`] says of it.
    pub async fn open(&self) -> Result<Option<(tokio::fs::File, Described)>, AppError> {
        let Some(described) = self.describe().await? else {
            return Ok(None);
        };
        match tokio::fs::File::open(self.path.as_ref()).await {
            Ok(file) => Ok(Some((file, described))),
            Err(_) => Ok(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Described>> {
        self.cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn hash_file(path: &std::path::Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..read]);
    }
}
