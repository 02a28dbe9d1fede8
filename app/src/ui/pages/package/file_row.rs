//! One file of a package: name (after its folders, when it was sent in one), size, SHA-256 and
//! state, a Download (or Retry) button when it can be downloaded, Cancel while the page is getting
//! it, and the download's progress once it has started.

use leptos::prelude::*;

use super::file_hash::FileHash;
use crate::types::{FileState, PackageFile};
use crate::ui::components::ProgressBar;
use crate::ui::format::human_size;
use crate::ui::transfer::download::{DownloadProgress, DownloadStage, PackageDownloads};

#[component]
pub fn FileRow(
    file: PackageFile,
    downloads: PackageDownloads,
    /// Whether the package's files can be downloaded at all (sent, not deleted, gateway on).
    #[prop(into)]
    downloadable: Signal<bool>,
) -> impl IntoView {
    let progress = downloads.progress(&file);
    let row_class = move || {
        let modifier = progress.with(|p| match p.stage {
            DownloadStage::Saved { .. }
            | DownloadStage::HandedOver {
                delivered: true, ..
            } => " file-row--done",
            DownloadStage::Failed(_) | DownloadStage::GatewayOff => " file-row--failed",
            DownloadStage::Deleted(_) => " file-row--gone",
            _ => "",
        });
        format!("file-row{modifier}")
    };
    let can_download = move || {
        downloadable.get()
            && file.state == FileState::Complete
            && !progress.with(|p| matches!(p.stage, DownloadStage::Deleted(_)))
    };
    let action = {
        let file = file.clone();
        move || {
            can_download()
                .then(|| view! { <DownloadButton file=file.clone() downloads progress /> })
        }
    };
    let cancel = {
        let file = file.clone();
        move || {
            progress.with(DownloadProgress::can_cancel).then(|| {
                let label = format!("Cancel download of {}", file.name);
                let file = file.clone();
                view! {
                    <button
                        type="button"
                        class="button button--small button--quiet"
                        aria-label=label
                        on:click=move |_| downloads.cancel(&file)
                    >
                        "Cancel"
                    </button>
                }
            })
        }
    };
    let status = {
        let name = file.name.clone();
        move || {
            progress.with(|p| {
                p.has_started()
                    .then(|| {
                        let complete = p.is_complete();
                        view! {
                            <ProgressBar label=name.clone() done=p.done size=p.size complete />
                            <p class="file-row__status">{p.words()}</p>
                        }
                        .into_any()
                    })
                    .or_else(|| match &p.stage {
                        DownloadStage::Deleted(_) | DownloadStage::Cancelled => {
                            Some(view! { <p class="file-row__status">{p.words()}</p> }.into_any())
                        }
                        _ => None,
                    })
            })
        }
    };

    view! {
        <li class=row_class>
            <div class="file-row__head">
                <span class="file-row__name" title=file.path.clone().unwrap_or_else(|| file.name.clone())>
                    {folder_of(&file).map(|folder| view! { <span class="file-row__folder">{folder}</span> })}
                    // The name in an element of its own: it reads (and is found) as the name alone.
                    <span>{file.name.clone()}</span>
                </span>
                <span class="file-row__size">{human_size(file.size)}</span>
                {match file.state {
                    FileState::Complete => None,
                    FileState::Pending => Some(view! { <span class="badge badge--draft">"Not uploaded yet"</span> }),
                    FileState::Deleted => Some(view! { <span class="badge badge--gone">"Deleted"</span> }),
                }}
                <span class="file-row__action">{cancel}{action}</span>
            </div>
            // Kept after a deletion: it still tells whether a saved copy is the file that was sent.
            {file.sha256.clone().map(|hash| view! { <FileHash hash file_name=file.name.clone() /> })}
            {status}
        </li>
    }
}

/// The folders before a file's name (`photos/2024/`), for a file sent in a folder. Shown only: a
/// download is always saved under the file's name.
fn folder_of(file: &PackageFile) -> Option<String> {
    let path = file.path.as_deref()?;
    let (folders, _) = path.rsplit_once('/')?;
    Some(format!("{folders}/"))
}

/// "Download", or "Retry" after a failure (which continues from the bytes received); disabled
/// while the file is on its way.
#[component]
fn DownloadButton(
    file: PackageFile,
    downloads: PackageDownloads,
    progress: RwSignal<DownloadProgress>,
) -> impl IntoView {
    let failed = move || progress.with(|p| matches!(p.stage, DownloadStage::Failed(_)));
    let label = {
        let name = file.name.clone();
        move || {
            if failed() {
                format!("Retry {name}")
            } else {
                format!("Download {name}")
            }
        }
    };
    view! {
        <button
            type="button"
            class=move || {
                if failed() { "button button--small button--primary" } else { "button button--small button--quiet" }
            }
            aria-label=label
            disabled=move || progress.with(DownloadProgress::is_active)
            on:click=move |_| downloads.start(&file)
        >
            {move || {
                progress
                    .with(|p| match p.stage {
                        DownloadStage::Failed(_) => "Retry",
                        DownloadStage::Waiting => "Waiting…",
                        DownloadStage::Downloading => "Downloading…",
                        DownloadStage::InBrowser => "In your downloads…",
                        _ => "Download",
                    })
            }}
        </button>
    }
}
