//! A message that outlives a navigation: "Package created." shown on the page the app goes to next.

use leptos::prelude::*;

/// The message waiting for the next page, shared through context ([`use_flash`]).
#[derive(Debug, Clone, Copy)]
pub struct Flash(RwSignal<Option<String>>);

impl Flash {
    /// Provides an empty flash to the signed-in app.
    pub fn provide() {
        provide_context(Flash(RwSignal::new(None)));
    }

    /// Leaves `message` for the next page to show.
    pub fn show(&self, message: impl Into<String>) {
        self.0.set(Some(message.into()));
    }

    fn take(&self) -> Option<String> {
        self.0.try_update(Option::take).flatten()
    }
}

/// The [`Flash`] of the signed-in app.
pub fn use_flash() -> Flash {
    expect_context::<Flash>()
}

/// Shows (once) the message the previous page left, in a `role="status"`.
#[component]
pub fn FlashMessage() -> impl IntoView {
    let message = use_context::<Flash>().and_then(|flash| flash.take());
    message.map(|message| {
        view! {
            <p class="notice notice--success" role="status">
                {message}
            </p>
        }
    })
}
