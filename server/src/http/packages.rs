//! `/api/v1/packages`: create a draft, the Received and Sent lists, read and delete one package.
//! Who may see what is decided in [`crate::services::packages`]; these handlers only extract and answer.

use app::{
    paths,
    types::{ErrorBody, NewPackage, PackageDetail, PackagePage, PageQuery},
};
use axum::{
    extract::{FromRequestParts, Path, Query, State},
    http::{StatusCode, header, request::Parts},
    response::IntoResponse,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::CurrentUser, error::AppError, http::respond::ApiJson, services::AppState,
    services::packages,
};

/// The package routes with their OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(received))
        .routes(routes!(sent))
        .routes(routes!(show, delete))
}

/// The `{id}` of a package URL. An id that is not a number answers 404, like any package the caller
/// cannot see.
#[derive(Debug, Clone, Copy)]
pub struct PackageId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PackageId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(id) = Path::<i64>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Ok(Self(id))
    }
}

/// `?page=&per_page=` of a list; a malformed query answers 400 in the API's error shape.
#[derive(Debug, Clone, Copy)]
pub struct Paging(pub PageQuery);

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Query(query) = Query::<PageQuery>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| {
                AppError::BadRequest(format!(
                    "The paging is not valid ({}): page is a whole number from 1, per_page from 1 to {}.",
                    rejection.body_text(),
                    PageQuery::MAX_PER_PAGE
                ))
            })?;
        Ok(Self(query))
    }
}

/// Creates a draft package.
///
/// The draft stays invisible to its recipients until its files are uploaded. The sender may
/// address themself.
#[utoipa::path(post, path = paths::PACKAGES, tag = "packages", operation_id = "create_package", request_body = NewPackage,
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 201, description = "Draft created; `Location` names it", body = PackageDetail),
        (status = 400, description = "Invalid title, note, recipients (the message names each unknown one) or expiration, or a malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or cross-site request", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(new): ApiJson<NewPackage>,
) -> Result<impl IntoResponse, AppError> {
    let detail = packages::create(&state.db, &current.user, new).await?;
    let location = paths::with_id(paths::PACKAGE, detail.summary.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        ApiJson(detail),
    ))
}

/// Sent packages addressed to me, newest sent first.
#[utoipa::path(get, path = paths::PACKAGES_RECEIVED, tag = "packages", operation_id = "list_received_packages", params(PageQuery),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "One page of packages", body = PackagePage),
        (status = 400, description = "page below 1, per_page outside 1 to 100, or not numbers", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn received(
    State(state): State<AppState>,
    current: CurrentUser,
    Paging(query): Paging,
) -> Result<ApiJson<PackagePage>, AppError> {
    Ok(ApiJson(
        packages::received(&state.db, &current.user, query).await?,
    ))
}

/// Packages I sent, drafts included, newest created first.
#[utoipa::path(get, path = paths::PACKAGES_SENT, tag = "packages", operation_id = "list_sent_packages", params(PageQuery),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "One page of packages", body = PackagePage),
        (status = 400, description = "page below 1, per_page outside 1 to 100, or not numbers", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn sent(
    State(state): State<AppState>,
    current: CurrentUser,
    Paging(query): Paging,
) -> Result<ApiJson<PackagePage>, AppError> {
    Ok(ApiJson(
        packages::sent(&state.db, &current.user, query).await?,
    ))
}

/// One package.
///
/// Visible to its sender, to its recipients once it is sent, and to admins. `recipient_status` is
/// present for the sender and admins only.
#[utoipa::path(get, path = paths::PACKAGE, tag = "packages", operation_id = "get_package",
    params(("id" = i64, Path, description = "Package id")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The package", body = PackageDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such package, or not one the caller may see (the same answer)", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    PackageId(id): PackageId,
) -> Result<ApiJson<PackageDetail>, AppError> {
    Ok(ApiJson(packages::show(&state.db, &current.user, id).await?))
}

/// Deletes a package with its recipients and files (sender or admin).
#[utoipa::path(delete, path = paths::PACKAGE, tag = "packages", operation_id = "delete_package",
    params(("id" = i64, Path, description = "Package id")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A recipient may not delete the package, or a missing CSRF header / cross-site request", body = ErrorBody),
        (status = 404, description = "No such package, or not one the caller may see (the same answer)", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    PackageId(id): PackageId,
) -> Result<StatusCode, AppError> {
    packages::delete(&state.db, state.node.as_ref(), &current.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
