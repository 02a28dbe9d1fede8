//! The notification bell in the top bar: a link to the Notifications page with the unread count
//! as a badge. Its accessible name says the count too ("Notifications, 2 unread").

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::ui::routes::AppRoute;
use crate::ui::unread::use_unread;

/// Counts above this show as "99+".
const MAX_SHOWN: u64 = 99;

#[component]
pub fn NotificationBell() -> impl IntoView {
    let unread = use_unread();
    let location = use_location();
    let count = move || unread.get().unwrap_or(0);
    let label = move || match count() {
        0 => "Notifications, none unread".to_owned(),
        n => format!("Notifications, {n} unread"),
    };
    let current =
        move || (location.pathname.get() == AppRoute::Notifications.href()).then_some("page");
    view! {
        <a
            href=AppRoute::Notifications.href()
            class=move || { if count() > 0 { "bell bell--unread" } else { "bell" } }
            aria-label=label
            aria-current=current
            title="Notifications"
        >
            <svg class="bell__icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <path
                    d="M6 10a6 6 0 0 1 12 0c0 4.5 1.5 6 2 6.5H4c.5-.5 2-2 2-6.5z"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="1.6"
                    stroke-linejoin="round"
                />
                <path d="M10 19.5a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
            </svg>
            <Show when=move || { count() > 0 }>
                <span class="bell__count" aria-hidden="true">
                    {move || {
                        let n = count();
                        if n > MAX_SHOWN { format!("{MAX_SHOWN}+") } else { n.to_string() }
                    }}
                </span>
            </Show>
        </a>
    }
}
