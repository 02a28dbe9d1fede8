//! The admin settings: read by everyone, changed by admins, validated here.

use app::types::Settings;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};

use crate::{
    db::{entities::settings, expiration},
    error::AppError,
};

/// The current settings (the built-in defaults until an admin saves them).
pub async fn load(db: &impl ConnectionTrait) -> Result<Settings, AppError> {
    let Some(row) = settings::Entity::find_by_id(settings::ROW_ID)
        .one(db)
        .await?
    else {
        return Ok(Settings::default());
    };
    Ok(Settings {
        gateway_enabled: row.gateway_enabled,
        max_files_per_package: u32::try_from(row.max_files_per_package)
            .unwrap_or(app::limits::DEFAULT_MAX_FILES_PER_PACKAGE),
        users_may_change_desktop_client: row.users_may_change_desktop_client,
        default_expiration: expiration::from_columns(
            row.default_expiration_kind,
            row.default_expiration_days,
        )?,
        directory_exact_email: row.directory_exact_email,
        user_quota_bytes: row
            .user_quota_bytes
            .and_then(|bytes| u64::try_from(bytes).ok()),
        desktop_max_files_per_package: u32::try_from(row.desktop_max_files_per_package)
            .unwrap_or(Settings::DEFAULT_DESKTOP_MAX_FILES),
        desktop_max_package_bytes: row
            .desktop_max_package_bytes
            .and_then(|bytes| u64::try_from(bytes).ok()),
    })
}

/// Checks new settings; the error names the setting and what is allowed.
pub fn validate(new: &Settings) -> Result<(), AppError> {
    if !(1..=Settings::MAX_FILES_LIMIT).contains(&new.max_files_per_package) {
        return Err(AppError::BadRequest(format!(
            "The maximum number of files per package must be between 1 and {}.",
            Settings::MAX_FILES_LIMIT
        )));
    }
    if !(1..=Settings::DESKTOP_MAX_FILES_LIMIT).contains(&new.desktop_max_files_per_package) {
        return Err(AppError::BadRequest(format!(
            "The maximum number of files per package sent with the desktop client \
             (desktop_max_files_per_package) must be between 1 and {}.",
            Settings::DESKTOP_MAX_FILES_LIMIT
        )));
    }
    if new.desktop_max_package_bytes == Some(0) {
        return Err(AppError::BadRequest(
            "The largest package sent with the desktop client (desktop_max_package_bytes) must \
             be more than 0 bytes, or none."
                .into(),
        ));
    }
    if new.user_quota_bytes == Some(0) {
        return Err(AppError::BadRequest(
            "The storage quota per user must be more than 0 bytes, or none.".into(),
        ));
    }
    new.default_expiration
        .validate()
        .map_err(AppError::BadRequest)
}

/// Validates and stores new settings (insert or update of the single row).
pub async fn save(db: &impl ConnectionTrait, new: Settings) -> Result<Settings, AppError> {
    validate(&new)?;
    let (kind, days) = expiration::to_columns(new.default_expiration);
    let row = settings::ActiveModel {
        id: Set(settings::ROW_ID),
        gateway_enabled: Set(new.gateway_enabled),
        max_files_per_package: Set(i32::try_from(new.max_files_per_package).unwrap_or(i32::MAX)),
        users_may_change_desktop_client: Set(new.users_may_change_desktop_client),
        default_expiration_kind: Set(kind),
        default_expiration_days: Set(days),
        directory_exact_email: Set(new.directory_exact_email),
        user_quota_bytes: Set(new
            .user_quota_bytes
            .map(|bytes| i64::try_from(bytes).unwrap_or(i64::MAX))),
        desktop_max_files_per_package: Set(
            i32::try_from(new.desktop_max_files_per_package).unwrap_or(i32::MAX)
        ),
        desktop_max_package_bytes: Set(new
            .desktop_max_package_bytes
            .map(|bytes| i64::try_from(bytes).unwrap_or(i64::MAX))),
        updated_at: Set(Utc::now()),
    };
    settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(settings::Column::Id)
                .update_columns([
                    settings::Column::GatewayEnabled,
                    settings::Column::MaxFilesPerPackage,
                    settings::Column::UsersMayChangeDesktopClient,
                    settings::Column::DefaultExpirationKind,
                    settings::Column::DefaultExpirationDays,
                    settings::Column::DirectoryExactEmail,
                    settings::Column::UserQuotaBytes,
                    settings::Column::DesktopMaxFilesPerPackage,
                    settings::Column::DesktopMaxPackageBytes,
                    settings::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    load(db).await
}
