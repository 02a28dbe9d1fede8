//! The email preferences: "Email me when a package arrives" and "Email me when my package is
//! downloaded". When the server sends no email (or I have no address) the section says so.

use leptos::prelude::*;

use crate::types::{Preferences, PreferencesUpdate};
use crate::ui::api;
use crate::ui::components::{Feedback, FormActions, Submission};

/// The two checkboxes and "Update email preferences", with a notice when no email can be sent.
#[component]
pub fn EmailForm(preferences: Preferences) -> impl IntoView {
    let on_receive = RwSignal::new(preferences.email_on_receive);
    let on_download = RwSignal::new(preferences.email_on_download);
    let available = preferences.email_available;
    let submission = Submission::new(Feedback::new());

    let on_submit = submission.on_submit(move || {
        let update = PreferencesUpdate {
            email_on_receive: Some(on_receive.get_untracked()),
            email_on_download: Some(on_download.get_untracked()),
            ..PreferencesUpdate::default()
        };
        submission.send(async move {
            let saved = api::update_preferences(&update).await?;
            on_receive.try_set(saved.email_on_receive);
            on_download.try_set(saved.email_on_download);
            Ok("Email preferences updated.")
        });
    });

    view! {
        <form class="form" on:submit=on_submit>
            {(!available)
                .then(|| {
                    view! {
                        <p class="notice notice--info">
                            "This server sends no email, or your account has no email address: you are notified in the app only. Your choices apply once email is possible."
                        </p>
                    }
                })}
            <div class="checkbox">
                <input
                    class="checkbox__input"
                    id="pref-email-receive"
                    type="checkbox"
                    bind:checked=on_receive
                />
                <label class="checkbox__label" for="pref-email-receive">
                    "Email me when a package arrives"
                </label>
            </div>
            <div class="checkbox">
                <input
                    class="checkbox__input"
                    id="pref-email-download"
                    type="checkbox"
                    aria-describedby="pref-email-download-help"
                    bind:checked=on_download
                />
                <div>
                    <label class="checkbox__label" for="pref-email-download">
                        "Email me when my package is downloaded"
                    </label>
                    <p class="field__hint" id="pref-email-download-help">
                        "Once per recipient, when they have every file of a package you sent."
                    </p>
                </div>
            </div>
            <FormActions submission label="Update email preferences" />
        </form>
    }
}
