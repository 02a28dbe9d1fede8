//! Deleting a package (its sender or an admin), after a confirmation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::ui::api;
use crate::ui::components::{ConfirmDialog, Feedback, use_flash};
use crate::ui::routes::AppRoute;

/// A "Delete package" button that asks first, deletes, and goes to Sent with a confirmation.
/// A failure is shown through `feedback`.
#[component]
pub fn DeletePackage(id: i64, title: String, feedback: Feedback) -> impl IntoView {
    let asking = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let navigate = use_navigate();
    let flash = use_flash();
    let message = format!(
        "“{title}” and its files will be deleted, for you and for its recipients. This cannot be undone."
    );
    let on_confirm = Callback::new(move |()| {
        let navigate = navigate.clone();
        let title = title.clone();
        deleting.set(true);
        feedback.clear();
        spawn_local(async move {
            match api::delete_package(id).await {
                Ok(()) => {
                    flash.show(format!("Package “{title}” deleted."));
                    navigate(AppRoute::Sent.href(), Default::default());
                }
                Err(error) => {
                    deleting.set(false);
                    feedback.fail(error.to_string());
                }
            }
        });
    });

    view! {
        <button
            type="button"
            class="button button--danger"
            disabled=move || deleting.get()
            on:click=move |_| asking.set(true)
        >
            {move || if deleting.get() { "Deleting…" } else { "Delete package" }}
        </button>
        <ConfirmDialog
            open=asking
            title="Delete this package?"
            message
            confirm_label="Delete"
            on_confirm
        />
    }
}
