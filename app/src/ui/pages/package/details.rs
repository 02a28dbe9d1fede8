//! What a package holds: who sent it to whom, its note, what happens to its files, the files (with
//! their downloads), and (for its sender and admins) each recipient's progress.

use leptos::prelude::*;

use super::files::Files;
use super::recipients::Recipients;
use crate::types::{PackageDetail, PackageState};
use crate::ui::components::{GatewayNotice, names};
use crate::ui::format::{expiration_words, local_date_time, machine_date_time};
use crate::ui::transfer::download::PackageDownloads;

#[component]
pub fn PackageDetails(detail: PackageDetail, downloads: PackageDownloads) -> impl IntoView {
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
    let file_count = files.len();

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
                    {summary
                        .files_deleted_at
                        .map(|at| {
                            view! {
                                <div class="facts__row">
                                    <dt>"Files deleted"</dt>
                                    <dd>
                                        <time datetime=machine_date_time(at)>{local_date_time(at)}</time>
                                    </dd>
                                </div>
                            }
                        })}
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
            <Files
                files
                draft
                total=summary.total_size
                files_deleted_at=summary.files_deleted_at
                downloads
            />
            {recipient_status.map(|statuses| view! { <Recipients statuses file_count /> })}
        </div>
    }
}
