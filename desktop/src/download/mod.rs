//! The download engine: fetches a sent package's files from the URLs of a receive transfer spec
//! with ranged GETs, each into `NAME.part` beside where it belongs, verified against the file's
//! SHA-256 and then given its name, never over an existing file (`NAME (1).ext`). The `.part` files
//! are recorded in the journal before they are created, so after a kill the download goes on from
//! the bytes on disk (`Range` with `If-Range`: if the file changed on the server, it starts over).
//!
//! - [`safe_path`]: the paths the server sends, checked, and folders and files created without
//!   following links;
//! - [`fetch`]: one file, from its `.part` to its name.

mod fetch;
pub mod safe_path;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use app::types::TransferSpec;
use chrono::Utc;
use futures_util::StreamExt as _;

use crate::api::Api;
use crate::journal::{Entry, Header, Journal, ReceiveHeader};
use crate::rate::RateLimit;
use crate::report::Reporter;

/// Files downloaded at the same time.
pub const FILES_AT_ONCE: usize = 4;

/// The receive spec of one package, renewed before its token expires or when it is refused.
pub(crate) struct Shared {
    pub api: Api,
    pub package_id: i64,
    pub dir: PathBuf,
    pub spec: tokio::sync::Mutex<TransferSpec>,
    pub journal: Mutex<Journal>,
    pub rate: Option<Arc<RateLimit>>,
}

impl Shared {
    /// The token to send, renewed first when it has less than ten minutes left.
    pub async fn token(&self) -> anyhow::Result<String> {
        let mut spec = self.spec.lock().await;
        if (spec.expires_at - Utc::now()).num_minutes() < 10 {
            *spec = self.api.download_spec(self.package_id).await?;
        }
        Ok(spec.token.clone())
    }

    pub async fn renew(&self) -> anyhow::Result<()> {
        *self.spec.lock().await = self.api.download_spec(self.package_id).await?;
        Ok(())
    }

    pub fn record(&self, entry: Entry) -> anyhow::Result<()> {
        self.journal
            .lock()
            .map_err(|_| anyhow::anyhow!("the journal lock was poisoned"))?
            .append(entry)
    }
}

/// The journal's entry of a new receive into `dir`.
pub fn header(api: &Api, package_id: i64, title: &str, dir: PathBuf) -> Header {
    Header::Receive(ReceiveHeader {
        server: api.server().to_owned(),
        package_id,
        title: title.to_owned(),
        dir,
    })
}

/// Downloads every file of the receive in `journal` not saved yet; where each landed. The journal
/// is removed once all are saved.
pub async fn run(
    api: Api,
    journal: Journal,
    reporter: Arc<Reporter>,
    rate: Option<Arc<RateLimit>>,
) -> anyhow::Result<Vec<PathBuf>> {
    let Header::Receive(header) = journal.header.clone() else {
        bail!("not a receive");
    };
    let spec = api.download_spec(header.package_id).await?;
    std::fs::create_dir_all(&header.dir)
        .with_context(|| format!("cannot create {}", header.dir.display()))?;
    let mut saved = HashMap::new();
    let mut partial = HashMap::new();
    for entry in &journal.entries {
        match entry {
            Entry::Saved { file_id, path } => {
                saved.insert(*file_id, path.clone());
            }
            Entry::Partial { file_id, part } => {
                partial.insert(*file_id, part.clone());
            }
            _ => {}
        }
    }
    let files = spec.files.clone();
    let shared = Arc::new(Shared {
        api,
        package_id: header.package_id,
        dir: header.dir.clone(),
        spec: tokio::sync::Mutex::new(spec),
        journal: Mutex::new(journal),
        rate,
    });
    let total = files.iter().map(|f| f.size).sum();
    let bar = reporter.start(
        &format!("receive-{}", header.package_id),
        files.len(),
        total,
    );
    let jobs = files.into_iter().map(|file| {
        let shared = shared.clone();
        let shown = file.path.clone().unwrap_or_else(|| file.name.clone());
        let file_id = crate::ids::file(file.id);
        let file_bar = bar.file(file_id, &shown, file.size);
        let done = saved.get(&file_id).cloned();
        let part = partial.get(&file_id).cloned();
        async move {
            let outcome = match done {
                Some(path) => {
                    file_bar.advance(file.size);
                    Ok(path)
                }
                None => fetch::fetch(&shared, &file, part, &file_bar).await,
            };
            match &outcome {
                Ok(path) => file_bar.done(Some(&path.display().to_string())),
                Err(error) => file_bar.failed(error),
            }
            outcome
        }
    });
    let outcomes: Vec<anyhow::Result<PathBuf>> = futures_util::stream::iter(jobs)
        .buffer_unordered(FILES_AT_ONCE)
        .collect()
        .await;
    bar.finish();
    let mut paths = Vec::with_capacity(outcomes.len());
    let mut failures = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(path) => paths.push(path),
            Err(error) => failures.push(error),
        }
    }
    if let Some(first) = failures.into_iter().next() {
        return Err(first.context(format!(
            "some files of package {} could not be downloaded",
            header.package_id
        )));
    }
    let shared = Arc::into_inner(shared).context("every download has ended")?;
    let journal = shared
        .journal
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the journal lock was poisoned"))?;
    journal.finish()?;
    Ok(paths)
}
