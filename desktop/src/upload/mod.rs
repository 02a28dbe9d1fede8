//! The upload engine: sends a draft package's files with tus through the gateway the transfer
//! spec names, and so sends the package (the server sends it when its last file is complete and
//! verified; nothing is visible to recipients before).
//!
//! Several files move at once ([`FILES_AT_ONCE`]); each file goes as one upload in large chunks, or
//! with `send --parts N` in parallel parts joined by tus concatenation when the gateway offers it
//! ([`plan`]); every request is
//! retried with backoff from the gateway's own offset ([`part`]). Each file's SHA-256 is declared
//! when it is created, so the server refuses a file that differs from what was read here. The tus
//! URLs of parts are written to the journal, so after a kill the upload resumes where the server
//! holds it; small files are simply sent again.
//!
//! - [`scan`]: the local files and their paths in the package;
//! - [`spec`]: the transfer spec, kept fresh;
//! - [`part`]: one upload (a whole file or one part) from its offset to its end;
//! - [`tus`]: the protocol on the wire.

mod part;
pub mod plan;
pub mod scan;
mod spec;
pub mod tus;

use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use app::types::{
    DeclaredFile, PackageState, TransferClient, TransferFile, TransferSpec, UploadSpecRequest,
};
use futures_util::StreamExt as _;
use tokio::sync::Semaphore;

use crate::api::Api;
use crate::journal::{Entry, Header, Journal, LocalFile, SendHeader};
use crate::rate::RateLimit;
use crate::report::{FileBar, Reporter};

pub use spec::SpecSource;

/// Files uploaded at the same time.
pub const FILES_AT_ONCE: usize = 4;
/// Requests with a body in flight at the same time, all files together.
pub const STREAMS: usize = 8;

/// The declared file list of a send: what the server is told, in the journal's order.
pub fn declared(files: &[LocalFile]) -> UploadSpecRequest {
    UploadSpecRequest {
        files: files
            .iter()
            .map(|file| {
                let name = file
                    .path
                    .rsplit('/')
                    .next()
                    .unwrap_or(&file.path)
                    .to_owned();
                DeclaredFile {
                    path: (file.path != name).then(|| file.path.clone()),
                    name,
                    size: file.size,
                }
            })
            .collect(),
        client: TransferClient::Desktop,
    }
}

/// What the engine shares between files.
pub(crate) struct Shared {
    pub api: Api,
    pub package_id: i64,
    pub spec: SpecSource,
    pub journal: Mutex<Journal>,
    pub rate: Option<Arc<RateLimit>>,
    pub streams: Semaphore,
    /// Parts per big file: `send --parts`, or 1 when the gateway cannot join parts.
    pub parts: u32,
}

/// Uploads every file of the send in `journal` that the server does not hold yet; `Ok` once the
/// package is sent. The journal is removed then.
/// `first_spec` is a spec just received for the same files, if the caller has one.
pub async fn run(
    api: Api,
    journal: Journal,
    first_spec: Option<TransferSpec>,
    reporter: Arc<Reporter>,
    rate: Option<Arc<RateLimit>>,
) -> anyhow::Result<i64> {
    let Header::Send(header) = journal.header.clone() else {
        bail!("not a send");
    };
    let request = declared(&header.files);
    let spec = match first_spec {
        Some(spec) => SpecSource::from_spec(api.clone(), header.package_id, request, spec),
        None => SpecSource::new(api.clone(), header.package_id, request).await?,
    };
    let first = spec.get().await?;
    let remote = pair(&header, &first)?;
    let endpoint = first
        .tus_endpoint
        .clone()
        .context("the transfer spec names no tus endpoint")?;
    let concatenation = tus::supports_concatenation(api.http(), &endpoint).await;
    let shared = Arc::new(Shared {
        api: api.clone(),
        package_id: header.package_id,
        spec,
        journal: Mutex::new(journal),
        rate,
        streams: Semaphore::new(STREAMS),
        parts: if concatenation {
            header.parts.max(1)
        } else {
            1
        },
    });
    let total: u64 = header.files.iter().map(|f| f.size).sum();
    let transfer = format!("send-{}", header.package_id);
    let bar = reporter.start(&transfer, header.files.len(), total);
    let jobs =
        header
            .files
            .iter()
            .cloned()
            .zip(remote)
            .enumerate()
            .map(|(index, (local, remote))| {
                let shared = shared.clone();
                let file_bar = bar.file(crate::ids::file(remote.id), &local.path, local.size);
                async move {
                    let outcome = upload_file(&shared, index, &local, &remote, &file_bar).await;
                    match &outcome {
                        Ok(()) => file_bar.done(None),
                        Err(error) => file_bar.failed(error),
                    }
                    outcome
                }
            });
    let failed = futures_util::stream::iter(jobs)
        .buffer_unordered(FILES_AT_ONCE)
        .filter(|outcome| std::future::ready(outcome.is_err()))
        .count()
        .await;
    bar.finish();
    if failed > 0 {
        bail!(
            "{failed} of {} files could not be uploaded; package {} stays a draft until they are \
             (run `ferry-desktop resume`)",
            header.files.len(),
            header.package_id
        );
    }
    check_sent(&shared, &header).await?;
    let shared = Arc::into_inner(shared).context("every upload has ended")?;
    let journal = shared
        .journal
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the journal lock was poisoned"))?;
    journal.finish()?;
    Ok(header.package_id)
}

