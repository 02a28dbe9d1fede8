//! `send`: scans the paths, checks them against the server's desktop limits, creates the draft,
//! records the send in the journal, and uploads (which sends the package).

use anyhow::bail;
use app::types::{ExpirationPolicy, NewPackage};
use serde_json::json;

use super::transfers::resume_first;
use super::{human_bytes, session};
use crate::cli::{GlobalArgs, SendArgs};
use crate::ids;
use crate::journal::Journal;
use crate::upload;

/// `--expires`: `never`, `after-any`, `after-all` or a number of days.
pub fn parse_expiry(raw: &str) -> Result<ExpirationPolicy, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "never" | "none" => Ok(ExpirationPolicy::None),
        "after-any" => Ok(ExpirationPolicy::AfterAnyRecipientDownloads),
        "after-all" => Ok(ExpirationPolicy::AfterAllRecipientsDownload),
        days => {
            let days: u32 = days.parse().map_err(|_| {
                format!("{raw:?}: use never, after-any, after-all or a number of days")
            })?;
            let policy = ExpirationPolicy::AfterDays { days };
            policy.validate()?;
            Ok(policy)
        }
    }
}

pub async fn run(global: &GlobalArgs, args: SendArgs) -> anyhow::Result<()> {
    let session = session(global)?;
    resume_first(&session).await?;
    let files = upload::scan::scan(&args.paths)?;
    let total: u64 = files.iter().map(|f| f.size).sum();
    let settings = session.api.settings().await?;
    if files.len() > settings.desktop_max_files_per_package as usize {
        bail!(
            "{} files is more than this server takes in one package ({}): send them in several \
             packages",
            files.len(),
            settings.desktop_max_files_per_package
        );
    }
    if let Some(max) = settings
        .desktop_max_package_bytes
        .filter(|max| total > *max)
    {
        bail!(
            "{} is more than this server takes in one package ({})",
            human_bytes(total),
            human_bytes(max)
        );
    }
    let new = NewPackage {
        title: args.title.clone(),
        note: args.note,
        recipients: args.to.clone(),
        expiration: args.expires,
    };
    let package = session.api.create_package(&new).await?;
    let package_id = ids::package(package.summary.id);
    // The server checks the files (count, sizes, paths) when they are declared: a refusal leaves
    // no draft behind and nothing to resume.
    let spec = match session
        .api
        .upload_spec(package_id, &upload::declared(&files))
        .await
    {
        Ok(spec) => spec,
        Err(error) => {
            if let Err(cleanup) = session.api.delete_package(package_id).await {
                session.reporter.note(&format!(
                    "could not delete draft package {package_id}: {cleanup:#}"
                ));
            }
            return Err(error);
        }
    };
    let count = files.len();
    let header = upload::header(&session.api, package_id, &args.title, files, args.parts);
    let journal = Journal::create(header)?;
    upload::run(
        session.api.clone(),
        journal,
        Some(spec),
        session.reporter.clone(),
        session.rate.clone(),
    )
    .await?;
    if global.json {
        session.reporter.event(json!({
            "event": "result", "ok": true, "command": "send", "package_id": package_id,
            "files": count, "bytes": total, "recipients": args.to,
        }));
    } else {
        eprintln!(
            "Sent package {package_id} “{}” ({}, {}) to {}.",
            args.title,
            super::files(count),
            human_bytes(total),
            args.to.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_takes_names_and_days() {
        assert_eq!(parse_expiry("never"), Ok(ExpirationPolicy::None));
        assert_eq!(
            parse_expiry("after-all"),
            Ok(ExpirationPolicy::AfterAllRecipientsDownload)
        );
        assert_eq!(
            parse_expiry("7"),
            Ok(ExpirationPolicy::AfterDays { days: 7 })
        );
        assert!(parse_expiry("0").is_err());
        assert!(parse_expiry("soon").is_err());
    }
}
