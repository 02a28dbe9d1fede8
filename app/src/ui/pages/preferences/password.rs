//! Changing one's own password. This browser stays signed in; other sessions end, and every API
//! token stops working (the form says so before it is sent).

use leptos::prelude::*;

use crate::limits::MAX_PASSWORD_LEN;
use crate::types::PasswordChange;
use crate::ui::MIN_PASSWORD_LEN;
use crate::ui::api;
use crate::ui::components::{Feedback, FormActions, Submission};

#[component]
pub fn PasswordSection() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let feedback = Feedback::new();
    let submission = Submission::new(feedback);

    let on_submit = submission.on_submit(move || {
        let change = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        if change.current_password.is_empty() {
            return feedback.fail("Enter your current password.");
        }
        if change.new_password.chars().count() < MIN_PASSWORD_LEN {
            return feedback.fail(format!(
                "The new password must be at least {MIN_PASSWORD_LEN} characters long."
            ));
        }
        if change.new_password != confirm.get_untracked() {
            return feedback.fail("The new passwords do not match.");
        }
        submission.send(async move {
            api::change_password(&change).await?;
            for field in [current, new, confirm] {
                field.try_set(String::new());
            }
            Ok("Password changed. Your other sessions have ended and your API tokens were revoked.")
        });
    });

    let field = move |id: &'static str,
                      label: &'static str,
                      autocomplete,
                      value,
                      hint: Option<String>| {
        let hint_id = format!("{id}-hint");
        view! {
            <div class="field">
                <label class="field__label" for=id>
                    {label}
                </label>
                <input
                    class="field__input"
                    id=id
                    type="password"
                    autocomplete=autocomplete
                    maxlength=MAX_PASSWORD_LEN
                    aria-describedby=hint.as_ref().map(|_| hint_id.clone())
                    bind:value=value
                />
                {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            </div>
        }
    };

    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading" class="panel__title">
                "Change password"
            </h2>
            <form class="form form--narrow" on:submit=on_submit novalidate>
                {field("password-current", "Current password", "current-password", current, None)}
                {field(
                    "password-new",
                    "New password",
                    "new-password",
                    new,
                    Some(format!(
                        "At least {MIN_PASSWORD_LEN} characters. Changing it signs out your other \
                         sessions and revokes your API tokens.",
                    )),
                )}
                {field("password-confirm", "Confirm new password", "new-password", confirm, None)}
                <FormActions submission label="Change password" />
            </form>
        </section>
    }
}
