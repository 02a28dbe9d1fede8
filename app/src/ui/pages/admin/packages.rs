//! The Packages section: every package whose files are still stored, newest first, a page at a
//! time, with "Delete files" to free the space by hand (the package itself stays listed for its
//! sender and recipients).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::types::{PackagePage, PackageSummary, PageQuery};
use crate::ui::api;
use crate::ui::components::{ConfirmDialog, Feedback, FeedbackMessages, Loadable, Pager, names};
use crate::ui::format::{count, human_size, local_date_time, machine_date_time};
use crate::ui::routes::PackageRoute;

/// Packages per page.
const PER_PAGE: u32 = 20;

#[component]
pub fn PackagesSection() -> impl IntoView {
    let page = RwSignal::new(1_u32);
    let packages = LocalResource::new(move || {
        let query = PageQuery {
            page: page.get(),
            per_page: PER_PAGE,
        };
        async move { api::stored_packages(query).await }
    });
    let feedback = Feedback::new();
    // The package whose files the admin is about to delete.
    let asking = RwSignal::new(false);
    let chosen = RwSignal::new(None::<PackageSummary>);
    let on_delete = Callback::new(move |package: PackageSummary| {
        chosen.set(Some(package));
        asking.set(true);
    });
    let confirm = Callback::new(move |()| {
        let Some(package) = chosen.get_untracked() else {
            return;
        };
        feedback.clear();
        spawn_local(async move {
            let result = api::delete_package_files(package.id).await;
            feedback.show(
                &result,
                format!("The files of “{}” were deleted.", package.title),
            );
            if result.is_ok() {
                packages.refetch();
            }
        });
    });
    let dialog_message = Signal::derive(move || {
        chosen.with(|package| {
            package.as_ref().map_or_else(String::new, |package| {
                format!(
                    "{} ({}) of “{}” will be deleted from the server, for its sender and its recipients. The package stays listed. This cannot be undone.",
                    count(u64::from(package.file_count), "file", "files"),
                    human_size(package.total_size),
                    package.title
                )
            })
        })
    });

    view! {
        <section class="panel" aria-labelledby="packages-heading">
            <h2 id="packages-heading" class="panel__title">
                "Packages"
            </h2>
            <p class="muted">"Packages whose files are still stored, newest first."</p>
            <FeedbackMessages feedback />
            <Loadable resource=packages let:list>
                <PackagesList list page on_delete />
            </Loadable>
            <ConfirmDialog
                open=asking
                title="Delete these files?"
                message=dialog_message
                confirm_label="Delete files"
                on_confirm=confirm
            />
        </section>
    }
}

/// The table and its pager, or a line saying no files are stored. A page emptied by deletions
/// goes back one page.
#[component]
fn PackagesList(
    list: PackagePage,
    page: RwSignal<u32>,
    on_delete: Callback<PackageSummary>,
) -> impl IntoView {
    let pages = u32::try_from(list.total.div_ceil(u64::from(list.per_page.max(1))))
        .unwrap_or(u32::MAX)
        .max(1);
    if list.items.is_empty() {
        if list.page > 1 {
            // After this render: writing the page while the list renders would re-enter it.
            let previous = pages.min(list.page - 1);
            spawn_local(async move { page.set(previous) });
        }
        return view! { <p class="empty-line">"No package has files stored."</p> }.into_any();
    }
    let items = list.items;
    view! {
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">"Packages whose files are stored"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Sender"</th>
                        <th scope="col">"Recipients"</th>
                        <th scope="col" class="table__number">"Size"</th>
                        <th scope="col">"Sent"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || items.clone() key=|package| package.id let:package>
                        <PackageRow package on_delete />
                    </For>
                </tbody>
            </table>
        </div>
        <Pager
            page=page
            pages=Signal::stored(pages)
            label="Packages pages"
            go_to=Callback::new(move |to| page.set(to))
        />
    }
    .into_any()
}

#[component]
fn PackageRow(package: PackageSummary, on_delete: Callback<PackageSummary>) -> impl IntoView {
    let date = package.sent_at.unwrap_or(package.created_at);
    let label = format!("Delete the files of {}", package.title);
    let files = count(u64::from(package.file_count), "file", "files");
    let (title, sender, recipients) = (
        package.title.clone(),
        package.sender.display_name.clone(),
        names(&package.recipients),
    );
    view! {
        <tr>
            <td class="table__title">
                <A href=PackageRoute::href(package.id)>{title}</A>
            </td>
            <td class="table__wrap">{sender}</td>
            <td class="table__wrap">{recipients}</td>
            <td class="table__number">
                {human_size(package.total_size)}
                <span class="table__aside">{files}</span>
            </td>
            <td>
                <time datetime=machine_date_time(date)>{local_date_time(date)}</time>
            </td>
            <td class="table__actions">
                <button
                    type="button"
                    class="button button--small button--danger-quiet"
                    aria-label=label
                    on:click=move |_| on_delete.run(package.clone())
                >
                    "Delete files"
                </button>
            </td>
        </tr>
    }
}
