//! "Get the desktop client": a link to the `ferry-desktop` binary this server offers, with its
//! SHA-256; nothing at all when the server offers none.

use leptos::prelude::*;

use crate::paths;
use crate::ui::app_settings::use_app_settings;

/// The link and the digest; with `panel`, in a section of their own titled "Desktop client".
#[component]
pub fn DesktopClientLink(#[prop(optional)] panel: bool) -> impl IntoView {
    let app_settings = use_app_settings();
    let sha256 = move || {
        app_settings
            .client_config()
            .and_then(|config| config.desktop_client_sha256)
    };
    move || {
        sha256().map(|sha256| {
            let link = view! {
                <p class="desktop-client-link">
                    <a
                        class="button button--small button--quiet"
                        href=paths::DESKTOP_CLIENT_LINUX_X86_64
                        download
                    >
                        "Get the desktop client"
                    </a>
                    <span class="field__hint">
                        "ferry-desktop for Linux (x86-64). SHA-256: "
                        <code class="desktop-client-link__hash">{sha256}</code>
                    </span>
                </p>
            };
            match panel {
                true => view! {
                    <section class="panel" aria-labelledby="desktop-client-link-heading">
                        <h2 id="desktop-client-link-heading" class="panel__title">
                            "Desktop client"
                        </h2>
                        {link}
                    </section>
                }
                .into_any(),
                false => link.into_any(),
            }
        })
    }
}
