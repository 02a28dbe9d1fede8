//! Sent: the packages the signed-in user has sent.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::components::{EmptyState, Page};
use crate::ui::routes::AppRoute;

/// The outbox, with a way to send the first package.
#[component]
pub fn SentPage() -> impl IntoView {
    view! {
        <Page title="Sent">
            <EmptyState message="You have not sent any packages yet.">
                <A href=AppRoute::NewPackage.href() attr:class="button button--primary">
                    "New package"
                </A>
            </EmptyState>
        </Page>
    }
}
