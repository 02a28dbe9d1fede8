//! New package: title, note, recipients, expiration and files. Send package creates a draft, asks
//! for a transfer spec and uploads the files through the HTTP gateway, with progress per file and in
//! total; when the server has every file the package is sent and the app opens its page, which
//! says so.

mod chosen;
mod draft;
mod dropped;
mod file_row;
mod files;
mod files_field;
mod form;
mod recipients;
mod restore;
mod send;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::limits::DEFAULT_MAX_FILES_PER_PACKAGE;
use crate::types::NewPackage;
use crate::ui::app_settings::use_app_settings;
use crate::ui::components::{
    ExpirationField, Feedback, FeedbackMessages, LeaveGuard, Page, Submission, use_flash,
};
use crate::ui::format::expiration_words;
use crate::ui::routes::PackageRoute;
use crate::ui::transfer::upload::{FileStage, PackageUpload};
use files_field::FilesField;
use form::PackageForm;
use recipients::RecipientsField;
use send::Outcome;

#[component]
pub fn NewPackagePage() -> impl IntoView {
    let app_settings = use_app_settings();
    let form = PackageForm::new();
    let feedback = Feedback::new();
    let submission = Submission::new(feedback);
    let sending = Signal::derive(move || submission.pending());
    let flash = use_flash();
    let navigate = use_navigate();
    let uploads = RwSignal::new(Vec::new());
    let current = StoredValue::new_local(None::<PackageUpload>);
    let resumed = restore::restore_unsent(form);
    on_cleanup(move || current.with_value(|upload| upload.iter().for_each(PackageUpload::abort)));

    let max_files = Signal::derive(move || {
        app_settings
            .current()
            .map_or(DEFAULT_MAX_FILES_PER_PACKAGE, |s| s.max_files_per_package) as usize
    });
    let default_hint = Signal::derive(move || {
        app_settings
            .current()
            .map(|s| format!("The default: {}", expiration_words(&s.default_expiration)))
            .unwrap_or_default()
    });
    // Files travel only through the gateway: with it off, nothing can be sent.
    let gateway_off = move || app_settings.current().is_some_and(|s| !s.gateway_enabled);
    let on_cancel = Callback::new(move |key: u64| {
        let index =
            uploads.with_untracked(|rows: &Vec<(u64, _)>| rows.iter().position(|(k, _)| *k == key));
        if let Some(index) = index {
            current.with_value(|upload| upload.iter().for_each(|upload| upload.cancel(index)));
        }
    });

    let on_submit = submission.on_submit(move || {
        form.recipients.add_typed();
        let chosen = form.files.list.get_untracked();
        let request = match form.request() {
            Ok(request) => request,
            Err(problems) => return feedback.fail(problems),
        };
        resumed.set(None);
        let navigate = navigate.clone();
        submission.run(async move {
            let prepared = match send::prepare(&request, &chosen).await {
                Ok(prepared) => prepared,
                Err(problem) => return feedback.fail(problem),
            };
            let upload = prepared.upload;
            let rows: Vec<_> = prepared.keys.iter().copied().zip(upload.files()).collect();
            // The page went away while the draft and spec were requested: send nothing.
            if current.try_set_value(Some(upload.clone())).is_some() {
                return;
            }
            uploads.try_set(rows.clone());
            let outcome = send::finish(prepared.package_id, &upload).await;
            if outcome == Outcome::Aborted {
                return;
            }
            let cancelled: Vec<u64> = rows
                .iter()
                .filter(|(_, p)| {
                    p.try_with_untracked(|p| p.stage == FileStage::Cancelled) == Some(true)
                })
                .map(|(key, _)| *key)
                .collect();
            form.files
                .list
                .update(|list| list.retain(|file| !cancelled.contains(&file.key)));
            uploads.try_set(Vec::new());
            current.try_set_value(None);
            match outcome {
                Outcome::Sent(id) | Outcome::Uploaded(id) => {
                    form.reset();
                    flash.show(if outcome == Outcome::Sent(id) {
                        "Package sent."
                    } else {
                        "All files are uploaded. The package is sent as soon as the server has \
                         checked them."
                    });
                    navigate(&PackageRoute::href(id), Default::default());
                }
                Outcome::NothingLeft => feedback
                    .fail("Every file was cancelled. Add files and press Send package again."),
                Outcome::Failed(problem) => feedback.fail(problem),
                Outcome::Aborted => {}
            }
        });
    });

    view! {
        <Page title="New package">
            <form class="panel form form--wide" on:submit=on_submit novalidate>
                <LeaveGuard active=sending />
                {move || resumed.get().map(|note| view! { <RestoredDraft note form resumed feedback /> })}
                <fieldset class="form__fields" disabled=move || sending.get()>
                    <div class="field">
                        <label class="field__label" for="package-title">"Title"</label>
                        <input
                            class="field__input"
                            id="package-title"
                            type="text"
                            required
                            maxlength=NewPackage::MAX_TITLE_LEN
                            bind:value=form.title
                        />
                    </div>
                    <div class="field">
                        <label class="field__label" for="package-note">"Note"</label>
                        <textarea
                            class="field__input field__input--textarea"
                            id="package-note"
                            rows="5"
                            maxlength=NewPackage::MAX_NOTE_LEN
                            bind:value=form.note
                        ></textarea>
                    </div>
                    <RecipientsField input=form.recipients />
                    <ExpirationField
                        input=form.expiration
                        label="Expiration"
                        id="package-expiration"
                        allow_default=true
                        hint=default_hint
                    />
                </fieldset>
                <FilesField files=form.files max_files uploads sending on_cancel />
                <Show when=gateway_off>
                    <p class="notice notice--warning">
                        "Files cannot be sent while the HTTP gateway is turned off. Ask an administrator to turn it on."
                    </p>
                </Show>
                <FeedbackMessages feedback />
                <div class="form__actions">
                    <button
                        type="submit"
                        class="button button--primary"
                        aria-describedby="send-why"
                        disabled=move || sending.get() || !form.complete() || gateway_off()
                    >
                        {move || if sending.get() { "Sending…" } else { "Send package" }}
                    </button>
                    <span class="form__why" id="send-why">
                        {move || (!sending.get() && !gateway_off()).then(|| why_not_yet(&form.missing())).flatten()}
                    </span>
                </div>
            </form>
        </Page>
    }
}

