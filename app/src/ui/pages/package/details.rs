//! What a package holds: who sent it to whom, its note, what happens to its files, the files, and
//! (for its sender and admins) each recipient's progress.

use leptos::prelude::*;

use crate::types::{PackageDetail, PackageFile, PackageState, RecipientStatus};
use crate::ui::components::{GatewayNotice, names};
use crate::ui::format::{
    count, download_state_label, download_state_tone, expiration_words, human_size,
    local_date_time, machine_date_time,
};

#[component]
pub fn PackageDetails(detail: PackageDetail) -> impl IntoView {
    let PackageDetail {
        summary,
        note,
        expiration,
        files,
        recipient_status,
        ..
    } = detail;
    let draft = summary.state == PackageState::Draft;
    let created = summary.created_at;

    view! {
        <div class="stack">
            <GatewayNotice />
            <section class="panel" aria-labelledby="package-about">
                <h2 id="package-about" class="panel__title">
                    "About this package"
                </h2>
                <dl class="facts">
                    <div class="facts__row">
                        <dt>"Sender"</dt>
                        <dd>{summary.sender.display_name}</dd>
                    </div>
                    <div class="facts__row">
                        <dt>"Recipients"</dt>
                        <dd>{names(&summary.recipients)}</dd>
                    </div>
                    <div class="facts__row">
                        <dt>"Created"</dt>
                        <dd>
                            <time datetime=machine_date_time(created)>{local_date_time(created)}</time>
                        </dd>
                    </div>
                    {summary
                        .sent_at
                        .map(|sent| {
                            view! {
                                <div class="facts__row">
                                    <dt>"Sent"</dt>
                                    <dd>
                                        <time datetime=machine_date_time(sent)>{local_date_time(sent)}</time>
                                    </dd>
                                </div>
                            }
                        })}
                    <div class="facts__row">
                        <dt>"Expiration"</dt>
                        <dd>{expiration_words(&expiration)}</dd>
                    </div>
                </dl>
            </section>
            {(!note.trim().is_empty())
                .then(|| {
                    view! {
                        <section class="panel" aria-labelledby="package-note">
                            <h2 id="package-note" class="panel__title">
                                "Note"
                            </h2>
                            // Plain text: Leptos escapes it; line breaks are kept by CSS.
                            <p class="note">{note}</p>
                        </section>
                    }
                })}
            <Files files draft total=summary.total_size />
            {recipient_status.map(|statuses| view! { <Recipients statuses /> })}
        </div>
    }
}

#[component]
fn Files(files: Vec<PackageFile>, draft: bool, total: u64) -> impl IntoView {
    let summary = format!(
        "{}, {}",
        count(files.len() as u64, "file", "files"),
        human_size(total)
    );
    view! {
        <section class="panel" aria-labelledby="package-files">
            <h2 id="package-files" class="panel__title">
                "Files"
            </h2>
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
                    <div class="table-scroll">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col" class="table__number">"Size"</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || files.clone() key=|file| file.id let:file>
                                    <tr>
                                        <td class="table__wrap">{file.name}</td>
                                        <td class="table__number">{human_size(file.size)}</td>
                                    </tr>
                                </For>
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn Recipients(statuses: Vec<RecipientStatus>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="package-recipients">
            <h2 id="package-recipients" class="panel__title">
                "Recipients"
            </h2>
            <div class="table-scroll">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Recipient"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Downloaded"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || statuses.clone() key=|status| status.user.id let:status>
                            <tr>
                                <td>
                                    {status.user.display_name} " "
                                    <span class="muted">"(" {status.user.username} ")"</span>
                                </td>
                                <td>
                                    <span class=format!(
                                        "badge badge--{}",
                                        download_state_tone(status.state),
                                    )>{download_state_label(status.state)}</span>
                                </td>
                                <td class="table__nowrap">
                                    {status
                                        .downloaded_at
                                        .map_or_else(
                                            || "—".to_owned().into_any(),
                                            |at| {
                                                view! {
                                                    <time datetime=machine_date_time(
                                                        at,
                                                    )>{local_date_time(at)}</time>
                                                }
                                                    .into_any()
                                            },
                                        )}
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}
