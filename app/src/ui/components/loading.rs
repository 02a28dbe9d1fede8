//! A quiet "Loading…" for the moment before the server has answered.

use leptos::prelude::*;

/// Centred, muted, and announced politely to screen readers. Fills the screen unless `inline`
/// (inside a page, while one part of it loads).
#[component]
pub fn Loading(#[prop(optional)] inline: bool) -> impl IntoView {
    view! {
        <div class="loading" class:loading--inline=inline role="status">
            "Loading…"
        </div>
    }
}
