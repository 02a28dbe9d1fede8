//! The footer: Ferry's version and, when the gateway is on, a link to its connection check page.

use leptos::prelude::*;

use crate::ui::app_settings::use_app_settings;

/// Reads the shared client configuration, so it follows the admin's gateway setting as soon as it
/// is saved; shows nothing extra if it failed to load (the footer is not essential).
#[component]
pub fn AppFooter() -> impl IntoView {
    let app_settings = use_app_settings();
    let version = move || app_settings.client_config().map(|config| config.version);
    // The server leaves the URL out when an admin has turned the gateway off.
    let gateway_url = move || app_settings.client_config().and_then(|c| c.gateway_url);

    view! {
        <footer class="app-footer">
            <div class="app-footer__inner">
                {move || version().map(|version| view! { <span class="app-footer__version">"Ferry " {version}</span> })}
                {move || {
                    gateway_url()
                        .map(|url| {
                            view! {
                                <a href=url target="_blank" rel="noopener noreferrer">
                                    "Check the HTTP gateway connection"
                                </a>
                            }
                        })
                }}
            </div>
        </footer>
    }
}
