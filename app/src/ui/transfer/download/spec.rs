//! The receive transfer spec of the package on the page, kept fresh: it is requested when the first
//! download starts, again shortly before its token expires, and whenever the gateway answers 401.
//! Concurrent downloads share one request.

use std::cell::RefCell;

use web_sys::js_sys::Date;

use super::error::DownloadError;
use crate::types::TransferSpec;
use crate::ui::api;
use crate::ui::transfer::shared_request::SharedRequest;

/// Ask for a new token this long before the current one expires (milliseconds).
const REFRESH_MARGIN_MS: f64 = 2.0 * 60.0 * 1000.0;

/// Where to `GET` one file, and with which token.
#[derive(Debug, Clone)]
pub struct FileSource {
    pub url: String,
    pub token: String,
    /// The file's SHA-256 as the spec announces it (also its `ETag`).
    pub sha256: Option<String>,
}

pub struct ReceiveSpec {
    package_id: i64,
    spec: RefCell<Option<TransferSpec>>,
    refreshing: SharedRequest<Result<(), DownloadError>>,
}

impl ReceiveSpec {
    pub fn new(package_id: i64) -> Self {
        ReceiveSpec {
            package_id,
            spec: RefCell::new(None),
            refreshing: SharedRequest::new(),
        }
    }

    /// Where to fetch file `id` from, with a token that has some time left.
    pub async fn file(&self, id: i64) -> Result<FileSource, DownloadError> {
        if self.needs_refresh() {
            self.refresh().await?;
        }
        let spec = self.spec.borrow();
        let spec = spec
            .as_ref()
            .ok_or_else(|| DownloadError::Interrupted(DownloadError::CONNECTION_LOST.to_owned()))?;
        let file = spec.files.iter().find(|file| file.id == id);
        match file.and_then(|file| file.url.clone().map(|url| (url, file))) {
            Some((url, file)) => Ok(FileSource {
                url,
                token: spec.token.clone(),
                sha256: file.sha256.clone(),
            }),
            // The server leaves out files it no longer has.
            None => Err(DownloadError::Deleted(DownloadError::DELETED.to_owned())),
        }
    }

    fn needs_refresh(&self) -> bool {
        self.spec.borrow().as_ref().is_none_or(|spec| {
            Date::now() > spec.expires_at.timestamp_millis() as f64 - REFRESH_MARGIN_MS
        })
    }

    /// Requests the spec again (one request for concurrent callers).
    pub async fn refresh(&self) -> Result<(), DownloadError> {
        self.refreshing
            .run(async {
                let spec = api::download_spec(self.package_id)
                    .await
                    .map_err(|error| DownloadError::from_api(&error))?;
                *self.spec.borrow_mut() = Some(spec);
                Ok(())
            })
            .await
    }
}
