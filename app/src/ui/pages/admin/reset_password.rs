//! The small form that opens under a user's row to set a new password for them.

use leptos::prelude::*;

use crate::limits::MAX_PASSWORD_LEN;
use crate::types::PasswordReset;
use crate::ui::MIN_PASSWORD_LEN;
use crate::ui::api;
use crate::ui::components::{Feedback, Submission};

/// The row under a user with "New password for <name>", "Save password" and "Cancel".
#[component]
pub fn ResetPasswordRow(
    id: i64,
    name: String,
    open: RwSignal<bool>,
    feedback: Feedback,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let submission = Submission::new(feedback);
    let input_id = format!("reset-password-{id}");
    let on_submit = submission.on_submit({
        let name = name.clone();
        move || {
            let reset = PasswordReset {
                new_password: password.get_untracked(),
            };
            if reset.new_password.chars().count() < MIN_PASSWORD_LEN {
                return feedback.fail(format!(
                    "The new password must be at least {MIN_PASSWORD_LEN} characters long."
                ));
            }
            let name = name.clone();
            submission.send(async move {
                api::reset_password(id, &reset).await?;
                open.try_set(false);
                Ok(format!(
                    "Password for {name} changed. Their sessions have ended and their API tokens were revoked."
                ))
            });
        }
    });
    view! {
        <tr class="table__subrow">
            <td colspan="7">
                <form class="form form--inline" on:submit=on_submit novalidate>
                    <div class="field">
                        <label class="field__label" for=input_id.clone()>
                            {format!("New password for {name}")}
                        </label>
                        <input
                            class="field__input"
                            id=input_id
                            type="password"
                            autocomplete="new-password"
                            maxlength=MAX_PASSWORD_LEN
                            bind:value=password
                        />
                    </div>
                    <button type="submit" class="button button--primary" disabled=move || submission.pending()>
                        "Save password"
                    </button>
                    <button type="button" class="button button--quiet" on:click=move |_| open.set(false)>
                        "Cancel"
                    </button>
                </form>
            </td>
        </tr>
    }
}
