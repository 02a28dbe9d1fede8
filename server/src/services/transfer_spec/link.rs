//! File links: the gateway URL of one file with a link token in its query, for the browser's own
//! download manager, which fetches a plain URL (and resumes it itself) but cannot send a header.
//! The token covers that one file, for that one user, for
//! [`LINK_LIFETIME`](crate::transfer::token::LINK_LIFETIME); the gateway tracks
//! what it delivers exactly as for a spec's token. A package's archive link ([`archive_link`]) does
//! the same for the ZIP of all its files.

use app::types::FileLink;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{download::file_url, require_gateway};
use crate::{
    db::entities::{package_files, users},
    error::AppError,
    services::AppState,
    services::packages,
    transfer::token::{Issuer, TransferClaims},
};

/// A link to file `file_id` of sent package `package_id`, for anyone who may download it.
#[tracing::instrument(skip_all, fields(package.id = package_id, file.id = file_id, user.id = user.id))]
pub async fn file_link(
    state: &AppState,
    user: &users::Model,
    issuer: Issuer,
    package_id: i64,
    file_id: i64,
    gateway_url: String,
) -> Result<FileLink, AppError> {
    require_gateway(state).await?;
    let (package, _access) = packages::find_visible(&state.db, user, package_id).await?;
    if !package.is_sent() {
        return Err(AppError::Conflict(
            "This package is still a draft: its files can be downloaded once it is sent.".into(),
        ));
    }
    let file = package_files::Entity::find_by_id(file_id)
        .filter(package_files::Column::PackageId.eq(package_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if package.files_deleted_at.is_some() || file.state == package_files::State::Deleted {
        return Err(AppError::Gone(
            "This file was deleted (by the package's expiration policy or an admin): it can no \
             longer be downloaded."
                .into(),
        ));
    }
    if file.state != package_files::State::Complete {
        return Err(AppError::NotFound);
    }
    let claims = TransferClaims::link(user.id, package_id, file_id).issued_by(issuer);
    let token = state.transfer_keys.issue(&claims)?;
    let gateway_url = gateway_url.trim_end_matches('/');
    Ok(FileLink {
        // A JWT is made of URL-safe characters only: nothing to escape.
        url: format!("{}?token={token}", file_url(gateway_url, file_id)),
        expires_at: claims.expires_at(),
    })
}

/// A link to sent package `package_id`'s ZIP archive (all its complete files), for anyone who may
/// download them.
#[tracing::instrument(skip_all, fields(package.id = package_id, user.id = user.id))]
pub async fn archive_link(
    state: &AppState,
    user: &users::Model,
    issuer: Issuer,
    package_id: i64,
    gateway_url: String,
) -> Result<FileLink, AppError> {
    require_gateway(state).await?;
    let (package, _access) = packages::find_visible(&state.db, user, package_id).await?;
    if !package.is_sent() {
        return Err(AppError::Conflict(
            "This package is still a draft: its files can be downloaded once it is sent.".into(),
        ));
    }
    let complete = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package_id))
        .filter(package_files::Column::State.eq(package_files::State::Complete))
        .count(&state.db)
        .await?;
    if package.files_deleted_at.is_some() || complete == 0 {
        return Err(AppError::Gone(
            "This package's files were deleted (by its expiration policy or an admin): they can \
             no longer be downloaded."
                .into(),
        ));
    }
    let claims = TransferClaims::archive_link(user.id, package_id).issued_by(issuer);
    let token = state.transfer_keys.issue(&claims)?;
    let gateway_url = gateway_url.trim_end_matches('/');
    Ok(FileLink {
        url: format!("{}?token={token}", archive_url(gateway_url, package_id)),
        expires_at: claims.expires_at(),
    })
}

/// `<gateway_url>/packages/<id>/zip`.
pub fn archive_url(gateway_url: &str, package_id: i64) -> String {
    let path = app::paths::GATEWAY_PACKAGE_ZIP.replace("{package_id}", &package_id.to_string());
    format!("{gateway_url}{path}")
}
