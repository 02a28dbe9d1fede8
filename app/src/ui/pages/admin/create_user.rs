//! Creating an account: username, display name, email, role and a first password.

use leptos::prelude::*;

use crate::limits::{MAX_PASSWORD_LEN, MAX_USERNAME_LEN};
use crate::types::{NewUser, Role};
use crate::ui::MIN_PASSWORD_LEN;
use crate::ui::api;
use crate::ui::components::{Feedback, FormActions, Submission};

/// The form; `on_created` reloads the table.
#[component]
pub fn CreateUserForm(on_created: Callback<()>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let email_field = RwSignal::new(String::new());
    let admin = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let feedback = Feedback::new();
    let submission = Submission::new(feedback);

    let on_submit = submission.on_submit(move || {
        let email = email_field.get_untracked().trim().to_owned();
        let user = NewUser {
            username: username.get_untracked().trim().to_owned(),
            display_name: display_name.get_untracked().trim().to_owned(),
            email: (!email.is_empty()).then_some(email),
            role: if admin.get_untracked() {
                Role::Admin
            } else {
                Role::User
            },
            password: password.get_untracked(),
        };
        let mut problems = Vec::new();
        if user.username.is_empty() {
            problems.push("Enter a username.".to_owned());
        }
        if user.password.chars().count() < MIN_PASSWORD_LEN {
            problems.push(format!(
                "The password must be at least {MIN_PASSWORD_LEN} characters long."
            ));
        }
        if !problems.is_empty() {
            return feedback.fail(problems.join(" "));
        }
        submission.send(async move {
            let created = api::create_user(&user).await?;
            for field in [username, display_name, email_field, password] {
                field.try_set(String::new());
            }
            on_created.run(());
            Ok(format!("User {} created.", created.username))
        });
    });
    view! {
        <form
            class="subpanel form"
            on:submit=on_submit
            novalidate
            aria-labelledby="create-user-heading"
        >
            <h3 id="create-user-heading" class="subpanel__title">
                "Create user"
            </h3>
            <div class="form-grid">
                <div class="field">
                    <label class="field__label" for="new-user-username">
                        "Username"
                    </label>
                    <input
                        class="field__input"
                        id="new-user-username"
                        type="text"
                        required
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        maxlength=MAX_USERNAME_LEN
                        bind:value=username
                    />
                </div>
                <div class="field">
                    <label class="field__label" for="new-user-display-name">
                        "Display name"
                    </label>
                    <input
                        class="field__input"
                        id="new-user-display-name"
                        type="text"
                        autocomplete="off"
                        aria-describedby="new-user-display-name-hint"
                        bind:value=display_name
                    />
                    <p class="field__hint" id="new-user-display-name-hint">
                        "Optional: the username is used when empty."
                    </p>
                </div>
                <div class="field">
                    <label class="field__label" for="new-user-email">
                        "Email"
                    </label>
                    <input
                        class="field__input"
                        id="new-user-email"
                        type="email"
                        autocomplete="off"
                        bind:value=email_field
                    />
                </div>
                <div class="field">
                    <label class="field__label" for="new-user-role">
                        "Role"
                    </label>
                    <select
                        class="field__input"
                        id="new-user-role"
                        on:change=move |event| admin.set(event_target_value(&event) == "admin")
                    >
                        <option value="user" prop:selected=move || !admin.get()>
                            "User"
                        </option>
                        <option value="admin" prop:selected=move || admin.get()>
                            "Admin"
                        </option>
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="new-user-password">
                        "Password"
                    </label>
                    <input
                        class="field__input"
                        id="new-user-password"
                        type="password"
                        autocomplete="new-password"
                        maxlength=MAX_PASSWORD_LEN
                        aria-describedby="new-user-password-hint"
                        bind:value=password
                    />
                    <p class="field__hint" id="new-user-password-hint">
                        {format!("At least {MIN_PASSWORD_LEN} characters.")}
                    </p>
                </div>
            </div>
            <FormActions submission label="Create user" />
        </form>
    }
}
