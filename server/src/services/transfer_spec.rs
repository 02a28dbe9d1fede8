//! Transfer specs. Upload: the sender declares the draft's complete list of files; Ferry records
//! them (server-made storage keys, cleaned names), and answers with a spec whose token lets the
//! gateway accept exactly these files for this user and package. Download: see [`download`]; a
//! plain link to one file for the browser's own downloads: [`link`].

mod declared;
mod download;
mod link;

pub use download::{DOWNLOAD_CHUNK_SIZE, DOWNLOAD_PARALLEL, download_spec, file_url};
pub use link::{archive_link, archive_url, file_link};

use app::types::{TransferDirection, TransferFile, TransferSpec, TransferType, UploadSpecRequest};
use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use crate::{
    db::entities::{package_files, users},
    error::AppError,
    services::AppState,
    services::{
        packages::{self, Access},
        settings,
    },
    transfer::token::{Issuer, TransferClaims},
};

/// Suggested bytes per PATCH: large enough for speed, small enough to retry cheaply.
pub const CHUNK_SIZE: u64 = 8 << 20;
/// Suggested parallel partial uploads per file (tus concatenation).
pub const PARALLEL: u32 = 4;

fn new_storage_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The admin settings, if transfers through the gateway are on.
async fn require_gateway(state: &AppState) -> Result<app::types::Settings, AppError> {
    let settings = settings::load(&state.db).await?;
    if !settings.gateway_enabled {
        return Err(AppError::GatewayOff);
    }
    Ok(settings)
}

/// Records the draft's files and issues a send spec for them. Only the sender of a draft may.
#[tracing::instrument(skip_all, fields(package.id = package_id, user.id = user.id))]
pub async fn upload_spec(
    state: &AppState,
    user: &users::Model,
    issuer: Issuer,
    package_id: i64,
    request: UploadSpecRequest,
    gateway_url: String,
) -> Result<TransferSpec, AppError> {
    let settings = require_gateway(state).await?;
    let (package, access) = packages::find_visible(&state.db, user, package_id).await?;
    if access != Access::Sender {
        return Err(AppError::Forbidden(
            "Only the sender can add files to a package.".into(),
        ));
    }
    if package.is_sent() {
        return Err(AppError::Conflict(
            "This package has been sent: its files can no longer change.".into(),
        ));
    }
    let declared = declared::check_files(
        &request.files,
        request.client,
        &settings,
        state.config.max_file_size,
    )?;

    let txn = state.db.begin().await?;
    if !packages::lock_draft(&txn, package_id).await? {
        return Err(AppError::Conflict(
            "This package has been sent: its files can no longer change.".into(),
        ));
    }
    let mut existing = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package_id))
        .order_by_asc(package_files::Column::Id)
        .all(&txn)
        .await?;
    let now = Utc::now();
    let mut files = Vec::with_capacity(declared.len());
    for file in declared {
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        let reused = existing
            .iter()
            .position(|row| row.name == file.name && row.size == size && row.path == file.path)
            .map(|index| existing.swap_remove(index));
        let row = match reused {
            Some(row) => row,
            None => {
                package_files::ActiveModel {
                    package_id: Set(package_id),
                    name: Set(file.name),
                    path: Set(file.path),
                    size: Set(size),
                    state: Set(package_files::State::Pending),
                    storage_key: Set(new_storage_key()),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        files.push(row);
    }
    // Declared before, missing now: the sender removed them. Their upload rows go with them
    // (cascade) and the reclaim task sweeps those bytes; a file already published is deleted from
    // the transfer node once the rows are gone, so no row ever points at missing bytes.
    let dropped_any = !existing.is_empty();
    let mut published = Vec::new();
    for dropped in existing {
        package_files::Entity::delete_by_id(dropped.id)
            .exec(&txn)
            .await?;
        if dropped.state == package_files::State::Complete {
            published.push(dropped.storage_key);
        }
    }
    let mail = state.config.mail.as_ref();
    if dropped_any && packages::send_if_all_files_complete(&txn, mail, package_id, now).await? {
        tracing::info!("package sent: the files left out were its last pending ones");
    }
    txn.commit().await?;
    crate::storage::delete_unreferenced(state.node.as_ref(), published, "dropped from a draft")
        .await;

    let claims = TransferClaims::new(
        user.id,
        package_id,
        TransferDirection::Send,
        files.iter().map(|f| f.id).collect(),
    )
    .issued_by(issuer)
    .for_client(request.client);
    let token = state.transfer_keys.issue(&claims)?;
    let gateway_url = gateway_url.trim_end_matches('/').to_owned();
    Ok(TransferSpec {
        transfer_type: TransferType::HttpGateway,
        direction: TransferDirection::Send,
        client: request.client,
        package_id,
        tus_endpoint: Some(format!("{gateway_url}{}", app::paths::GATEWAY_TUS)),
        gateway_url,
        files: files
            .into_iter()
            .map(|row| TransferFile {
                id: row.id,
                complete: row.state == package_files::State::Complete,
                name: row.name,
                path: row.path,
                size: u64::try_from(row.size).unwrap_or_default(),
                url: None,
                sha256: None,
            })
            .collect(),
        chunk_size: CHUNK_SIZE,
        parallel: PARALLEL,
        expires_at: claims.expires_at(),
        token,
    })
}
