//! The notice beside each package when its files travel through the HTTP gateway without TLS.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::app_settings::use_app_settings;
use crate::ui::routes::AppRoute;

/// "Transfers for this package go over plain HTTP." and where to change how files travel.
/// Renders nothing while the settings load, when the gateway is off, or when it uses HTTPS.
#[component]
pub fn GatewayNotice() -> impl IntoView {
    let app_settings = use_app_settings();
    view! {
        <Show when=move || app_settings.gateway_is_plain_http()>
            <p class="gateway-notice">
                <svg class="gateway-notice__icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <path
                        d="M8 1.5l6.5 12h-13zM8 6v3.5M8 11.5v.5"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="1.4"
                        stroke-linecap="round"
                        stroke-linejoin="round"
                    />
                </svg>
                <span>
                    "Transfers for this package go over plain HTTP. "
                    <A href=AppRoute::Preferences.href()>"Change this in Preferences"</A>
                </span>
            </p>
        </Show>
    }
}
