//! A modal "are you sure?" built on the native `<dialog>`: focus moves into it, Escape cancels,
//! and the page behind is inert while it is open.

use leptos::html;
use leptos::prelude::*;

use super::ids::unique_id;

/// Opens while `open` is true. `confirm_label` names the (danger) button that runs `on_confirm`;
/// "Cancel" and Escape close it without doing anything.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    /// The dialog's heading and accessible name, e.g. "Delete this package?".
    #[prop(into)]
    title: Signal<String>,
    /// What will happen, in a sentence or two.
    #[prop(into)]
    message: Signal<String>,
    confirm_label: &'static str,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let title_id = unique_id("confirm");
    Effect::new(move || {
        let Some(dialog) = dialog.get() else { return };
        if open.get() {
            if !dialog.open() {
                // Fails only when the dialog is not connected, in which case there is nothing to show.
                let _ = dialog.show_modal();
            }
        } else if dialog.open() {
            dialog.close();
        }
    });

    let heading_id = title_id.clone();
    view! {
        <dialog
            class="dialog"
            node_ref=dialog
            aria-labelledby=title_id.clone()
            on:close=move |_| open.set(false)
        >
            <h2 class="dialog__title" id=heading_id>
                {title}
            </h2>
            <p class="dialog__message">{message}</p>
            <div class="dialog__actions">
                <button type="button" class="button button--quiet" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="button button--danger"
                    on:click=move |_| {
                        open.set(false);
                        on_confirm.run(());
                    }
                >
                    {confirm_label}
                </button>
            </div>
        </dialog>
    }
}
