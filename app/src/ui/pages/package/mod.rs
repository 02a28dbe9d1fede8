//! The package page, `/packages/{id}`: everything about one package, downloading its files, and
//! deleting it.

mod delete;
mod details;
mod file_hash;
mod file_row;
mod files;
mod recipients;

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::types::{ErrorCode, PackageDetail};
use crate::ui::api::{self, ApiError};
use crate::ui::components::{Feedback, FeedbackMessages, LeaveGuard, Loadable, Page};
use crate::ui::format::{
    download_state_label, download_state_tone, package_state_label, package_state_tone,
};
use crate::ui::routes::{AppRoute, PackageRoute};
use crate::ui::transfer::download::PackageDownloads;
use delete::DeletePackage;
use details::PackageDetails;

/// How long after the downloads end the package is loaded a second time.
const RELOAD_AGAIN_AFTER: Duration = Duration::from_secs(2);

/// Shows the package named in the address; another package's address starts afresh.
#[component]
pub fn PackagePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|params| params.get(PackageRoute::PARAM))
            .and_then(|id| id.parse::<i64>().ok())
    });
    move || view! { <PackageView id=id.get() /> }
}

/// Loads package `id`. A package that does not exist and one this user may not see look the same
/// (the server answers 404 for both). While files download, leaving the page asks first; when the
/// last download ends the package is loaded again, so its states show what was downloaded.
#[component]
fn PackageView(id: Option<i64>) -> impl IntoView {
    let package = LocalResource::new(move || async move {
        match id {
            Some(id) => api::get_package(id).await,
            None => Err(ApiError::Server {
                status: 404,
                code: Some(ErrorCode::NotFound),
                message: "Not found.".to_owned(),
            }),
        }
    });
    let loaded = move || package.get().and_then(Result::ok);
    let title = Signal::derive(move || match package.get() {
        Some(Ok(detail)) => detail.summary.title,
        Some(Err(error)) if error.is_not_found() => "Package not found".to_owned(),
        _ => "Package".to_owned(),
    });
    let feedback = Feedback::new();
    // Loaded again at once, and once more shortly after: the server records the last bytes (and
    // may delete the files by policy) just after the browser has them.
    let downloads = PackageDownloads::new(
        id.unwrap_or_default(),
        Callback::new(move |()| {
            package.refetch();
            set_timeout(move || package.refetch(), RELOAD_AGAIN_AFTER);
        }),
    );

    view! {
        <Page
            title
            badge=move || loaded().map(|detail| view! { <StateBadges detail /> })
            actions=move || {
                loaded()
                    .filter(|detail| detail.can_delete)
                    .map(|detail| {
                        view! {
                            <DeletePackage
                                id=detail.summary.id
                                title=detail.summary.title
                                feedback
                            />
                        }
                    })
            }
        >
            <LeaveGuard active=Signal::derive(move || downloads.holds_page()) />
            <FeedbackMessages feedback />
            <Loadable resource=package not_found=NotFound let:detail>
                <PackageDetails detail downloads />
            </Loadable>
        </Page>
    }
}

/// Draft / Sent, whether its files were deleted, and for a recipient how much of it they have
/// downloaded.
#[component]
fn StateBadges(detail: PackageDetail) -> impl IntoView {
    let state = detail.summary.state;
    view! {
        <span class=format!(
            "badge badge--{}",
            package_state_tone(state),
        )>{package_state_label(state)}</span>
        {detail
            .summary
            .files_deleted_at
            .map(|_| view! { <span class="badge badge--gone">"Files deleted"</span> })}
        {detail
            .summary
            .my_download_state
            .map(|mine| {
                view! {
                    <span class=format!(
                        "badge badge--{}",
                        download_state_tone(mine),
                    )>{download_state_label(mine)}</span>
                }
            })}
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <div class="panel" role="alert">
            <p>"This package does not exist or you cannot see it."</p>
            <p>
                <A href=AppRoute::Received.href()>"Go to Received"</A>
                " · "
                <A href=AppRoute::Sent.href()>"Go to Sent"</A>
            </p>
        </div>
    }
}
