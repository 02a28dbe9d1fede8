//! `POST /api/v1/packages/{id}/transfer_spec/upload` and `…/download`: transfer specs to upload a
//! draft's files and to download a sent package's files.

use app::types::{ErrorBody, TransferClient, TransferSpec, UploadSpecRequest};
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{authority::SiteAuthority, client_config::gateway_url, packages::PackageId};
use crate::{
    auth::CurrentUser,
    error::AppError,
    http::respond::{ApiJson, ApiQuery},
    services::AppState,
    services::transfer_spec,
};

/// `?client=`: which client will move the bytes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// `browser` (the default) or `desktop`; echoed in the spec's `client`.
    #[serde(default)]
    pub client: TransferClient,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .routes(routes!(download))
}

/// Declares the draft's complete list of files and returns a send transfer spec: the gateway's tus
/// endpoint, the files with their ids, suggested chunk size and parallelism, and a token (valid
/// until `expires_at`) to send as `Authorization: Bearer` on every gateway request. Asking again
/// with the same files (name, size and path) returns the same file ids, so uploads resume; files
/// left out are dropped. `client: desktop` allows folder paths and the desktop client's limits.
#[utoipa::path(post, path = app::paths::PACKAGE_UPLOAD_SPEC, tag = "packages",
    operation_id = "create_upload_transfer_spec",
    params(("id" = i64, Path, description = "The package")),
    request_body = UploadSpecRequest,
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The transfer spec", body = TransferSpec),
        (status = 400, description = "No files, too many files or bytes for the client, a file name that is a path, a folder path that breaks a rule (or any folder path from the browser), or a file over the size limit", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the sender, the gateway is turned off, or a missing CSRF header", body = ErrorBody),
        (status = 404, description = "No such package, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "The package is already sent", body = ErrorBody),
        (status = 421, description = "A host name this server does not answer for (see allowed_hosts)", body = ErrorBody),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    current: CurrentUser,
    PackageId(id): PackageId,
    site: SiteAuthority,
    ApiJson(request): ApiJson<UploadSpecRequest>,
) -> Result<ApiJson<TransferSpec>, AppError> {
    let gateway = gateway_url(&state, &site)?;
    let spec = transfer_spec::upload_spec(
        &state,
        &current.user,
        current.credential.issuer(),
        id,
        request,
        gateway,
    )
    .await?;
    Ok(ApiJson(spec))
}

/// Returns a receive transfer spec for a sent package: each file's gateway `url` (GET it with the
/// token as `Authorization: Bearer`; `Range`, `If-Range` and `HEAD` work) and `sha256` (also its
/// `ETag`), a suggested `chunk_size` for ranged GETs, and a token valid until `expires_at`. For the
/// package's recipients, its sender and admins; only recipients' downloads count as downloaded.
#[utoipa::path(post, path = app::paths::PACKAGE_DOWNLOAD_SPEC, tag = "packages",
    operation_id = "create_download_transfer_spec",
    params(("id" = i64, Path, description = "The package"), ClientQuery),
    security(("session_cookie" = []), ("api_token" = [])),
    responses(
        (status = 200, description = "The transfer spec", body = TransferSpec),
        (status = 400, description = "An unknown client", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The gateway is turned off, or a missing CSRF header", body = ErrorBody),
        (status = 404, description = "No such package, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "The package is still a draft", body = ErrorBody),
        (status = 410, description = "The package's files were deleted (expiration or an admin)", body = ErrorBody),
        (status = 421, description = "A host name this server does not answer for (see allowed_hosts)", body = ErrorBody),
    ))]
pub async fn download(
    State(state): State<AppState>,
    current: CurrentUser,
    PackageId(id): PackageId,
    ApiQuery(query): ApiQuery<ClientQuery>,
    site: SiteAuthority,
) -> Result<ApiJson<TransferSpec>, AppError> {
    let gateway = gateway_url(&state, &site)?;
    let spec = transfer_spec::download_spec(
        &state,
        &current.user,
        current.credential.issuer(),
        id,
        query.client,
        gateway,
    )
    .await?;
    Ok(ApiJson(spec))
}
