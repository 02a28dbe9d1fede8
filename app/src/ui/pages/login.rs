//! The login page: the only page a signed-out person sees.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::limits::{MAX_PASSWORD_LEN, MAX_USERNAME_LEN};
use crate::types::LoginRequest;
use crate::ui::api;
use crate::ui::components::BrandMark;
use crate::ui::use_session;

/// Centred card with the username/password form. On success the session changes and the app
/// redirects to the home page; on failure the server's message appears in a `role="alert"`.
#[component]
pub fn LoginPage() -> impl IntoView {
    document().set_title("Sign in · Ferry");
    let session = use_session();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let sign_in = Action::new_local(move |credentials: &LoginRequest| {
        let credentials = credentials.clone();
        async move {
            let user = api::sign_in(&credentials).await?;
            session.signed_in(user);
            Ok::<(), api::ApiError>(())
        }
    });
    let pending = sign_in.pending();
    let error = move || {
        sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
            .unwrap_or_default()
    };

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        sign_in.dispatch_local(LoginRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        });
    };

    view! {
        <main class="login">
            <div class="login__card">
                <div class="login__brand">
                    <BrandMark size=32 />
                    <h1 class="login__title">"Ferry"</h1>
                </div>
                <p class="login__tagline">"Send packages of files to people, from your browser."</p>
                <form class="form" on:submit=on_submit>
                    <div class="field">
                        <label class="field__label" for="login-username">
                            "Username"
                        </label>
                        <input
                            class="field__input"
                            id="login-username"
                            name="username"
                            type="text"
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            required
                            maxlength=MAX_USERNAME_LEN
                            autofocus
                            bind:value=username
                        />
                    </div>
                    <div class="field">
                        <label class="field__label" for="login-password">
                            "Password"
                        </label>
                        <input
                            class="field__input"
                            id="login-password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            maxlength=MAX_PASSWORD_LEN
                            bind:value=password
                        />
                    </div>
                    <p class="form__error" role="alert">
                        {error}
                    </p>
                    <button
                        type="submit"
                        class="button button--primary button--block"
                        disabled=move || pending.get()
                    >
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </div>
        </main>
    }
}
