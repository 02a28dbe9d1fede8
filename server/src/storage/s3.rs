//! The transfer node on an S3-compatible object store (MinIO, Ceph, AWS S3…), through
//! `object_store`. Under the bucket: `uploads/<id>/…` (an upload in progress: its manifest, its
//! multipart upload's target `data`, and a short `tail-…` object) and `objects/<key>` (published
//! files). Ids and keys are server-made and checked before they reach a key.
//!
//! How an upload maps onto S3 (see [`manifest`]): each append gathers the body into parts (of
//! `part_size` bytes, larger after every 1,000 parts: see [`part`]) and hands each one to the
//! upload's S3 multipart upload as it fills; what is left at the end of the append (shorter than
//! S3's 5 MiB minimum part) is stored as a tail object, so it is durable before the append answers,
//! and is read back and prepended on the next append. An append holds one part in memory at most,
//! in a mapping of its own that is released once the part is sent. The manifest, written after
//! the parts, records the multipart upload id and every part the store acknowledged, in the bucket
//! itself, so every node process (in `ferry serve`, in `ferry node`, on any instance) resumes the
//! upload.
//!
//! Publishing completes each upload's multipart upload into its `data` object (the store's answer
//! is checked, and the size read back), then writes the object: a server-side copy when one upload
//! holds the file and its running SHA-256 is known, else the uploads streamed through a new
//! multipart upload into the object's key, hashed on the way. Either way the key appears only
//! complete.

use std::{io, sync::Arc, time::Duration};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::{
    GetOptions, ObjectStore, PutPayload,
    aws::{AmazonS3, AmazonS3Builder},
    path::Path,
};

use self::manifest::Manifest;
use super::{
    Appended, ByteStream, DigestKind, NETWORK_PIECE, Published, StorageError, TransferNode,
    check_name, coalesce, running::RunningDigests,
};
use crate::config::S3Settings;

/// S3's smallest part (all but the last part of a multipart upload).
pub const MIN_PART_SIZE: usize = 5 << 20;
/// Bytes per part by default, and so the memory an upload in progress holds: the browser's chunk
/// ([`crate::services::transfer_spec::CHUNK_SIZE`]), so that each chunk it sends is one part, with
/// no tail object in between. (On moto, 16 MiB parts were not consistently faster.)
pub const DEFAULT_PART_SIZE: usize = 8 << 20;

/// Files in one bucket of an S3-compatible store.
#[derive(Debug, Clone)]
pub struct S3Node {
    store: Arc<AmazonS3>,
    part_size: usize,
    running: RunningDigests,
}

