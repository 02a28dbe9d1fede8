//! `receive`: downloads the packages named (or, with `--new`, every received package not
//! downloaded in full) into the target folder, each as a transfer of its own in the journal.

use std::path::PathBuf;

use anyhow::Context as _;
use app::paths;
use app::types::{DownloadState, PackageState};
use serde_json::json;

use super::transfers::resume_first;
use super::{Session, session};
use crate::cli::{GlobalArgs, ReceiveArgs};
use crate::download;
use crate::journal::{self, Header, Journal};

pub async fn run(global: &GlobalArgs, args: ReceiveArgs) -> anyhow::Result<()> {
    let session = session(global)?;
    let dir = match args.dir {
        Some(dir) => dir,
        None => std::env::current_dir().context("cannot tell the current folder")?,
    };
    let dir =
        std::path::absolute(&dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    resume_first(&session).await?;
    let ids = match args.new {
        true => not_downloaded(&session).await?,
        false => args.ids,
    };
    let mut failed = Vec::new();
    let mut received = Vec::new();
    for id in ids {
        match receive_one(&session, id, &dir).await {
            Ok(paths) => received.push((id, paths)),
            Err(error) => {
                session.reporter.note(&format!("package {id}: {error:#}"));
                failed.push((id, error));
            }
        }
    }
    if global.json {
        let packages: Vec<_> = received
            .iter()
            .map(|(id, paths)| json!({"package_id": id, "files": paths}))
            .collect();
        session.reporter.event(json!({
            "event": "result", "ok": failed.is_empty(), "command": "receive", "packages": packages,
            "failed": failed.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        }));
    } else if received.is_empty() && failed.is_empty() {
        eprintln!("Nothing new to receive.");
    } else {
        for (id, paths) in &received {
            eprintln!(
                "Received package {id}: {} in {}.",
                super::files(paths.len()),
                dir.display()
            );
        }
    }
    if let Some((_, error)) = failed.into_iter().next() {
        return Err(error);
    }
    Ok(())
}

async fn receive_one(
    session: &Session,
    id: i64,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let package = session.api.package(id).await?;
    if package.summary.state != PackageState::Sent {
        anyhow::bail!("package {id} is not sent yet: its files are still being uploaded");
    }
    let header = download::header(&session.api, id, &package.summary.title, dir.to_owned());
    let journal = Journal::create(header)?;
    download::run(
        session.api.clone(),
        journal,
        session.reporter.clone(),
        session.rate.clone(),
    )
    .await
}

/// Received packages with files left that this user has not downloaded in full, oldest first, and
/// none that an unfinished receive on this computer already covers.
async fn not_downloaded(session: &Session) -> anyhow::Result<Vec<i64>> {
    let under_way: Vec<i64> = journal::unfinished()?
        .into_iter()
        .filter(|u| {
            matches!(u.header, Header::Receive(_)) && u.header.server() == session.api.server()
        })
        .map(|u| u.header.package_id())
        .collect();
    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let listed = session
            .api
            .packages(paths::PACKAGES_RECEIVED, page, 100)
            .await?;
        for summary in &listed.items {
            let pending = summary.my_download_state != Some(DownloadState::Downloaded)
                && summary.files_deleted_at.is_none()
                && !under_way.contains(&crate::ids::package(summary.id));
            if pending {
                ids.push(crate::ids::package(summary.id));
            }
        }
        if listed.items.is_empty() || u64::from(page) * 100 >= listed.total {
            break;
        }
        page += 1;
    }
    ids.reverse();
    Ok(ids)
}
