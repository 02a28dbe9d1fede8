//! Appending to an S3 upload: the tail read back, the body gathered behind it into parts handed to
//! the multipart upload as each fills, the rest stored as the new tail, and the manifest written
//! last, so the count returned is exactly what the store holds. The body is not read while a part
//! is on its way, so an append holds one part in memory (see [`super::part`]) and no more.

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::{ObjectStore, PutPayload, multipart::MultipartStore};
use rand::RngCore;

use super::{
    MIN_PART_SIZE, S3Node, invalid,
    manifest::{Manifest, Part, Tail},
    part::{MAX_PARTS, PartBuffer, part_size},
    store_error,
};
use crate::storage::{Appended, ByteStream, DigestKind, StorageError, digest::Hasher};

pub(super) async fn append(
    node: &S3Node,
    upload: &str,
    offset: u64,
    max: u64,
    mut body: ByteStream,
    digest: Option<DigestKind>,
) -> Result<Appended, StorageError> {
    let mut manifest = node.load(upload).await?;
    if manifest.completed.is_some() {
        return Err(StorageError::Joined);
    }
    let stored = manifest.len();
    manifest.begin_append(offset).map_err(|message| {
        StorageError::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            message,
        ))
    })?;
    if offset < stored {
        // Parts past `offset` may be replaced below: record first that they no longer count.
        node.save(upload, &manifest).await?;
    }
    let mut whole = node.running.take_for_append(upload, offset);
    let mut writer = PartWriter {
        node,
        upload,
        part: None,
    };
    // The tail goes ahead of the body; the manifest keeps naming it until its bytes are in a part
    // or a new tail (a manifest written meanwhile still describes the state before this append).
    if let Some(tail) = &manifest.tail {
        let bytes = node.read_tail(upload, tail).await?;
        writer.write(&mut manifest, &bytes).await?;
    }

    let mut hasher = digest.map(Hasher::new);
    let mut written = 0u64;
    let mut body_complete = true;
    while let Some(item) = body.next().await {
        let Ok(mut chunk) = item else {
            body_complete = false;
            break;
        };
        let room = usize::try_from(max - written).unwrap_or(usize::MAX);
        let too_long = chunk.len() > room;
        chunk.truncate(room);
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(&chunk);
        }
        if let Some(whole) = whole.as_mut() {
            whole.update(&chunk);
        }
        written += chunk.len() as u64;
        writer.write(&mut manifest, &chunk).await?;
        if too_long {
            body_complete = false;
            break;
        }
    }
    drop(body);
    writer.finish(&mut manifest).await?;
    node.save(upload, &manifest).await?;
    node.drop_stale_tails(upload, &manifest).await;
    if let Some(whole) = whole {
        node.running.store(upload, offset + written, whole);
    }
    Ok(Appended {
        written,
        digest: hasher.map(Hasher::finish),
        body_complete,
    })
}

/// Hands gathered bytes to the store: full parts to the multipart upload, the rest as the tail.
struct PartWriter<'a> {
    node: &'a S3Node,
    upload: &'a str,
    /// The part being gathered, once there are bytes for it.
    part: Option<PartBuffer>,
}

impl PartWriter<'_> {
    /// Copies `bytes` into the part being gathered, uploading each part as it fills.
    async fn write(
        &mut self,
        manifest: &mut Manifest,
        mut bytes: &[u8],
    ) -> Result<(), StorageError> {
        while !bytes.is_empty() {
            let part = match &mut self.part {
                Some(part) => part,
                None => {
                    let size = part_size(self.node.part_size, manifest.parts.len());
                    self.part.insert(PartBuffer::new(size)?)
                }
            };
            bytes = &bytes[part.fill(bytes)..];
            if part.is_full() {
                self.flush_part(manifest).await?;
            }
        }
        Ok(())
    }

    /// Uploads everything gathered as the next part.
    async fn flush_part(&mut self, manifest: &mut Manifest) -> Result<(), StorageError> {
        let Some(part) = self.part.take() else {
            return Ok(());
        };
        let part = put_part(self.node, self.upload, manifest, part.freeze()).await?;
        manifest.parts.push(part);
        manifest.tail = None;
        Ok(())
    }

    /// Stores what is left: a part when S3 takes it as one, else a new tail object.
    async fn finish(mut self, manifest: &mut Manifest) -> Result<(), StorageError> {
        let len = self.part.as_ref().map_or(0, PartBuffer::len);
        if len >= MIN_PART_SIZE {
            return self.flush_part(manifest).await;
        }
        let Some(part) = self.part.take().filter(|_| len > 0) else {
            manifest.tail = None;
            return Ok(());
        };
        let mut suffix = [0u8; 8];
        rand::rng().fill_bytes(&mut suffix);
        let key = format!("tail-{}", hex::encode(suffix));
        self.node
            .store
            .put(
                &S3Node::tail_path(self.upload, &key)?,
                PutPayload::from(part.freeze()),
            )
            .await
            .map_err(store_error)?;
        manifest.tail = Some(Tail {
            key,
            len: len as u64,
        });
        Ok(())
    }
}

/// Uploads `bytes` as the part after `manifest.parts` (creating the multipart upload first if
/// there is none yet, recorded at once so it is never lost).
pub(super) async fn put_part(
    node: &S3Node,
    upload: &str,
    manifest: &mut Manifest,
    bytes: Bytes,
) -> Result<Part, StorageError> {
    let index = manifest.parts.len();
    if index >= MAX_PARTS {
        return Err(invalid(format!(
            "the upload would need more than S3's {MAX_PARTS} parts"
        )));
    }
    let path = S3Node::data_path(upload)?;
    let id = match &manifest.multipart {
        Some(id) => id.clone(),
        None => {
            let id = node
                .store
                .create_multipart(&path)
                .await
                .map_err(store_error)?;
            manifest.multipart = Some(id.clone());
            node.save(upload, manifest).await?;
            id
        }
    };
    let size = bytes.len() as u64;
    let part = node
        .store
        .put_part(&path, &id, index, PutPayload::from(bytes))
        .await
        .map_err(store_error)?;
    Ok(Part {
        etag: part.content_id,
        size,
    })
}
