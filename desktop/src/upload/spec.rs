//! The send transfer spec of one package, kept fresh: asked again before its token expires or
//! when the gateway refuses it. Asking again with the same list of files keeps their ids, so
//! uploads under way go on.

use std::time::Duration;

use app::types::{TransferSpec, UploadSpecRequest};
use chrono::Utc;
use tokio::sync::Mutex;

use crate::api::Api;

/// A spec this close to expiry is renewed before use.
const RENEW_BEFORE: Duration = Duration::from_secs(10 * 60);

pub struct SpecSource {
    api: Api,
    package_id: i64,
    request: UploadSpecRequest,
    current: Mutex<TransferSpec>,
}

impl SpecSource {
    /// A source starting from `spec`, just received for `request`.
    pub fn from_spec(
        api: Api,
        package_id: i64,
        request: UploadSpecRequest,
        spec: TransferSpec,
    ) -> Self {
        Self {
            api,
            package_id,
            request,
            current: Mutex::new(spec),
        }
    }

    pub async fn new(
        api: Api,
        package_id: i64,
        request: UploadSpecRequest,
    ) -> anyhow::Result<Self> {
        let spec = api.upload_spec(package_id, &request).await?;
        Ok(Self {
            api,
            package_id,
            request,
            current: Mutex::new(spec),
        })
    }

    /// The spec, renewed first if it is about to expire.
    pub async fn get(&self) -> anyhow::Result<TransferSpec> {
        let mut current = self.current.lock().await;
        let left = current.expires_at - Utc::now();
        if left.to_std().unwrap_or_default() < RENEW_BEFORE {
            *current = self.api.upload_spec(self.package_id, &self.request).await?;
        }
        Ok(current.clone())
    }

    /// A new spec now (the gateway refused the token, or to see which files are complete).
    pub async fn renew(&self) -> anyhow::Result<TransferSpec> {
        let spec = self.api.upload_spec(self.package_id, &self.request).await?;
        *self.current.lock().await = spec.clone();
        Ok(spec)
    }
}
