//! `status`, `resume` and `cancel`: the unfinished transfers of the journal. Every command that
//! talks to the server (but `login`, `logout` and `cancel`) calls [`resume_first`], so a transfer
//! cut short goes on at the next command without being asked.

use anyhow::{Context as _, bail};
use app::types::PackageState;
use serde_json::json;

use super::{Session, session};
use crate::cli::{CancelArgs, GlobalArgs};
use crate::journal::{self, Entry, Header, Journal};
use crate::{download, upload};

/// Continues every unfinished transfer of this session's server that no other process is running;
/// the first failure, after trying them all.
pub async fn resume_unfinished(session: &Session) -> anyhow::Result<()> {
    let mut first_failure = None;
    for unfinished in journal::unfinished()? {
        if unfinished.running || unfinished.header.server() != session.api.server() {
            continue;
        }
        let Some(journal) = Journal::open(&unfinished.path)? else {
            continue;
        };
        let id = journal.header.transfer_id();
        session.reporter.note(&format!("Resuming {id}…"));
        let outcome = match &journal.header {
            Header::Send(_) => upload::run(
                session.api.clone(),
                journal,
                None,
                session.reporter.clone(),
                session.rate.clone(),
            )
            .await
            .map(drop),
            Header::Receive(_) => download::run(
                session.api.clone(),
                journal,
                session.reporter.clone(),
                session.rate.clone(),
            )
            .await
            .map(drop),
        };
        match outcome {
            Ok(()) => session
                .reporter
                .event(json!({"event": "resumed", "transfer": id})),
            Err(error) => {
                session.reporter.note(&format!("{id}: {error:#}"));
                // A sign-in that is no longer valid stops everything at once.
                if crate::exit_code(&error) == crate::failure::EXIT_AUTH {
                    return Err(error);
                }
                first_failure.get_or_insert(error.context(format!("{id} is still unfinished")));
            }
        }
    }
    first_failure.map_or(Ok(()), Err)
}

/// What every signed-in command does first: continue the unfinished transfers. Only a sign-in that
/// is no longer valid stops the command; other failures were reported, and stay for `resume`.
pub async fn resume_first(session: &Session) -> anyhow::Result<()> {
    match resume_unfinished(session).await {
        Err(error) if crate::exit_code(&error) == crate::failure::EXIT_AUTH => Err(error),
        _ => Ok(()),
    }
}

pub async fn resume(global: &GlobalArgs) -> anyhow::Result<()> {
    let session = session(global)?;
    let before = journal::unfinished()?.len();
    let outcome = resume_unfinished(&session).await;
    let left = journal::unfinished()?.len();
    if global.json {
        session.reporter.event(json!({
            "event": "result", "ok": outcome.is_ok(), "command": "resume",
            "resumed": before.saturating_sub(left), "unfinished": left,
        }));
    } else if before == 0 {
        eprintln!("Nothing to resume.");
    } else if outcome.is_ok() {
        eprintln!("Every transfer of {} is complete.", session.api.server());
    }
    outcome
}

pub async fn status(global: &GlobalArgs) -> anyhow::Result<()> {
    let unfinished = journal::unfinished()?;
    if global.json {
        let transfers: Vec<_> = unfinished
            .iter()
            .map(|u| {
                json!({
                    "transfer": u.header.transfer_id(), "package_id": u.header.package_id(),
                    "server": u.header.server(), "title": title(&u.header),
                    "state": if u.running { "running" } else { "unfinished" },
                })
            })
            .collect();
        crate::report::print_json(
            &json!({"event": "result", "ok": true, "command": "status", "transfers": transfers}),
        );
        return Ok(());
    }
    if unfinished.is_empty() {
        println!("No transfers are running or unfinished.");
        return Ok(());
    }
    for u in &unfinished {
        println!(
            "{:<16} {:<10} {}  ({})",
            u.header.transfer_id(),
            if u.running { "running" } else { "unfinished" },
            title(&u.header),
            u.header.server()
        );
    }
    println!("\nRun `ferry-desktop resume` to continue, or `ferry-desktop cancel ID` to stop one.");
    Ok(())
}

fn title(header: &Header) -> &str {
    match header {
        Header::Send(h) => &h.title,
        Header::Receive(h) => &h.title,
    }
}

pub async fn cancel(global: &GlobalArgs, args: CancelArgs) -> anyhow::Result<()> {
    let wanted = args.id.trim();
    let matches: Vec<_> = journal::unfinished()?
        .into_iter()
        .filter(|u| u.header.transfer_id() == wanted || u.header.package_id().to_string() == wanted)
        .collect();
    let unfinished = match matches.as_slice() {
        [] => bail!("no unfinished transfer is called {wanted:?}: see `ferry-desktop status`"),
        [one] => one,
        _ => bail!(
            "{wanted:?} names both a send and a receive: say send-{wanted} or receive-{wanted}"
        ),
    };
    if unfinished.running {
        bail!(
            "{} is running in another ferry-desktop: stop that one first",
            unfinished.header.transfer_id()
        );
    }
    let journal =
        Journal::open(&unfinished.path)?.context("the transfer was started again meanwhile")?;
    let id = journal.header.transfer_id();
    let note = match &journal.header {
        Header::Send(header) => {
            let session = session(global)?;
            let package = session.api.package(header.package_id).await?;
            if package.summary.state == PackageState::Sent {
                "the package was already sent, so it stays".to_owned()
            } else {
                session.api.delete_package(header.package_id).await?;
                format!("draft package {} deleted", header.package_id)
            }
        }
        Header::Receive(_) => {
            let mut removed = 0;
            for entry in &journal.entries {
                if let Entry::Partial { part, .. } = entry {
                    let is_file = std::fs::symlink_metadata(part).is_ok_and(|m| m.is_file());
                    if is_file && std::fs::remove_file(part).is_ok() {
                        removed += 1;
                    }
                }
            }
            format!("{removed} .part files removed")
        }
    };
    journal.finish()?;
    if global.json {
        crate::report::print_json(
            &json!({"event": "result", "ok": true, "command": "cancel", "transfer": id, "message": note}),
        );
    } else {
        eprintln!("Cancelled {id}: {note}.");
    }
    Ok(())
}
