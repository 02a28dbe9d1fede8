//! The "Disable desktop client" preference, which an admin may lock.

use leptos::prelude::*;

use crate::types::{Preferences, PreferencesUpdate};
use crate::ui::api;
use crate::ui::components::{Feedback, FormActions, Submission};

/// The checkbox and "Update preferences"; both disabled, with the reason, when an admin does not
/// let users change it.
#[component]
pub fn DesktopClientForm(preferences: Preferences) -> impl IntoView {
    let locked = !preferences.may_change_desktop_client;
    let disabled = RwSignal::new(preferences.desktop_client_disabled);
    let submission = Submission::new(Feedback::new());

    let on_submit = submission.on_submit(move || {
        if locked {
            return;
        }
        let update = PreferencesUpdate {
            desktop_client_disabled: Some(disabled.get_untracked()),
            ..PreferencesUpdate::default()
        };
        submission.send(async move {
            let saved = api::update_preferences(&update).await?;
            disabled.try_set(saved.desktop_client_disabled);
            Ok("Preferences updated.")
        });
    });

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
            <FormActions submission label="Update preferences" disabled=locked />
        </form>
    }
}
