//! The frame of one page: its `<h1>`, the document title, a one-time message carried over from the
//! previous page, optional actions beside the title, and the page content.

use leptos::prelude::*;

use super::flash::FlashMessage;

/// Sets the tab title to "`title` · Ferry" and renders `title` as the page's only `<h1>`, with
/// `actions` (e.g. a "New package" button) at the other end of the header row.
#[component]
pub fn Page(
    #[prop(into)] title: Signal<String>,
    #[prop(optional, into)] actions: Option<ViewFn>,
    /// Shown beside the title, e.g. the package's state badge.
    #[prop(optional, into)]
    badge: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    Effect::new(move || document().set_title(&format!("{} · Ferry", title.get())));
    view! {
        <div class="page">
            <header class="page__header">
                <div class="page__heading">
                    <h1 class="page__title">{title}</h1>
                    {badge.map(|badge| move || badge.run())}
                </div>
                {actions.map(|actions| view! { <div class="page__actions">{move || actions.run()}</div> })}
            </header>
            <FlashMessage />
            {children()}
        </div>
    }
}
