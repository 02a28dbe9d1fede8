//! The transfer spec of the draft being sent, kept fresh: its token expires (about two hours), so it
//! is requested again shortly before then and whenever the gateway answers 401; requesting it again
//! without a file is also how a cancelled file leaves the package. Concurrent refreshes share one
//! request.

use std::cell::{Cell, RefCell};

use web_sys::js_sys::Date;

use super::tus::{Gateway, TusError};
use crate::types::{DeclaredFile, ErrorCode, TransferClient, TransferSpec, UploadSpecRequest};
use crate::ui::api::{self, ApiError};
use crate::ui::app_settings::AppSettings;
use crate::ui::transfer::GATEWAY_OFF;
use crate::ui::transfer::shared_request::SharedRequest;

/// Ask for a new token this long before the current one expires (milliseconds).
const REFRESH_MARGIN_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The current spec and the files it was asked for.
pub struct SpecSource {
    package_id: i64,
    declared: RefCell<Vec<DeclaredFile>>,
    /// Bumped whenever `declared` changes, so a refresh that started before knows to run again.
    generation: Cell<u64>,
    spec: RefCell<TransferSpec>,
    refreshing: SharedRequest<Result<(), TusError>>,
}

impl SpecSource {
    /// Starts from the spec the page asked for with `declared`.
    pub fn new(spec: TransferSpec, declared: Vec<DeclaredFile>) -> Self {
        SpecSource {
            package_id: spec.package_id,
            declared: RefCell::new(declared),
            generation: Cell::new(0),
            spec: RefCell::new(spec),
            refreshing: SharedRequest::new(),
        }
    }

    pub fn package_id(&self) -> i64 {
        self.package_id
    }

    /// Bytes per PATCH.
    pub fn chunk_size(&self) -> u64 {
        self.spec.borrow().chunk_size.max(1)
    }

    /// Parallel parts per big file.
    pub fn parallel(&self) -> u32 {
        self.spec.borrow().parallel.max(1)
    }

    /// The gateway and the current token, without checking its age (for best-effort requests).
    pub fn current_gateway(&self) -> Gateway {
        let spec = self.spec.borrow();
        let endpoint = spec
            .tus_endpoint
            .clone()
            .unwrap_or_else(|| format!("{}/tus/", spec.gateway_url.trim_end_matches('/')));
        Gateway {
            endpoint,
            token: spec.token.clone(),
        }
    }

    /// The gateway with a token that has some time left, refreshing it first when needed.
    pub async fn gateway(&self) -> Result<Gateway, TusError> {
        let expires_ms = self.spec.borrow().expires_at.timestamp_millis() as f64;
        if Date::now() > expires_ms - REFRESH_MARGIN_MS {
            self.refresh().await?;
        }
        Ok(self.current_gateway())
    }

    /// Leaves a file out of the package; the caller then refreshes so the server drops it.
    pub fn drop_file(&self, name: &str, size: u64) {
        self.declared
            .borrow_mut()
            .retain(|file| !(file.name == name && file.size == size));
        self.generation.set(self.generation.get() + 1);
    }

    /// Whether the latest spec says file `id` is complete.
    pub fn is_complete(&self, id: i64) -> bool {
        self.spec
            .borrow()
            .files
            .iter()
            .any(|file| file.id == id && file.complete)
    }

    /// Whether any file is still declared.
    pub fn has_files(&self) -> bool {
        !self.declared.borrow().is_empty()
    }

    /// Requests the spec again for the declared files (one request for concurrent callers).
    pub async fn refresh(&self) -> Result<(), TusError> {
        self.refreshing
            .run(async {
                loop {
                    let generation = self.generation.get();
                    let request = UploadSpecRequest {
                        files: self.declared.borrow().clone(),
                        client: TransferClient::Browser,
                    };
                    let spec = api::upload_spec(self.package_id, &request)
                        .await
                        .map_err(|error| spec_error(&error))?;
                    *self.spec.borrow_mut() = spec;
                    if generation == self.generation.get() {
                        return Ok(());
                    }
                }
            })
            .await
    }
}

/// What a failed spec request means for the uploads: try again later, or stop with the server's
/// reason (the package is no longer a draft, the gateway was turned off…).
fn spec_error(error: &ApiError) -> TusError {
    if error.code() == Some(ErrorCode::GatewayDisabled) {
        AppSettings::gateway_refused();
        return TusError::Refused(GATEWAY_OFF.to_owned());
    }
    match error.status() {
        None | Some(429 | 500..=599) if *error != ApiError::Malformed => TusError::Transient,
        _ => TusError::Refused(error.to_string()),
    }
}
