//! Users, settings and stored packages as admins manage them; the settings are readable by
//! everyone signed in.

use super::ApiError;
use super::packages::page_query;
use super::transport::{delete, get, patch, post, put, put_ignoring_answer};
use crate::paths::{self, with_id};
use crate::types::{
    AdminUser, NewUser, PackagePage, PageQuery, PasswordReset, Settings, UserUpdate,
};

/// `GET /api/v1/admin/users`.
pub async fn list_users() -> Result<Vec<AdminUser>, ApiError> {
    get(paths::ADMIN_USERS, &[]).await
}

/// `POST /api/v1/admin/users`.
pub async fn create_user(user: &NewUser) -> Result<AdminUser, ApiError> {
    post(paths::ADMIN_USERS, user).await
}

/// `PATCH /api/v1/admin/users/{id}`: only the fields that are set change.
pub async fn update_user(id: i64, update: &UserUpdate) -> Result<AdminUser, ApiError> {
    patch(&with_id(paths::ADMIN_USER, id), update).await
}

/// `PUT /api/v1/admin/users/{id}/password`: the user's sessions end.
pub async fn reset_password(id: i64, reset: &PasswordReset) -> Result<(), ApiError> {
    put_ignoring_answer(&with_id(paths::ADMIN_USER_PASSWORD, id), reset).await
}

/// `GET /api/v1/settings`.
pub async fn get_settings() -> Result<Settings, ApiError> {
    get(paths::SETTINGS, &[]).await
}

/// `PUT /api/v1/admin/settings`.
pub async fn save_settings(settings: &Settings) -> Result<Settings, ApiError> {
    put(paths::ADMIN_SETTINGS, settings).await
}

/// `GET /api/v1/admin/packages`: packages whose files remain on the transfer node, newest first.
pub async fn stored_packages(query: PageQuery) -> Result<PackagePage, ApiError> {
    get(paths::ADMIN_PACKAGES, &page_query(query)).await
}

/// `DELETE /api/v1/admin/packages/{id}/files`: deletes a package's files now; it stays listed.
pub async fn delete_package_files(id: i64) -> Result<(), ApiError> {
    delete(&with_id(paths::ADMIN_PACKAGE_FILES, id)).await
}
