//! Packages: creating drafts, the Received and Sent lists, one package, deleting, and the transfer
//! specs that let the web app upload a draft's files and download a sent package's.

use super::ApiError;
use super::transport::{delete, get, post, post_empty};
use crate::paths::{self, with_file, with_id};
use crate::types::{
    FileDelivery, FileLink, NewPackage, PackageDetail, PackagePage, PageQuery, TransferSpec,
    UploadSpecRequest,
};

/// `POST /api/v1/packages`: creates a draft (400 names recipients that do not exist).
pub async fn create_package(package: &NewPackage) -> Result<PackageDetail, ApiError> {
    post(paths::PACKAGES, package).await
}

/// `GET /api/v1/packages/received`: packages sent to me, newest first.
pub async fn received_packages(query: PageQuery) -> Result<PackagePage, ApiError> {
    get(paths::PACKAGES_RECEIVED, &page_query(query)).await
}

/// `GET /api/v1/packages/sent`: packages I sent (drafts included), newest first.
pub async fn sent_packages(query: PageQuery) -> Result<PackagePage, ApiError> {
    get(paths::PACKAGES_SENT, &page_query(query)).await
}

/// `GET /api/v1/packages/{id}` (404 also when this user may not see it).
pub async fn get_package(id: i64) -> Result<PackageDetail, ApiError> {
    get(&with_id(paths::PACKAGE, id), &[]).await
}

/// `DELETE /api/v1/packages/{id}` (its sender or an admin).
pub async fn delete_package(id: i64) -> Result<(), ApiError> {
    delete(&with_id(paths::PACKAGE, id)).await
}

/// `POST /api/v1/packages/{id}/transfer_spec/upload`: declares the complete list of the draft's
/// files (files left out are dropped) and answers the spec to upload them with.
pub async fn upload_spec(id: i64, request: &UploadSpecRequest) -> Result<TransferSpec, ApiError> {
    post(&with_id(paths::PACKAGE_UPLOAD_SPEC, id), request).await
}

/// `POST /api/v1/packages/{id}/transfer_spec/download`: the spec to download a sent package's
/// files (410 once they were deleted).
pub async fn download_spec(id: i64) -> Result<TransferSpec, ApiError> {
    post_empty(&with_id(paths::PACKAGE_DOWNLOAD_SPEC, id)).await
}

/// `POST /api/v1/packages/{id}/files/{file_id}/link`: a short-lived plain link to one file, for
/// the browser's own downloads.
pub async fn file_link(id: i64, file_id: i64) -> Result<FileLink, ApiError> {
    post_empty(&with_file(paths::PACKAGE_FILE_LINK, id, file_id)).await
}

/// `POST /api/v1/packages/{id}/zip/link`: a short-lived plain link to the whole package as one
/// ZIP, which the browser's own downloads fetch and resume.
pub async fn package_zip_link(id: i64) -> Result<FileLink, ApiError> {
    post_empty(&with_id(paths::PACKAGE_ZIP_LINK, id)).await
}

/// `GET /api/v1/packages/{id}/files/{file_id}/delivery`: how much of one file the gateway has
/// delivered to me.
pub async fn file_delivery(id: i64, file_id: i64) -> Result<FileDelivery, ApiError> {
    get(&with_file(paths::PACKAGE_FILE_DELIVERY, id, file_id), &[]).await
}

pub(super) fn page_query(query: PageQuery) -> [(&'static str, String); 2] {
    [
        ("page", query.page.to_string()),
        ("per_page", query.per_page.to_string()),
    ]
}
