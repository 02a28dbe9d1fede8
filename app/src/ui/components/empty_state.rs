//! The panel a list shows when it has nothing in it yet, with an optional next step.

use leptos::prelude::*;

/// A message saying what is (not) there and, as `children`, what the person can do about it.
#[component]
pub fn EmptyState(
    /// One sentence: what is empty.
    message: &'static str,
    /// A second, quieter sentence: what will make it fill up.
    #[prop(optional)]
    hint: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <svg class="empty-state__icon" viewBox="0 0 24 24" width="40" height="40" aria-hidden="true">
                <path
                    d="M3 8l9-5 9 5v8l-9 5-9-5zM3 8l9 5 9-5M12 13v8"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="1.5"
                    stroke-linejoin="round"
                />
            </svg>
            <p class="empty-state__message">{message}</p>
            {hint.map(|hint| view! { <p class="empty-state__hint">{hint}</p> })}
            {children.map(|children| view! { <div class="empty-state__actions">{children()}</div> })}
        </div>
    }
}
