//! The footer: Ferry's version and, when the gateway is on, a link to its connection check page.

use leptos::prelude::*;

use crate::types::ClientConfig;
use crate::ui::api;

/// Loads `/api/v1/config` once; shows nothing extra if it fails (the footer is not essential).
#[component]
pub fn AppFooter() -> impl IntoView {
    let config = LocalResource::new(api::get_config);

    view! {
        <footer class="app-footer">
            <div class="app-footer__inner">
                {move || config.get().and_then(Result::ok).map(|config| view! { <FooterFacts config /> })}
            </div>
        </footer>
    }
}

#[component]
fn FooterFacts(config: ClientConfig) -> impl IntoView {
    let ClientConfig {
        version,
        gateway_url,
    } = config;
    view! {
        <span class="app-footer__version">"Ferry " {version}</span>
        {gateway_url.map(|url| {
            view! {
                <a href=url target="_blank" rel="noopener noreferrer">
                    "Check the HTTP gateway connection"
                </a>
            }
        })}
    }
}
