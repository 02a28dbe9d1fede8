//! `inbox` and `sent`: the newest packages as a table, or with `--json` one result object holding
//! them as the API describes them.

use app::paths;
use app::types::{DownloadState, PackageState, PackageSummary};
use serde_json::json;

use super::transfers::resume_first;
use super::{human_bytes, session};
use crate::cli::{GlobalArgs, ListArgs};
use crate::ids;

pub async fn inbox(global: &GlobalArgs, args: ListArgs) -> anyhow::Result<()> {
    list(global, args, paths::PACKAGES_RECEIVED, "inbox").await
}

pub async fn sent(global: &GlobalArgs, args: ListArgs) -> anyhow::Result<()> {
    list(global, args, paths::PACKAGES_SENT, "sent").await
}

async fn list(
    global: &GlobalArgs,
    args: ListArgs,
    path: &str,
    command: &str,
) -> anyhow::Result<()> {
    let session = session(global)?;
    resume_first(&session).await?;
    let mut items: Vec<PackageSummary> = Vec::new();
    let mut page = 1;
    let per_page = args.limit.clamp(1, 100);
    while items.len() < args.limit as usize {
        let listed = session.api.packages(path, page, per_page).await?;
        let done = listed.items.is_empty() || u64::from(page * per_page) >= listed.total;
        items.extend(listed.items);
        if done {
            break;
        }
        page += 1;
    }
    items.truncate(args.limit as usize);
    if global.json {
        session
            .reporter
            .event(json!({"event": "result", "ok": true, "command": command, "packages": items}));
        return Ok(());
    }
    if items.is_empty() {
        println!("No packages.");
        return Ok(());
    }
    let received = command == "inbox";
    let rows: Vec<[String; 6]> = items
        .iter()
        .map(|p| {
            let who = match received {
                true => p.sender.username.clone(),
                false => p
                    .recipients
                    .iter()
                    .map(|r| r.username.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let state = match (received, p.state, p.my_download_state) {
                (_, _, _) if p.files_deleted_at.is_some() => "files deleted".to_owned(),
                (false, PackageState::Draft, _) => "draft".to_owned(),
                (false, PackageState::Sent, _) => p.delivery.map_or_else(
                    || "sent".to_owned(),
                    |d| format!("sent, downloaded by {} of {}", d.downloaded, d.recipients),
                ),
                (true, _, Some(DownloadState::Downloaded)) => "downloaded".to_owned(),
                (true, _, Some(DownloadState::PartiallyDownloaded)) => {
                    "partly downloaded".to_owned()
                }
                (true, _, _) => "new".to_owned(),
            };
            let when = p.sent_at.unwrap_or(p.created_at).format("%Y-%m-%d %H:%M");
            [
                ids::package(p.id).to_string(),
                p.title.clone(),
                who,
                format!("{} / {}", p.file_count, human_bytes(p.total_size)),
                when.to_string(),
                state,
            ]
        })
        .collect();
    let header = [
        "ID",
        "TITLE",
        if received { "FROM" } else { "TO" },
        "FILES / SIZE",
        "DATE (UTC)",
        "STATE",
    ];
    print_table(&header, &rows);
    Ok(())
}

/// Left-aligned columns, two spaces apart; long titles are cut.
fn print_table(header: &[&str; 6], rows: &[[String; 6]]) {
    let cell = |s: &str| -> String {
        let s: String = s.chars().filter(|c| !c.is_control()).collect();
        if s.chars().count() > 40 {
            format!("{}…", s.chars().take(39).collect::<String>())
        } else {
            s
        }
    };
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, value) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell(value).chars().count());
        }
    }
    let line = |values: Vec<String>| {
        let padded: Vec<String> = values
            .iter()
            .zip(widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        line(row.iter().map(|v| cell(v)).collect());
    }
}
