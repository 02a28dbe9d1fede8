//! Sent: the packages the signed-in user has sent, drafts included.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::components::{ListKind, PackageList, PackageListData, Page};
use crate::ui::routes::AppRoute;

/// The outbox, with a "New package" button beside the title once there is a list (the empty state
/// has its own).
#[component]
pub fn SentPage() -> impl IntoView {
    let data = PackageListData::new(ListKind::Sent);
    view! {
        <Page
            title="Sent"
            actions=move || {
                data.has_packages()
                    .then(|| {
                        view! {
                            <A href=AppRoute::NewPackage.href() attr:class="button button--primary">
                                "New package"
                            </A>
                        }
                    })
            }
        >
            <PackageList data />
        </Page>
    }
}
