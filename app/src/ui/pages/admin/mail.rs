//! The Email section: whether the server sends email, and the notification emails not delivered
//! yet (waiting for a retry, or given up on) with their last error.

use leptos::prelude::*;

use crate::types::OutboxReport;
use crate::ui::api;
use crate::ui::components::Loadable;
use crate::ui::format::{count, local_date_time, machine_date_time};

#[component]
pub fn MailSection() -> impl IntoView {
    let report = LocalResource::new(api::undelivered_mail);
    view! {
        <section class="panel" aria-labelledby="mail-heading">
            <div class="panel__head">
                <h2 id="mail-heading" class="panel__title">
                    "Email"
                </h2>
                <button type="button" class="button button--small button--quiet" on:click=move |_| report.refetch()>
                    "Refresh"
                </button>
            </div>
            <Loadable resource=report let:report>
                <MailReport report />
            </Loadable>
        </section>
    }
}

#[component]
fn MailReport(report: OutboxReport) -> impl IntoView {
    if !report.email_enabled && report.items.is_empty() {
        return view! {
            <p class="muted">
                "Email is off: no SMTP server is configured (smtp_host). People are notified in the app only."
            </p>
        }
        .into_any();
    }
    let summary = format!(
        "{} waiting to be sent, {} given up on.",
        count(report.pending, "email", "emails"),
        report.failed
    );
    if report.items.is_empty() {
        return view! { <p class="muted">"Every notification email was delivered."</p> }.into_any();
    }
    let items = report.items;
    view! {
        <p class="muted">{summary}</p>
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">"Undelivered emails"</caption>
                <thead>
                    <tr>
                        <th scope="col">"To"</th>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Last error"</th>
                        <th scope="col">"Next attempt"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || items.clone() key=|mail| mail.id let:mail>
                        <tr>
                            <td class="table__wrap table__address">{mail.to_address.clone()}</td>
                            <td class="table__wrap">{mail.subject.clone()}</td>
                            <td>
                                {if mail.state == "failed" {
                                    view! { <span class="badge badge--gone">"Given up"</span> }.into_any()
                                } else {
                                    view! { <span class="badge badge--progress">"Retrying"</span> }.into_any()
                                }}
                                <span class="table__aside">
                                    {count(u64::from(mail.attempts), "attempt", "attempts")}
                                </span>
                            </td>
                            <td class="table__wrap">{mail.last_error.clone().unwrap_or_default()}</td>
                            <td>
                                {(mail.state != "failed")
                                    .then(|| {
                                        view! {
                                            <time datetime=machine_date_time(mail.next_attempt_at)>
                                                {local_date_time(mail.next_attempt_at)}
                                            </time>
                                        }
                                    })}
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
