//! New package: a draft with a title, a note, recipients and an expiration policy. Files are added
//! in the next step (the upload engine arrives with the next release).

mod chosen;
mod recipients;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::types::NewPackage;
use crate::ui::api;
use crate::ui::app_settings::use_app_settings;
use crate::ui::components::{
    ExpirationField, ExpirationInput, Feedback, FeedbackMessages, Page, use_flash,
};
use crate::ui::format::expiration_words;
use crate::ui::routes::PackageRoute;
use chosen::RecipientsInput;
use recipients::RecipientsField;

/// The form. Checks what it can before sending; the server's answer (e.g. "No user named …")
/// appears in the alert. On success the app goes to the new package's page.
#[component]
pub fn NewPackagePage() -> impl IntoView {
    let app_settings = use_app_settings();
    let flash = use_flash();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let recipients = RecipientsInput::new();
    let expiration = ExpirationInput::new(None);
    let feedback = Feedback::new();
    let pending = RwSignal::new(false);
    let default_hint = Signal::derive(move || {
        app_settings
            .current()
            .map(|settings| {
                format!(
                    "The default: {}",
                    expiration_words(&settings.default_expiration)
                )
            })
            .unwrap_or_default()
    });

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        recipients.add_typed();
        let package = match checked_package(title, note, recipients, expiration) {
            Ok(package) => package,
            Err(problems) => return feedback.fail(problems),
        };
        feedback.clear();
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::create_package(&package).await {
                Ok(created) => {
                    feedback.succeed("Package created.");
                    flash.show(format!(
                        "Package “{}” created as a draft. Files are added in the next step.",
                        created.summary.title
                    ));
                    navigate(&PackageRoute::href(created.summary.id), Default::default());
                }
                Err(error) => {
                    pending.try_set(false);
                    feedback.fail(error.to_string());
                }
            }
        });
    };

    view! {
        <Page title="New package">
            <form class="panel form form--wide" on:submit=on_submit novalidate>
                <p class="muted">
                    "Give the package a title, a note and its recipients, then create it as a draft. "
                    "Files are added in the next step: uploading arrives with the next release."
                </p>
                <div class="field">
                    <label class="field__label" for="package-title">
                        "Title"
                    </label>
                    <input
                        class="field__input"
                        id="package-title"
                        type="text"
                        required
                        maxlength=NewPackage::MAX_TITLE_LEN
                        bind:value=title
                    />
                </div>
                <div class="field">
                    <label class="field__label" for="package-note">
                        "Note"
                    </label>
                    <textarea
                        class="field__input field__input--textarea"
                        id="package-note"
                        rows="5"
                        maxlength=NewPackage::MAX_NOTE_LEN
                        bind:value=note
                    ></textarea>
                </div>
                <RecipientsField input=recipients />
                <ExpirationField
                    input=expiration
                    label="Expiration"
                    id="package-expiration"
                    allow_default=true
                    hint=default_hint
                />
                <FeedbackMessages feedback />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Creating…" } else { "Create package" }}
                    </button>
                </div>
            </form>
        </Page>
    }
}

/// The request, or every problem the person can fix before sending it, as sentences.
fn checked_package(
    title: RwSignal<String>,
    note: RwSignal<String>,
    recipients: RecipientsInput,
    expiration: ExpirationInput,
) -> Result<NewPackage, String> {
    let title = title.get_untracked().trim().to_owned();
    let recipients = recipients
        .chosen
        .get_untracked()
        .into_iter()
        .map(|recipient| recipient.value)
        .collect::<Vec<_>>();
    let expiration = expiration.policy();
    let mut problems = Vec::new();
    if title.is_empty() {
        problems.push("Give the package a title.".to_owned());
    }
    if recipients.is_empty() {
        problems.push("Add at least one recipient.".to_owned());
    } else if recipients.len() > NewPackage::MAX_RECIPIENTS {
        problems.push(format!(
            "A package can have at most {} recipients.",
            NewPackage::MAX_RECIPIENTS
        ));
    }
    if let Err(problem) = &expiration {
        problems.push(problem.clone());
    }
    match expiration {
        Ok(expiration) if problems.is_empty() => Ok(NewPackage {
            title,
            note: note.get_untracked(),
            recipients,
            expiration,
        }),
        _ => Err(problems.join(" ")),
    }
}
