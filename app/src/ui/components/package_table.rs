//! The table of the Received and Sent lists.

use leptos::prelude::*;
use leptos_router::components::A;

use super::gateway_notice::GatewayNotice;
use crate::types::{PackageSummary, UserSummary};
use crate::ui::format::{
    delivery_label, download_state_label, download_state_tone, human_size, local_date_time,
    machine_date_time, package_state_label, package_state_tone,
};
use crate::ui::routes::PackageRoute;

/// Which list a table shows: it decides the "who" column and the state wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Received,
    Sent,
}

/// One row per package: title (a link, with the gateway notice under it), who, files, size, state
/// (for a recipient: how much of it they downloaded; for the sender: how far the recipients got;
/// and when its files were deleted), date.
/// Scrolls sideways inside its card on narrow screens.
#[component]
pub fn PackageTable(kind: ListKind, packages: Vec<PackageSummary>) -> impl IntoView {
    let caption = match kind {
        ListKind::Received => "Packages sent to you, newest first",
        ListKind::Sent => "Packages you sent, newest first",
    };
    let (who, state) = match kind {
        ListKind::Received => ("Sender", "Your download"),
        ListKind::Sent => ("Recipients", "State"),
    };
    view! {
        <div class="table-card">
            <table class="table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">{who}</th>
                        <th scope="col" class="table__number">"Files"</th>
                        <th scope="col" class="table__number">"Size"</th>
                        <th scope="col">{state}</th>
                        <th scope="col">"Date"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || packages.clone() key=|package| package.id let:package>
                        <PackageRow kind package />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn PackageRow(kind: ListKind, package: PackageSummary) -> impl IntoView {
    let who = match kind {
        ListKind::Received => package.sender.display_name.clone(),
        ListKind::Sent => names(&package.recipients),
    };
    let (state, tone) = match (kind, package.my_download_state, package.delivery) {
        (ListKind::Received, Some(state), _) => (
            download_state_label(state).to_owned(),
            download_state_tone(state),
        ),
        (ListKind::Sent, _, Some(delivery)) => delivery_label(&delivery, package.file_count),
        _ => (
            package_state_label(package.state).to_owned(),
            package_state_tone(package.state),
        ),
    };
    let date = package.sent_at.unwrap_or(package.created_at);
    let deleted = package.files_deleted_at.map(|at| {
        view! {
            <span class="table__aside">
                "Files deleted "
                <time datetime=machine_date_time(at)>{local_date_time(at)}</time>
            </span>
        }
    });
    view! {
        <tr>
            <td class="table__title">
                <A href=PackageRoute::href(package.id)>{package.title}</A>
                <GatewayNotice />
            </td>
            <td>{who}</td>
            <td class="table__number">{package.file_count}</td>
            <td class="table__number">{human_size(package.total_size)}</td>
            <td>
                <span class=format!("badge badge--{tone}")>{state}</span>
                {deleted}
            </td>
            <td class="table__nowrap">
                <time datetime=machine_date_time(date)>{local_date_time(date)}</time>
            </td>
        </tr>
    }
}

/// "Ann Lee, Bob Stone".
pub fn names(users: &[UserSummary]) -> String {
    users
        .iter()
        .map(|user| user.display_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
