//! While transfers run, leaving the page asks first: the browser's own "Leave site?" prompt on
//! reload, close or typing an address (`beforeunload`), and a confirmation before following a link
//! inside the app. A notice says so on the page; all of it goes away when the transfers finish.

use leptos::ev::BeforeUnloadEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, HtmlAnchorElement, MouseEvent};

/// What the notice and the confirmations say.
pub const LEAVE_WARNING: &str =
    "Ongoing transfers will be aborted if you navigate away from this page.";

/// Guards leaving while `active` is true, and shows [`LEAVE_WARNING`] meanwhile.
#[component]
pub fn LeaveGuard(#[prop(into)] active: Signal<bool>) -> impl IntoView {
    let unload =
        window_event_listener(leptos::ev::beforeunload, move |event: BeforeUnloadEvent| {
            if active.get_untracked() {
                event.prevent_default();
                event.set_return_value(LEAVE_WARNING);
            }
        });
    // Capture phase: runs before the router's own click handler, which ignores prevented clicks.
    let on_click = Closure::<dyn Fn(MouseEvent)>::new(move |event: MouseEvent| {
        if active.get_untracked()
            && leaves_page(&event)
            && !window().confirm_with_message(LEAVE_WARNING).unwrap_or(true)
        {
            event.prevent_default();
        }
    });
    let _ = window().add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    let on_click = StoredValue::new_local(on_click);
    on_cleanup(move || {
        unload.remove();
        on_click.with_value(|on_click| {
            let _ = window().remove_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        });
    });

    view! {
        <Show when=move || active.get()>
            <p class="notice notice--warning" role="status">
                {LEAVE_WARNING}
            </p>
        </Show>
    }
}

/// Whether a click follows a link that replaces this page (not one opening a new tab).
fn leaves_page(event: &MouseEvent) -> bool {
    if event.default_prevented()
        || event.button() != 0
        || event.ctrl_key()
        || event.meta_key()
        || event.shift_key()
    {
        return false;
    }
    let link = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|element| element.closest("a[href]").ok().flatten())
        .and_then(|element| element.dyn_into::<HtmlAnchorElement>().ok());
    link.is_some_and(|link| link.target().is_empty() && !link.has_attribute("download"))
}
