//! What a page shows when the data it needs could not be loaded.

use leptos::prelude::*;

/// The error, in a `role="alert"`, and a button to try again.
#[component]
pub fn LoadError(
    /// The error's message for people.
    message: String,
    /// Loads again.
    retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="load-error" role="alert">
            <p>{message}</p>
            <button type="button" class="button button--quiet" on:click=move |_| retry.run(())>
                "Try again"
            </button>
        </div>
    }
}
