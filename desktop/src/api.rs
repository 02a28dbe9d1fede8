//! The package API as typed calls, authenticated with the API token (`Authorization: Bearer`, so
//! no CSRF header is needed). A 401 becomes [`AuthExpired`]; any other refusal becomes an
//! [`ApiError`] carrying the server's own code and sentence.

use std::time::Duration;

use app::paths;
use app::types::{
    ApiToken, ErrorBody, ErrorCode, NewPackage, PackageDetail, PackagePage, Settings, TransferSpec,
    UploadSpecRequest,
};
use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};

use crate::credentials::SignIn;
use crate::failure::AuthExpired;
use crate::retry::Backoff;

/// A refusal from the server, as it explained it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: u16,
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    /// Worth asking again after a pause (the server was busy or failed).
    pub fn is_transient(&self) -> bool {
        self.status >= 500 || matches!(self.status, 408 | 423 | 429)
    }
}

/// The HTTP client every request shares (one connection pool), with this program's user agent.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .user_agent(concat!("ferry-desktop/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(120))
        .build()?)
}

/// The server's error body, or a sentence made from the status when it sent none.
pub async fn error_of(response: reqwest::Response) -> ApiError {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ApiError {
            status: status.as_u16(),
            code: body.error.code,
            message: body.error.message,
        },
        Err(_) => ApiError {
            status: status.as_u16(),
            code: ErrorCode::Unknown,
            message: format!("the server answered {status}"),
        },
    }
}

/// A signed-in client of one server's package API.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub sign_in: SignIn,
}

impl Api {
    pub fn new(http: reqwest::Client, sign_in: SignIn) -> Self {
        Self { http, sign_in }
    }

    pub fn server(&self) -> &str {
        &self.sign_in.server
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// One request; transient failures (network, 5xx, 429) are retried with backoff.
    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> anyhow::Result<T> {
        let url = format!("{}{path}", self.sign_in.server);
        let mut backoff = Backoff::default();
        loop {
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(&self.sign_in.token);
            if let Some(body) = body {
                request = request.json(body);
            }
            let error: anyhow::Error = match request.send().await {
                Ok(response) if response.status().is_success() => {
                    if response.status() == StatusCode::NO_CONTENT {
                        return Ok(serde_json::from_str("null")?);
                    }
                    return Ok(response.json().await?);
                }
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED => {
                    return Err(AuthExpired {
                        server: self.sign_in.server.clone(),
                    }
                    .into());
                }
                Ok(response) => {
                    let error = error_of(response).await;
                    if !error.is_transient() {
                        return Err(error.into());
                    }
                    error.into()
                }
                Err(error) if error.is_builder() => return Err(error.into()),
                Err(error) => anyhow::Error::new(error)
                    .context(format!("cannot reach {}", self.sign_in.server)),
            };
            if !backoff.wait().await {
                return Err(error);
            }
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.call::<(), T>(Method::GET, path, None).await
    }

    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> anyhow::Result<()> {
        self.call::<(), serde_json::Value>(Method::DELETE, path, None)
            .await
            .map(drop)
    }

    pub async fn settings(&self) -> anyhow::Result<Settings> {
        self.get(paths::SETTINGS).await
    }

    pub async fn create_package(&self, new: &NewPackage) -> anyhow::Result<PackageDetail> {
        self.post(paths::PACKAGES, new).await
    }

    pub async fn package(&self, id: i64) -> anyhow::Result<PackageDetail> {
        self.get(&paths::with_id(paths::PACKAGE, id)).await
    }

    pub async fn delete_package(&self, id: i64) -> anyhow::Result<()> {
        self.delete(&paths::with_id(paths::PACKAGE, id)).await
    }

    pub async fn upload_spec(
        &self,
        id: i64,
        request: &UploadSpecRequest,
    ) -> anyhow::Result<TransferSpec> {
        self.post(&paths::with_id(paths::PACKAGE_UPLOAD_SPEC, id), request)
            .await
    }

    pub async fn download_spec(&self, id: i64) -> anyhow::Result<TransferSpec> {
        let path = format!(
            "{}?client=desktop",
            paths::with_id(paths::PACKAGE_DOWNLOAD_SPEC, id)
        );
        self.post(&path, &serde_json::json!({})).await
    }

    /// One page of received (`paths::PACKAGES_RECEIVED`) or sent packages.
    pub async fn packages(
        &self,
        list: &str,
        page: u32,
        per_page: u32,
    ) -> anyhow::Result<PackagePage> {
        self.get(&format!("{list}?page={page}&per_page={per_page}"))
            .await
    }

    pub async fn tokens(&self) -> anyhow::Result<Vec<ApiToken>> {
        self.get(paths::ME_TOKENS).await
    }
}
