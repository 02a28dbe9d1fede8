//! The notice beside each package when the user's transfers go through the browser and the HTTP
//! gateway, the slower path: it points to the desktop client (PRODUCT.md: it is about speed and the
//! desktop client, not about TLS; advice on the gateway's certificate is on the gateway check page).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::app_settings::use_app_settings;
use crate::ui::routes::AppRoute;

/// "You are using the browser's HTTP transfer, which is slower…" with the link to Preferences.
/// Renders nothing while the settings load or when the gateway is off. Until the web app can hand
/// transfers to a running desktop client, every transfer it makes goes through the browser.
#[component]
pub fn GatewayNotice() -> impl IntoView {
    let app_settings = use_app_settings();
    view! {
        <Show when=move || app_settings.gateway_enabled()>
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
                    "You are using the browser\u{2019}s HTTP transfer, which is slower. For faster \
                     transfers, folders and automatic resume, enable the desktop client in "
                    <A href=AppRoute::Preferences.href()>"Preferences"</A>
                    "."
                </span>
            </p>
        </Show>
    }
}
