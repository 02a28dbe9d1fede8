//! `POST /api/v1/packages/{id}/zip/link`: what the web app needs to hand a whole package to the
//! browser's own downloads as one ZIP archive ("Download all").

use app::types::{ErrorBody, FileLink};
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{authority::SiteAuthority, client_config::gateway_url, packages::PackageId};
use crate::{
    auth::CurrentUser, error::AppError, http::respond::ApiJson, services::AppState,
    services::transfer_spec,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(zip_link))
}

/// Returns a link to a sent package's files as one ZIP archive: its gateway URL
/// (`/packages/{id}/zip`) with a token in the query that lets anyone holding the URL `GET` the
/// archive (as the caller: a recipient's download counts, file by file, for exactly the bytes the
/// archive carried) until `expires_at`. The archive stores every complete file (named by its folder
/// path if it has one) uncompressed, with ZIP64 where needed; its length and strong `ETag` are
/// known up front and `Range`/`If-Range` work, so a browser's download manager resumes it. For the
/// package's recipients, its sender and admins.
#[utoipa::path(post, path = app::paths::PACKAGE_ZIP_LINK, tag = "packages",
    operation_id = "create_zip_link",
    params(("id" = i64, Path, description = "The package")),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The link", body = FileLink),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The gateway is turned off, or a missing CSRF header", body = ErrorBody),
        (status = 404, description = "No such package, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "The package is still a draft", body = ErrorBody),
        (status = 410, description = "The package's files were deleted (expiration or an admin)", body = ErrorBody),
        (status = 421, description = "A host name this server does not answer for (see allowed_hosts)", body = ErrorBody),
    ))]
pub async fn zip_link(
    State(state): State<AppState>,
    current: CurrentUser,
    PackageId(id): PackageId,
    site: SiteAuthority,
) -> Result<ApiJson<FileLink>, AppError> {
    let gateway = gateway_url(&state, &site)?;
    let link = transfer_spec::archive_link(
        &state,
        &current.user,
        current.credential.issuer(),
        id,
        gateway,
    )
    .await?;
    Ok(ApiJson(link))
}
