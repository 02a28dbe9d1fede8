//! The package's files: each with its download, "Download all", and what to say when the files
//! cannot be downloaded (a draft, deleted files, the gateway turned off).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::file_row::FileRow;
use crate::types::{FileState, PackageFile};
use crate::ui::app_settings::use_app_settings;
use crate::ui::format::{count, human_size, local_date_time, machine_date_time};
use crate::ui::transfer::download::PackageDownloads;

#[component]
pub fn Files(
    files: Vec<PackageFile>,
    draft: bool,
    total: u64,
    files_deleted_at: Option<DateTime<Utc>>,
    downloads: PackageDownloads,
) -> impl IntoView {
    let app_settings = use_app_settings();
    let gateway_on = move || app_settings.gateway_enabled();
    let gone = files_deleted_at.is_some();
    let downloadable = Signal::derive(move || !draft && !gone && gateway_on());
    let available: Vec<PackageFile> = files
        .iter()
        .filter(|file| file.state == FileState::Complete)
        .cloned()
        .collect();
    let show_all = !available.is_empty();
    let summary = format!(
        "{}, {}",
        count(files.len() as u64, "file", "files"),
        human_size(total)
    );

    view! {
        <section class="panel" aria-labelledby="package-files">
            <div class="panel__head">
                <h2 id="package-files" class="panel__title">
                    "Files"
                </h2>
                <Show when=move || downloadable.get() && show_all>
                    <button
                        type="button"
                        class="button button--primary button--small"
                        disabled=move || downloads.is_active()
                        on:click={
                            let available = available.clone();
                            move |_| downloads.start_all(&available)
                        }
                    >
                        "Download all"
                    </button>
                </Show>
            </div>
            {files_deleted_at.map(|at| view! { <FilesDeleted at /> })}
            <Show when=move || !draft && !gone && app_settings.current().is_some_and(|s| !s.gateway_enabled)>
                <p class="notice notice--warning">
                    "Files cannot be downloaded while the HTTP gateway is turned off. Ask an administrator to turn it on."
                </p>
            </Show>
            {if files.is_empty() {
                view! {
                    <p class="empty-line">"No files yet."</p>
                    {draft
                        .then(|| {
                            view! {
                                <p class="muted">
                                    "This draft has no files: it is sent once its files are uploaded from the New package page."
                                </p>
                            }
                        })}
                }
                    .into_any()
            } else {
                view! {
                    <p class="muted">{summary}</p>
                    <ul class="file-list file-list--downloads" aria-label="Files of this package">
                        <For each=move || files.clone() key=|file| file.id let:file>
                            <FileRow file downloads downloadable />
                        </For>
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

/// "The files of this package were deleted on 12 Mar 2026, 14:05."
#[component]
fn FilesDeleted(at: DateTime<Utc>) -> impl IntoView {
    view! {
        <p class="notice notice--info files-deleted" role="status">
            "The files of this package were deleted on "
            <time datetime=machine_date_time(at)>{local_date_time(at)}</time>
            ". They can no longer be downloaded."
        </p>
    }
}
