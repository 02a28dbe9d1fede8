//! Previous / Next buttons and "Page X of Y" under a paged list.

use leptos::prelude::*;

/// Calls `go_to` with the new 1-based page. A button that leads nowhere is disabled.
#[component]
pub fn Pager(
    #[prop(into)] page: Signal<u32>,
    #[prop(into)] pages: Signal<u32>,
    /// What is being paged, for the navigation landmark's name ("Received pages").
    label: &'static str,
    go_to: Callback<u32>,
) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=label>
            <button
                type="button"
                class="button button--quiet"
                disabled=move || { page.get() <= 1 }
                on:click=move |_| go_to.run(page.get_untracked().saturating_sub(1).max(1))
            >
                "Previous"
            </button>
            <span class="pager__position" aria-live="polite">
                {move || format!("Page {} of {}", page.get(), pages.get())}
            </span>
            <button
                type="button"
                class="button button--quiet"
                disabled=move || { page.get() >= pages.get() }
                on:click=move |_| go_to.run(page.get_untracked() + 1)
            >
                "Next"
            </button>
        </nav>
    }
}
