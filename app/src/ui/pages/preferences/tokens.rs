//! Personal API tokens: create one (its secret is shown once), list them, revoke one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::token_list::TokenList;
use crate::types::{ApiToken, NewApiToken};
use crate::ui::api;
use crate::ui::components::{ConfirmDialog, Feedback, FeedbackMessages, Submission};

#[component]
pub fn TokensSection() -> impl IntoView {
    let tokens = LocalResource::new(api::list_tokens);
    let name = RwSignal::new(String::new());
    let lifetime = RwSignal::new(ApiToken::DEFAULT_LIFETIME_DAYS.to_string());
    let created = RwSignal::new(None::<String>);
    let feedback = Feedback::new();
    let submission = Submission::new(feedback);
    let revoking = RwSignal::new(None::<ApiToken>);
    let asking = RwSignal::new(false);

    let on_submit = submission.on_submit(move || {
        let token = NewApiToken {
            name: name.get_untracked().trim().to_owned(),
            // "never" (or anything not a number) is a token that works until revoked.
            expires_in_days: lifetime.get_untracked().parse().ok(),
        };
        if token.name.is_empty() {
            return feedback.fail("Give the token a name, e.g. where it will be used.");
        }
        submission.send(async move {
            let answer = api::create_token(&token).await?;
            name.try_set(String::new());
            created.try_set(Some(answer.token));
            tokens.refetch();
            Ok(format!("Token “{}” created.", answer.details.name))
        });
    });

    let ask_revoke = Callback::new(move |token: ApiToken| {
        revoking.set(Some(token));
        asking.set(true);
    });
    let revoke = Callback::new(move |()| {
        let Some(token) = revoking.get_untracked() else {
            return;
        };
        feedback.clear();
        spawn_local(async move {
            let result = api::revoke_token(token.id).await;
            feedback.show(&result, format!("Token “{}” revoked.", token.name));
            tokens.refetch();
        });
    });
    let revoke_message = Signal::derive(move || {
        revoking
            .get()
            .map(|token| {
                format!(
                    "Programs using “{}” will no longer be able to use Ferry with it. This cannot be undone.",
                    token.name
                )
            })
            .unwrap_or_default()
    });

    view! {
        <section class="panel" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading" class="panel__title">
                "API tokens"
            </h2>
            <p class="muted">
                "Programs such as Ferry's command-line client use a token to act as you. Send it as "
                <code>"Authorization: Bearer <token>"</code>
                "."
            </p>
            <TokenList tokens on_revoke=ask_revoke />
            <form class="form form--inline" on:submit=on_submit novalidate>
                <div class="field">
                    <label class="field__label" for="token-name">
                        "Token name"
                    </label>
                    <input class="field__input" id="token-name" type="text" maxlength="100" bind:value=name />
                </div>
                <div class="field">
                    <label class="field__label" for="token-lifetime">
                        "Expires"
                    </label>
                    <select class="field__input" id="token-lifetime" bind:value=lifetime>
                        <option value="30">"In 30 days"</option>
                        <option value="90">"In 90 days"</option>
                        <option value="365">"In a year"</option>
                        <option value="never">"Never"</option>
                    </select>
                </div>
                <button type="submit" class="button button--primary" disabled=move || submission.pending()>
                    "Create token"
                </button>
            </form>
            <FeedbackMessages feedback />
            {move || created.get().map(|token| view! { <NewToken token on_done=Callback::new(move |()| created.set(None)) /> })}
            <ConfirmDialog
                open=asking
                title="Revoke this token?"
                message=revoke_message
                confirm_label="Revoke"
                on_confirm=revoke
            />
        </section>
    }
}

/// The new token's secret, once, in a read-only field with a Copy button.
#[component]
fn NewToken(token: String, on_done: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let copy = move |_| {
        if let Some(input) = input.get_untracked() {
            input.select();
            // `execCommand("copy")` needs no extra browser permission; the field stays selected
            // for a manual copy if it fails.
            let done = document()
                .dyn_into::<web_sys::HtmlDocument>()
                .ok()
                .and_then(|document| document.exec_command("copy").ok())
                .unwrap_or(false);
            copied.set(done);
        }
    };
    view! {
        <div class="new-token">
            <p class="new-token__warning">
                <strong>"Copy your new token now."</strong>
                " It will not be shown again."
            </p>
            <label class="field__label" for="new-token">
                "New token"
            </label>
            <div class="copy-field">
                <input
                    class="field__input field__input--mono"
                    id="new-token"
                    type="text"
                    readonly
                    node_ref=input
                    value=token
                    on:focus=move |event| {
                        if let Some(input) = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            input.select();
                        }
                    }
                />
                <button type="button" class="button button--quiet" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <button type="button" class="button button--quiet" on:click=move |_| on_done.run(())>
                    "Done"
                </button>
            </div>
        </div>
    }
}
