//! The page for an address inside the app that matches no route.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::components::Page;
use crate::ui::routes::AppRoute;

/// Says so plainly and offers the way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Page title="Page not found">
            <div class="panel">
                <p>"There is no page at this address."</p>
                <p>
                    <A href=AppRoute::Received.href()>"Go to Received"</A>
                </p>
            </div>
        </Page>
    }
}