impl S3Node {
    /// A client of the bucket in `settings` (nothing is sent until it is used).
    pub fn new(settings: &S3Settings) -> Result<Self, StorageError> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_virtual_hosted_style_request(!settings.path_style)
            .with_allow_http(settings.allow_http);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint.as_str().trim_end_matches('/'));
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose());
        }
        let store = builder.build().map_err(store_error)?;
        Ok(Self {
            store: Arc::new(store),
            part_size: DEFAULT_PART_SIZE,
            running: RunningDigests::default(),
        })
    }

    /// The same node with parts of `bytes` (at least S3's 5 MiB minimum) to begin with.
    pub fn with_part_size(mut self, bytes: usize) -> Self {
        self.part_size = bytes.max(MIN_PART_SIZE);
        self
    }

    /// Checks that the bucket answers (a listing of one key).
    pub async fn check(&self) -> Result<(), StorageError> {
        let prefix = Path::from("objects");
        let mut listing = self.store.list(Some(&prefix));
        listing.next().await.transpose().map_err(store_error)?;
        Ok(())
    }

    fn upload_dir(upload: &str) -> Result<String, StorageError> {
        check_name(upload)?;
        Ok(format!("uploads/{upload}"))
    }

    fn manifest_path(upload: &str) -> Result<Path, StorageError> {
        Ok(Path::from(format!(
            "{}/manifest.json",
            Self::upload_dir(upload)?
        )))
    }

    fn data_path(upload: &str) -> Result<Path, StorageError> {
        Ok(Path::from(format!("{}/data", Self::upload_dir(upload)?)))
    }

    fn tail_path(upload: &str, tail: &str) -> Result<Path, StorageError> {
        Ok(Path::from(format!("{}/{tail}", Self::upload_dir(upload)?)))
    }

    fn object_path(key: &str) -> Result<Path, StorageError> {
        check_name(key)?;
        if key.len() < 2 {
            return Err(invalid("object keys have at least two characters".into()));
        }
        Ok(Path::from(format!("objects/{key}")))
    }

    /// The upload's manifest; [`StorageError::NotFound`] when there is no such upload.
    async fn load(&self, upload: &str) -> Result<Manifest, StorageError> {
        let path = Self::manifest_path(upload)?;
        let bytes = self
            .store
            .get(&path)
            .await
            .map_err(store_error)?
            .bytes()
            .await
            .map_err(store_error)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| StorageError::Io(io::Error::other(format!("{path}: {e}"))))
    }

    async fn save(&self, upload: &str, manifest: &Manifest) -> Result<(), StorageError> {
        let json = serde_json::to_vec(manifest).map_err(io::Error::other)?;
        self.store
            .put(&Self::manifest_path(upload)?, PutPayload::from(json))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// The first `tail.len` bytes of a tail object.
    async fn read_tail(&self, upload: &str, tail: &manifest::Tail) -> Result<Bytes, StorageError> {
        if tail.len == 0 {
            return Ok(Bytes::new());
        }
        let path = Self::tail_path(upload, &tail.key)?;
        let bytes = self
            .store
            .get_range(&path, 0..tail.len)
            .await
            .map_err(store_error)?;
        if bytes.len() as u64 != tail.len {
            return Err(StorageError::Io(io::Error::other(format!(
                "{path} holds {} bytes, not the {} recorded",
                bytes.len(),
                tail.len
            ))));
        }
        Ok(bytes)
    }

    /// Deletes the upload's tail objects that its manifest no longer refers to.
    async fn drop_stale_tails(&self, upload: &str, manifest: &Manifest) {
        let Ok(dir) = Self::upload_dir(upload) else {
            return;
        };
        let prefix = Path::from(dir);
        let listed: Vec<_> = self.store.list(Some(&prefix)).collect().await;
        for meta in listed.into_iter().flatten() {
            let Some(name) = meta.location.filename() else {
                continue;
            };
            if name.starts_with("tail-")
                && !manifest.references(name)
                && let Err(error) = self.store.delete(&meta.location).await
            {
                tracing::warn!(%error, upload, "could not delete an old tail object");
            }
        }
    }

    /// Size of an object, [`StorageError::NotFound`] when absent.
    async fn head_size(&self, path: &Path) -> Result<u64, StorageError> {
        Ok(self.store.head(path).await.map_err(store_error)?.size)
    }
}

/// How long the start-up check waits for the bucket to answer.
const START_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Asks the bucket whether it answers, at start-up: a store that does not (yet) is only a warning,
/// as uploads and downloads fail with their own errors until it does.
pub async fn check_at_start(settings: &S3Settings) -> anyhow::Result<()> {
    let node = S3Node::new(settings)?;
    match tokio::time::timeout(START_CHECK_TIMEOUT, node.check()).await {
        Ok(Ok(())) => tracing::info!(bucket = %settings.bucket, "the S3 bucket answers"),
        Ok(Err(error)) => tracing::warn!(
            %error,
            bucket = %settings.bucket,
            "the S3 bucket does not answer (check s3_endpoint, s3_bucket and the credentials)"
        ),
        Err(_) => tracing::warn!(
            bucket = %settings.bucket,
            "the S3 bucket did not answer within 10 seconds (check s3_endpoint)"
        ),
    }
    Ok(())
}

/// `object_store`'s not-found as [`StorageError::NotFound`], anything else as I/O.
fn store_error(error: object_store::Error) -> StorageError {
    match error {
        object_store::Error::NotFound { .. } => StorageError::NotFound,
        other => StorageError::Io(io::Error::other(other)),
    }
}

fn invalid(message: String) -> StorageError {
    StorageError::Io(io::Error::new(io::ErrorKind::InvalidInput, message))
}

#[async_trait]
impl TransferNode for S3Node {
    async fn create_upload(&self, upload: &str) -> Result<(), StorageError> {
        match self.load(upload).await {
            Ok(_) => Ok(()),
            Err(StorageError::NotFound) => self.save(upload, &Manifest::default()).await,
            Err(other) => Err(other),
        }
    }

    async fn append(
        &self,
        upload: &str,
        offset: u64,
        max: u64,
        body: ByteStream,
        digest: Option<DigestKind>,
    ) -> Result<Appended, StorageError> {
        append::append(self, upload, offset, max, body, digest).await
    }

