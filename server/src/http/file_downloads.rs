//! `POST /api/v1/packages/{id}/files/{file_id}/link` and `GET …/delivery`: what the web app needs
//! to hand one file to the browser's own downloads and follow it there.

use app::types::{ErrorBody, FileDelivery, FileLink};
use axum::{
    extract::{FromRequestParts, Path, State},
    http::request::Parts,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{authority::SiteAuthority, client_config::gateway_url};
use crate::{
    auth::CurrentUser,
    error::AppError,
    http::respond::ApiJson,
    services::AppState,
    services::{downloads, transfer_spec},
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(link))
        .routes(routes!(delivery))
}

/// The `{id}` and `{file_id}` of a file URL; anything that is not a number answers 404.
#[derive(Debug, Clone, Copy)]
pub struct FileOfPackage {
    pub package: i64,
    pub file: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for FileOfPackage {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path((package, file)) = Path::<(i64, i64)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Ok(Self { package, file })
    }
}

/// Returns a link to one file of a sent package: its gateway URL with a token in the query that
/// lets anyone holding the URL `GET` that one file (as the caller: a recipient's download counts)
/// until `expires_at`. The answer is `Content-Disposition: attachment`, and `Range`/`If-Range`
/// work, so a browser's download manager saves it to disk and resumes it. For the package's
/// recipients, its sender and admins.
#[utoipa::path(post, path = app::paths::PACKAGE_FILE_LINK, tag = "packages",
    operation_id = "create_file_link",
    params(
        ("id" = i64, Path, description = "The package"),
        ("file_id" = i64, Path, description = "One of its files"),
    ),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The link", body = FileLink),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The gateway is turned off, or a missing CSRF header", body = ErrorBody),
        (status = 404, description = "No such package or file, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "The package is still a draft", body = ErrorBody),
        (status = 410, description = "The file was deleted (expiration or an admin)", body = ErrorBody),
        (status = 421, description = "A host name this server does not answer for (see allowed_hosts)", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    current: CurrentUser,
    file: FileOfPackage,
    site: SiteAuthority,
) -> Result<ApiJson<FileLink>, AppError> {
    let gateway = gateway_url(&state, &site)?;
    let link = transfer_spec::file_link(
        &state,
        &current.user,
        current.credential.issuer(),
        file.package,
        file.file,
        gateway,
    )
    .await?;
    Ok(ApiJson(link))
}

/// How much of one file the gateway has delivered to the caller so far, however it was fetched
/// (a response under way counts in steps of some tens of MiB). Only recipients' downloads are
/// tracked: for the sender and admins `tracked` is false.
#[utoipa::path(get, path = app::paths::PACKAGE_FILE_DELIVERY, tag = "packages",
    operation_id = "get_file_delivery",
    params(
        ("id" = i64, Path, description = "The package"),
        ("file_id" = i64, Path, description = "One of its files"),
    ),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "What was delivered", body = FileDelivery),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such package or file, or not one the caller may see", body = ErrorBody),
    ))]
pub async fn delivery(
    State(state): State<AppState>,
    current: CurrentUser,
    file: FileOfPackage,
) -> Result<ApiJson<FileDelivery>, AppError> {
    let delivery = downloads::file_delivery(&state, &current.user, file.package, file.file).await?;
    Ok(ApiJson(delivery))
}
