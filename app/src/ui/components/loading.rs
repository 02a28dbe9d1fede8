//! A quiet "Loading…" for the moment before the server has answered.

use leptos::prelude::*;

/// Centred, muted, and announced politely to screen readers.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" role="status">
            "Loading…"
        </div>
    }
}
