//! The frame around every page a signed-in person sees: header with navigation, main area, footer.

use leptos::prelude::*;

use super::footer::AppFooter;
use super::header::AppHeader;

/// Wraps the routed page (`children`) in the header and footer.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    view! {
        <div class="shell">
            <AppHeader />
            <main id="main" class="main">
                {children()}
            </main>
            <AppFooter />
        </div>
    }
}
