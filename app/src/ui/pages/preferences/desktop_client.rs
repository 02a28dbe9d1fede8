//! The "Disable desktop client" preference, which an admin may lock.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::types::{Preferences, PreferencesUpdate};
use crate::ui::api;
use crate::ui::components::{Feedback, FeedbackMessages, Loadable};

#[component]
pub fn DesktopClientSection() -> impl IntoView {
    let preferences = LocalResource::new(api::get_preferences);
    view! {
        <section class="panel" aria-labelledby="desktop-client-heading">
            <h2 id="desktop-client-heading" class="panel__title">
                "Desktop client"
            </h2>
            <Loadable resource=preferences let:preferences>
                <DesktopClientForm preferences />
            </Loadable>
        </section>
    }
}

/// The checkbox and "Update preferences"; both disabled, with the reason, when an admin does not
/// let users change it.
#[component]
fn DesktopClientForm(preferences: Preferences) -> impl IntoView {
    let locked = !preferences.may_change_desktop_client;
    let disabled = RwSignal::new(preferences.desktop_client_disabled);
    let feedback = Feedback::new();
    let pending = RwSignal::new(false);

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if locked || pending.get_untracked() {
            return;
        }
        let update = PreferencesUpdate {
            desktop_client_disabled: Some(disabled.get_untracked()),
            ..PreferencesUpdate::default()
        };
        pending.set(true);
        feedback.clear();
        spawn_local(async move {
            match api::update_preferences(&update).await {
                Ok(saved) => {
                    disabled.try_set(saved.desktop_client_disabled);
                    feedback.succeed("Preferences updated.");
                }
                Err(error) => feedback.fail(error.to_string()),
            }
            pending.try_set(false);
        });
    };

    view! {
        <form class="form" on:submit=on_submit>
            <div class="checkbox">
                <input
                    class="checkbox__input"
                    id="pref-desktop-client"
                    type="checkbox"
                    aria-describedby="pref-desktop-client-help"
                    disabled=locked
                    bind:checked=disabled
                />
                <div>
                    <label class="checkbox__label" for="pref-desktop-client">
                        "Disable desktop client"
                    </label>
                    <p class="field__hint" id="pref-desktop-client-help">
                        "Always transfer files in the browser through the HTTP gateway; never offer the desktop client."
                        {locked
                            .then_some(
                                " An admin manages this setting for you, so you cannot change it here.",
                            )}
                    </p>
                </div>
            </div>
            <FeedbackMessages feedback />
            <div class="form__actions">
                <button
                    type="submit"
                    class="button button--primary"
                    disabled=move || locked || pending.get()
                >
                    "Update preferences"
                </button>
            </div>
        </form>
    }
}
