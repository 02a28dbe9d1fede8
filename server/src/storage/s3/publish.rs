//! Publishing on S3: each upload's multipart upload completed into its `data` object (the
//! store's answer checked, the size read back), then the object written under its key in one
//! step that makes it visible only whole: a server-side copy of a single upload whose SHA-256 and
//! CRC-32 are already known, else the uploads streamed through a new multipart upload, hashed on
//! the way.

use std::io;

use futures_util::StreamExt;
use object_store::{
    ObjectStore, PutPayload,
    multipart::{MultipartStore, PartId},
    path::Path,
};

use super::{
    S3Node,
    append::put_part,
    manifest::Manifest,
    part::{PartBuffer, even_part_size},
    store_error,
};
use crate::storage::{Published, StorageError, check_name, digest::WholeDigest};

/// The largest object S3 copies in one request (`CopyObject`); larger ones are streamed.
const COPY_LIMIT: u64 = 5 << 30;

pub(super) async fn publish(
    node: &S3Node,
    parts: &[String],
    key: &str,
) -> Result<Published, StorageError> {
    let target = S3Node::object_path(key)?;
    for part in parts {
        check_name(part)?;
    }
    match node.store.head(&target).await {
        Ok(_) => return Err(StorageError::AlreadyExists),
        Err(object_store::Error::NotFound { .. }) => {}
        Err(error) => return Err(store_error(error)),
    }
    let mut size = 0u64;
    for part in parts {
        size += complete_upload(node, part).await?;
    }
    let known = match parts {
        [single] if size <= COPY_LIMIT => node.running.finish(single, size),
        _ => None,
    };
    let published = match known {
        Some(known) => {
            let source = S3Node::data_path(&parts[0])?;
            node.store
                .copy(&source, &target)
                .await
                .map_err(store_error)?;
            known
        }
        None => stream_through(node, parts, &target, size).await?,
    };
    let stored = node.head_size(&target).await?;
    if stored != size {
        return Err(StorageError::Io(io::Error::other(format!(
            "{target} holds {stored} bytes after publishing, not {size}"
        ))));
    }
    Ok(published)
}

/// Joins an upload's bytes into its `data` object (once: a later call finds it done); its size.
async fn complete_upload(node: &S3Node, upload: &str) -> Result<u64, StorageError> {
    let mut manifest = node.load(upload).await?;
    if let Some(size) = manifest.completed {
        return Ok(size);
    }
    let size = manifest.len();
    let path = S3Node::data_path(upload)?;
    if manifest.parts.is_empty() {
        // Less than one part: no multipart upload needed, the tail is the whole file.
        let bytes = match &manifest.tail {
            Some(tail) => node.read_tail(upload, tail).await?,
            None => bytes::Bytes::new(),
        };
        node.store
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(store_error)?;
        if let Some(id) = manifest.multipart.take()
            && let Err(error) = node.store.abort_multipart(&path, &id).await
        {
            tracing::warn!(%error, upload, "could not abort an unused multipart upload");
        }
    } else {
        let id = manifest
            .multipart
            .clone()
            .ok_or_else(|| io::Error::other("an upload with parts has a multipart upload"))?;
        if let Some(tail) = manifest.tail.clone() {
            let bytes = node.read_tail(upload, &tail).await?;
            let part = put_part(node, upload, &mut manifest, bytes).await?;
            manifest.parts.push(part);
            manifest.tail = None;
        }
        let ids = manifest
            .parts
            .iter()
            .map(|p| PartId {
                content_id: p.etag.clone(),
            })
            .collect();
        if let Err(error) = node.store.complete_multipart(&path, &id, ids).await {
            // Completed by an earlier call whose manifest was not written? Only the size decides.
            if node.head_size(&path).await.ok() != Some(size) {
                return Err(store_error(error));
            }
        }
    }
    let stored = node.head_size(&path).await?;
    if stored != size {
        return Err(StorageError::Io(io::Error::other(format!(
            "the store joined {stored} bytes for upload {upload}, which holds {size}"
        ))));
    }
    manifest.completed = Some(size);
    node.save(upload, &manifest).await?;
    node.drop_stale_tails(upload, &Manifest::default()).await;
    Ok(size)
}

/// Streams the uploads' data objects (`size` bytes in all), in order, into a new multipart upload at
/// `target`, hashing them (SHA-256 and CRC-32), one part in memory at a time; the upload is aborted on any failure, so
/// nothing appears under `target`.
async fn stream_through(
    node: &S3Node,
    parts: &[String],
    target: &Path,
    size: u64,
) -> Result<Published, StorageError> {
    let mut upload = node
        .store
        .put_multipart(target)
        .await
        .map_err(store_error)?;
    let part_size = even_part_size(node.part_size, size);
    let mut hasher = WholeDigest::default();
    let copied: Result<(), StorageError> = async {
        let mut part = PartBuffer::new(part_size)?;
        for source in parts {
            let mut stream = node
                .store
                .get(&S3Node::data_path(source)?)
                .await
                .map_err(store_error)?
                .into_stream();
            while let Some(bytes) = stream.next().await {
                let bytes = bytes.map_err(store_error)?;
                hasher.update(&bytes);
                let mut rest = &bytes[..];
                while !rest.is_empty() {
                    rest = &rest[part.fill(rest)..];
                    if part.is_full() {
                        let full = std::mem::replace(&mut part, PartBuffer::new(part_size)?);
                        let payload = PutPayload::from(full.freeze());
                        upload.put_part(payload).await.map_err(store_error)?;
                    }
                }
            }
        }
        if !part.is_empty() {
            let payload = PutPayload::from(part.freeze());
            upload.put_part(payload).await.map_err(store_error)?;
        }
        Ok(())
    }
    .await;
    if let Err(error) = copied {
        if let Err(abort) = upload.abort().await {
            tracing::warn!(error = %abort, "could not abort a multipart upload");
        }
        return Err(error);
    }
    upload.complete().await.map_err(store_error)?;
    Ok(hasher.published(size))
}
