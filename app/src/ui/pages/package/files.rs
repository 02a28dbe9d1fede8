//! The package's files: each with its download, "Download all", "Download as ZIP", and what to
//! say when the files cannot be downloaded (a draft, deleted files, the gateway turned off).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::file_row::FileRow;
use crate::types::{FileState, PackageFile};
use crate::ui::app_settings::use_app_settings;
use crate::ui::format::{count, human_size, local_date_time, machine_date_time};
use crate::ui::transfer::download::{PackageDownloads, hand_over_zip};

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
    // What became of the last "Download as ZIP": handed to the browser, or why not.
    let zip_state = RwSignal::new(None::<Result<(), String>>);
    let zip_pending = RwSignal::new(false);
    let download_zip = move |_| {
        zip_pending.set(true);
        let package_id = downloads.package_id();
        spawn_local(async move {
            let handed = hand_over_zip(package_id).await;
            zip_pending.try_set(false);
            zip_state.try_set(Some(handed));
        });
    };
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
                    <div class="panel__actions">
                        <button
                            type="button"
                            class="button button--quiet button--small"
                            disabled=move || zip_pending.get()
                            on:click=download_zip
                        >
                            "Download as ZIP"
                        </button>
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
                    </div>
                </Show>
            </div>
            {move || {
                zip_state
                    .get()
                    .map(|state| match state {
                        Ok(()) => {
                            view! {
                                <p class="notice notice--info" role="status">
                                    "The ZIP of every file is in your browser\u{2019}s downloads. If it stops, the browser can resume it."
                                </p>
                            }
                                .into_any()
                        }
                        Err(reason) => {
                            view! {
                                <p class="form__error" role="alert">
                                    {format!("The ZIP could not be downloaded: {reason}")}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
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
