//! Download transfer specs: for a sent package whose files remain, the files' gateway URLs and
//! SHA-256 digests, and a receive token for this user, this package and these files.

use app::types::{TransferClient, TransferDirection, TransferFile, TransferSpec, TransferType};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::require_gateway;
use crate::{
    db::entities::{package_files, users},
    error::AppError,
    services::AppState,
    services::packages,
    transfer::token::{Issuer, TransferClaims},
};

/// Suggested bytes per ranged GET, for clients that fetch a file in parts (one GET of the whole
/// file is fine too: the gateway streams it).
pub const DOWNLOAD_CHUNK_SIZE: u64 = 64 << 20;
/// Suggested parallel streams per file: one (a single stream already runs at disk speed).
pub const DOWNLOAD_PARALLEL: u32 = 1;

/// A receive spec for package `package_id`, for anyone who may see it once sent: its recipients,
/// its sender and admins (only recipients' downloads are tracked).
#[tracing::instrument(skip_all, fields(package.id = package_id, user.id = user.id))]
pub async fn download_spec(
    state: &AppState,
    user: &users::Model,
    issuer: Issuer,
    package_id: i64,
    client: TransferClient,
    gateway_url: String,
) -> Result<TransferSpec, AppError> {
    require_gateway(state).await?;
    let (package, _access) = packages::find_visible(&state.db, user, package_id).await?;
    if !package.is_sent() {
        return Err(AppError::Conflict(
            "This package is still a draft: its files can be downloaded once they are all \
             uploaded and the package is sent."
                .into(),
        ));
    }
    if let Some(at) = package.files_deleted_at {
        return Err(AppError::Gone(format!(
            "This package's files were deleted on {} (by its expiration policy or an admin): \
             they can no longer be downloaded.",
            at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    let files = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package_id))
        .filter(package_files::Column::State.eq(package_files::State::Complete))
        .order_by_asc(package_files::Column::Id)
        .all(&state.db)
        .await?;
    let claims = TransferClaims::new(
        user.id,
        package_id,
        TransferDirection::Receive,
        files.iter().map(|f| f.id).collect(),
    )
    .issued_by(issuer)
    .for_client(client);
    let token = state.transfer_keys.issue(&claims)?;
    let gateway_url = gateway_url.trim_end_matches('/').to_owned();
    Ok(TransferSpec {
        transfer_type: TransferType::HttpGateway,
        direction: TransferDirection::Receive,
        client,
        package_id,
        tus_endpoint: None,
        files: files
            .into_iter()
            .map(|row| TransferFile {
                url: Some(file_url(&gateway_url, row.id)),
                id: row.id,
                complete: true,
                name: row.name,
                path: row.path,
                size: u64::try_from(row.size).unwrap_or_default(),
                sha256: row.sha256,
            })
            .collect(),
        gateway_url,
        chunk_size: DOWNLOAD_CHUNK_SIZE,
        parallel: DOWNLOAD_PARALLEL,
        expires_at: claims.expires_at(),
        token,
    })
}

/// `<gateway_url>/files/<id>`.
pub fn file_url(gateway_url: &str, file_id: i64) -> String {
    let path = app::paths::GATEWAY_FILE.replace("{file_id}", &file_id.to_string());
    format!("{gateway_url}{path}")
}
