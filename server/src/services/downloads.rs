//! Download rules, whatever carries the bytes: which file a receive token may fetch (a complete file
//! of its package; a deleted one is gone for good), re-checking while the bytes stream that the file
//! was not deleted meanwhile ([`deliver`]), and exact tracking of what each recipient received
//! ([`tracking`], read back for the package views by [`progress`], and for one file's download
//! under way by [`file_delivery`]).

mod compact;
mod delivered;
mod delivery;
pub mod progress;
pub mod tracking;

use crate::error::AppError;
use app::types::TransferDirection;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

pub use compact::COMPACT_ABOVE;
pub use delivered::file_delivery;
pub use delivery::{DeliveryRecords, RECHECK_EVERY, deliver};

use crate::{db::entities::package_files, services::AppState, transfer::token::TransferClaims};

/// A file the token may fetch, with what the response needs.
#[derive(Debug, Clone)]
pub struct Servable {
    pub file: package_files::Model,
    pub size: u64,
    /// Lower-case hex SHA-256: the file's `ETag`.
    pub sha256: String,
}

/// The file `file_id` if `claims` may fetch it now: the token must be a receive token covering it,
/// the file must belong to the token's package and be complete.
#[tracing::instrument(skip_all, fields(package.id = claims.pkg, file.id = file_id))]
pub async fn open(
    state: &AppState,
    claims: &TransferClaims,
    file_id: i64,
) -> Result<Servable, AppError> {
    if !claims.allows(TransferDirection::Receive, file_id) {
        return Err(AppError::Forbidden(format!(
            "This transfer token does not cover file {file_id}: ask for a new transfer spec."
        )));
    }
    let file = package_files::Entity::find_by_id(file_id)
        .filter(package_files::Column::PackageId.eq(claims.pkg))
        .one(&state.db)
        .await?
        .ok_or(AppError::NoSuchFile)?;
    match file.state {
        package_files::State::Complete => {}
        package_files::State::Deleted => return Err(AppError::FileDeleted),
        package_files::State::Pending => return Err(AppError::NoSuchFile),
    }
    let sha256 = file
        .sha256
        .clone()
        .ok_or_else(|| anyhow::anyhow!("complete file {} has no SHA-256", file.id))?;
    Ok(Servable {
        size: u64::try_from(file.size).unwrap_or_default(),
        sha256,
        file,
    })
}

/// Whether file `file_id` may still be served (it is complete: not deleted, its package not gone).
pub async fn still_servable(
    db: &impl ConnectionTrait,
    file_id: i64,
) -> Result<bool, sea_orm::DbErr> {
    let state: Option<package_files::State> = package_files::Entity::find_by_id(file_id)
        .select_only()
        .column(package_files::Column::State)
        .into_tuple()
        .one(db)
        .await?;
    Ok(state == Some(package_files::State::Complete))
}