    async fn truncate_upload(&self, upload: &str, len: u64) -> Result<(), StorageError> {
        self.running.forget(upload);
        let mut manifest = self.load(upload).await?;
        if manifest.completed.is_some() {
            return Err(invalid("the upload was already joined into a file".into()));
        }
        if len < manifest.len() {
            manifest.rewind(len).map_err(invalid)?;
            self.save(upload, &manifest).await?;
        }
        Ok(())
    }

    async fn publish(&self, parts: &[String], key: &str) -> Result<Published, StorageError> {
        publish::publish(self, parts, key).await
    }

    async fn discard_upload(&self, upload: &str) -> Result<(), StorageError> {
        self.running.forget(upload);
        let dir = Self::upload_dir(upload)?;
        match self.load(upload).await {
            Ok(Manifest {
                multipart: Some(id),
                completed: None,
                ..
            }) => {
                use object_store::multipart::MultipartStore;
                match self
                    .store
                    .abort_multipart(&Self::data_path(upload)?, &id)
                    .await
                {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(error) => return Err(store_error(error)),
                }
            }
            Ok(_) | Err(StorageError::NotFound) => {}
            Err(other) => return Err(other),
        }
        let prefix = Path::from(dir);
        let listed: Vec<_> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(store_error)?;
        // The manifest goes last: until then the upload is still listed as idle and retried.
        let mut manifest = None;
        for meta in listed {
            if meta.location.filename() == Some("manifest.json") {
                manifest = Some(meta.location);
                continue;
            }
            delete_if_present(&self.store, &meta.location).await?;
        }
        if let Some(path) = manifest {
            delete_if_present(&self.store, &path).await?;
        }
        Ok(())
    }

    async fn idle_uploads(&self, idle: Duration) -> Result<Vec<String>, StorageError> {
        let prefix = Path::from("uploads");
        let listed: Vec<_> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(store_error)?;
        let now = chrono::Utc::now();
        let mut ids = Vec::new();
        for meta in listed {
            let mut segments = meta.location.parts();
            let (Some(_), Some(id), Some(file), None) = (
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
            ) else {
                continue;
            };
            let age = (now - meta.last_modified).to_std().unwrap_or_default();
            if file.as_ref() == "manifest.json" && check_name(id.as_ref()).is_ok() && age >= idle {
                ids.push(id.as_ref().to_owned());
            }
        }
        Ok(ids)
    }

    async fn delete_object(&self, key: &str) -> Result<(), StorageError> {
        delete_if_present(&self.store, &Self::object_path(key)?).await
    }

    async fn object_size(&self, key: &str) -> Result<u64, StorageError> {
        self.head_size(&Self::object_path(key)?).await
    }

    async fn read_object(
        &self,
        key: &str,
        offset: u64,
        len: u64,
    ) -> Result<ByteStream, StorageError> {
        let path = Self::object_path(key)?;
        let size = self.head_size(&path).await?;
        let Some(end) = offset.checked_add(len).filter(|&end| end <= size) else {
            return Err(invalid(format!(
                "range {offset}+{len} is outside the object ({size} bytes)"
            )));
        };
        if len == 0 {
            return Ok(Box::pin(futures_util::stream::empty()));
        }
        let options = GetOptions {
            range: Some((offset..end).into()),
            ..GetOptions::default()
        };
        let stream = self
            .store
            .get_opts(&path, options)
            .await
            .map_err(store_error)?
            .into_stream()
            .map_err(io::Error::other);
        Ok(coalesce(Box::pin(stream), NETWORK_PIECE))
    }
}

async fn delete_if_present(store: &AmazonS3, path: &Path) -> Result<(), StorageError> {
    match store.delete(path).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(error) => Err(store_error(error)),
    }
}

mod append;
mod manifest;
mod part;
mod publish;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn the_secret_key_never_shows_in_debug_output() {
        let settings = S3Settings {
            endpoint: Some("http://127.0.0.1:9000".parse().expect("url")),
            bucket: "ferry".into(),
            region: "us-east-1".into(),
            access_key_id: Some("AKIDEXAMPLE".into()),
            secret_access_key: Some(Secret::new("wJalrXUtnFEMI-very-secret")),
            path_style: true,
            allow_http: true,
        };
        let node = S3Node::new(&settings).expect("valid settings");
        for shown in [format!("{settings:?}"), format!("{node:?}")] {
            assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
        }
    }
}