/// The spec's file for each local file, in the journal's order: by path where the server gives
/// paths (it may order them its own way), else by position, and always of the same size.
fn pair(header: &SendHeader, spec: &TransferSpec) -> anyhow::Result<Vec<TransferFile>> {
    if spec.files.len() != header.files.len() {
        bail!(
            "the server lists {} files for package {}, not the {} being sent",
            spec.files.len(),
            header.package_id,
            header.files.len()
        );
    }
    header
        .files
        .iter()
        .enumerate()
        .map(|(index, local)| {
            let by_path = spec
                .files
                .iter()
                .find(|remote| remote.path.as_deref() == Some(local.path.as_str()));
            let remote = by_path.unwrap_or(&spec.files[index]);
            if remote.size != local.size {
                bail!(
                    "the server's file list does not match the files being sent ({} is {} bytes \
                     here, {} there): cancel this send and start it again",
                    local.path,
                    local.size,
                    remote.size
                );
            }
            Ok(remote.clone())
        })
        .collect()
}

/// The server sends the package when its last file completes: check that it did.
async fn check_sent(shared: &Shared, header: &SendHeader) -> anyhow::Result<()> {
    let package = shared.api.package(header.package_id).await?;
    if package.summary.state != PackageState::Sent {
        bail!(
            "every file is uploaded but package {} is still a draft on the server",
            header.package_id
        );
    }
    Ok(())
}

/// One file, from wherever the server holds it to complete.
async fn upload_file(
    shared: &Arc<Shared>,
    index: usize,
    local: &LocalFile,
    remote: &TransferFile,
    bar: &FileBar,
) -> anyhow::Result<()> {
    if remote.complete {
        bar.advance(local.size);
        return Ok(());
    }
    let metadata = tokio::fs::metadata(&local.local)
        .await
        .with_context(|| format!("cannot read {}", local.local.display()))?;
    if metadata.len() != local.size {
        bail!(
            "{} changed since the send started ({} bytes, was {}): cancel it and send again",
            local.local.display(),
            metadata.len(),
            local.size
        );
    }
    let sha256 = part::hash_file(&local.local).await?;
    let job = part::FileJob {
        shared: shared.clone(),
        index,
        local,
        remote,
        bar,
        sha256,
    };
    job.run().await
}

/// The journal's entry of a new send.
pub fn header(
    api: &Api,
    package_id: i64,
    title: &str,
    files: Vec<LocalFile>,
    parts: u32,
) -> Header {
    Header::Send(SendHeader {
        server: api.server().to_owned(),
        package_id,
        title: title.to_owned(),
        files,
        parts,
    })
}

/// Records a part's upload URL (big files only: small ones are cheaper to send again).
pub(crate) fn remember(shared: &Shared, entry: Entry) -> anyhow::Result<()> {
    shared
        .journal
        .lock()
        .map_err(|_| anyhow::anyhow!("the journal lock was poisoned"))?
        .append(entry)
}
