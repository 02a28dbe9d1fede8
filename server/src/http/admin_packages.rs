//! `/api/v1/admin/packages`: admins see the packages whose files remain on the transfer node and
//! delete a package's files by hand (through the same path as expiration).

use app::{
    paths,
    types::{ErrorBody, PackagePage, PageQuery},
};
use axum::{extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::packages::{PackageId, Paging};
use crate::{
    auth::CurrentAdmin,
    error::AppError,
    http::respond::ApiJson,
    services::AppState,
    services::{expiration, packages},
};

/// The routes of this module, with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(delete_files))
}

/// Sent packages whose files remain on the transfer node, newest sent first.
#[utoipa::path(get, path = paths::ADMIN_PACKAGES, tag = "admin", operation_id = "list_packages_with_files",
    params(PageQuery),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "One page of packages", body = PackagePage),
        (status = 400, description = "page below 1, per_page outside 1 to 100, or not numbers", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _admin: CurrentAdmin,
    Paging(query): Paging,
) -> Result<ApiJson<PackagePage>, AppError> {
    Ok(ApiJson(packages::with_files(&state.db, query).await?))
}

/// Deletes a sent package's files now, as its expiration would: the bytes leave the transfer node,
/// the files read `deleted`, and the package stays listed with `files_deleted_at`.
#[utoipa::path(delete, path = paths::ADMIN_PACKAGE_FILES, tag = "admin", operation_id = "delete_package_files",
    params(("id" = i64, Path, description = "Package id")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 204, description = "The files are deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a missing CSRF header", body = ErrorBody),
        (status = 404, description = "No such package", body = ErrorBody),
        (status = 409, description = "The files were already deleted, or the package is a draft", body = ErrorBody),
    ))]
pub async fn delete_files(
    State(state): State<AppState>,
    CurrentAdmin(admin): CurrentAdmin,
    PackageId(id): PackageId,
) -> Result<StatusCode, AppError> {
    expiration::delete_by_admin(&state, &admin.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
