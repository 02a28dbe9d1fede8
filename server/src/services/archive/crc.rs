//! CRC-32s of files published before they were recorded: computed once, by reading the object, and
//! stored, the first time an archive needs one. Files published since have theirs from
//! [`crate::storage::TransferNode::publish`].

use futures_util::StreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    db::entities::package_files, error::AppError, services::AppState, storage::StorageError,
};

/// `file`'s CRC-32, computed and stored (in `file` too) if it has none yet.
pub async fn ensure(state: &AppState, file: &mut package_files::Model) -> Result<u32, AppError> {
    if let Some(crc32) = file.crc32.and_then(|value| u32::try_from(value).ok()) {
        return Ok(crc32);
    }
    let size = u64::try_from(file.size).unwrap_or_default();
    let mut bytes = state
        .node
        .read_object(&file.storage_key, 0, size)
        .await
        .map_err(|error| match error {
            StorageError::NotFound => AppError::FileDeleted,
            other => other.into(),
        })?;
    let mut hasher = crc32fast::Hasher::new();
    let mut read = 0u64;
    while let Some(chunk) = bytes.next().await {
        let chunk = chunk.map_err(|error| AppError::Internal(error.into()))?;
        read += chunk.len() as u64;
        hasher.update(&chunk);
    }
    if read != size {
        return Err(AppError::Internal(anyhow::anyhow!(
            "file {} has {read} bytes on the transfer node, not {size}",
            file.id
        )));
    }
    let crc32 = hasher.finalize();
    package_files::Entity::update_many()
        .col_expr(package_files::Column::Crc32, Expr::value(i64::from(crc32)))
        .filter(package_files::Column::Id.eq(file.id))
        .exec(&state.db)
        .await?;
    tracing::info!(
        file.id = file.id,
        "CRC-32 of an older file computed and stored"
    );
    file.crc32 = Some(i64::from(crc32));
    Ok(crc32)
}
