//! Received: the packages other people have sent to the signed-in user.

use leptos::prelude::*;

use crate::ui::components::{EmptyState, Page};

/// The inbox. Listing packages arrives with the package API; until then it is honestly empty.
#[component]
pub fn ReceivedPage() -> impl IntoView {
    view! {
        <Page title="Received">
            <EmptyState
                message="No packages have been sent to you yet."
                hint="When someone sends you a package, it appears here."
            />
        </Page>
    }
}
