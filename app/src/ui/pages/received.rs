//! Received: the packages other people have sent to the signed-in user.

use leptos::prelude::*;

use crate::ui::components::{ListKind, PackageList, PackageListData, Page};

/// The inbox: a paged table, newest first, or an empty state.
#[component]
pub fn ReceivedPage() -> impl IntoView {
    let data = PackageListData::new(ListKind::Received);
    view! {
        <Page title="Received">
            <PackageList data />
        </Page>
    }
}