/// The banner of a draft filled in again after a reload: how to go on, or "Discard draft" (which
/// deletes it and empties the form).
#[component]
fn RestoredDraft(
    note: String,
    form: PackageForm,
    resumed: RwSignal<Option<String>>,
    feedback: Feedback,
) -> impl IntoView {
    let discarding = RwSignal::new(false);
    let discard = move |_| {
        discarding.set(true);
        leptos::task::spawn_local(async move {
            match draft::discard().await {
                Ok(()) => {
                    form.reset();
                    resumed.try_set(None);
                }
                Err(error) => {
                    feedback.fail(format!("The draft could not be discarded: {error}"));
                }
            }
            discarding.try_set(false);
        });
    };
    view! {
        <div class="notice notice--info notice--with-action" role="status">
            <p>{note}</p>
            <button
                type="button"
                class="button button--small button--quiet"
                disabled=move || discarding.get()
                on:click=discard
            >
                "Discard draft"
            </button>
        </div>
    }
}

/// Why Send is disabled: "To send, add a title, a recipient and a file." (`None` when nothing is
/// missing).
fn why_not_yet(missing: &[&str]) -> Option<String> {
    let (last, rest) = missing.split_last()?;
    let list = if rest.is_empty() {
        (*last).to_owned()
    } else {
        format!("{} and {last}", rest.join(", "))
    };
    Some(format!("To send, add {list}."))
}

#[cfg(test)]
mod tests {
    use super::why_not_yet;

    #[test]
    fn the_disabled_send_button_says_what_is_missing() {
        assert_eq!(why_not_yet(&[]), None);
        assert_eq!(
            why_not_yet(&["a file"]).as_deref(),
            Some("To send, add a file.")
        );
        assert_eq!(
            why_not_yet(&["a title", "a recipient", "a file"]).as_deref(),
            Some("To send, add a title, a recipient and a file.")
        );
    }
}
