//! The frame of one page: its `<h1>`, the document title, and the page content.

use leptos::prelude::*;

/// Sets the tab title to "`title` · Ferry" and renders `title` as the page's only `<h1>`.
#[component]
pub fn Page(title: &'static str, children: Children) -> impl IntoView {
    document().set_title(&format!("{title} · Ferry"));
    view! {
        <div class="page">
            <header class="page__header">
                <h1 class="page__title">{title}</h1>
            </header>
            {children()}
        </div>
    }
}
