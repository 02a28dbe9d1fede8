//! "Approve a desktop client" (`/device`): where a signed-in person approves or denies a
//! `ferry-desktop login`. The device shows a code and a link to this page with the code filled in;
//! the page shows which device asked and when, and the person decides. The device's own secret
//! never reaches this page.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::types::{DeviceAuthorizationInfo, DeviceAuthorizationState};
use crate::ui::api;
use crate::ui::components::{
    DesktopClientLink, Feedback, FeedbackMessages, Loadable, Page, Submission,
};
use crate::ui::format::{local_date_time, machine_date_time};

/// The code form, then the device it names (once asked), then the link to get the client.
#[component]
pub fn DeviceApprovalPage() -> impl IntoView {
    let given = use_query_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    let typed = RwSignal::new(given.clone());
    let looked_up = RwSignal::new(normalize(&given));
    let feedback = Feedback::new();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match normalize(&typed.get_untracked()) {
            Some(code) => {
                feedback.clear();
                looked_up.set(Some(code));
            }
            None => {
                feedback.fail("A code is 8 letters, as the device shows it, such as BCDF-GHJK.")
            }
        }
    };

    view! {
        <Page title="Approve a desktop client">
            <div class="stack">
                <section class="panel" aria-labelledby="device-code-heading">
                    <h2 id="device-code-heading" class="panel__title">
                        "Code"
                    </h2>
                    <p class="muted">
                        "When ferry-desktop signs in, it shows a code of 8 letters and a link to this page. Check that the code here is the one your device shows."
                    </p>
                    <form class="form" on:submit=on_submit novalidate>
                        <div class="field field--narrow">
                            <label class="field__label" for="device-code">
                                "Code shown by the device"
                            </label>
                            <input
                                class="field__input device-code__input"
                                id="device-code"
                                type="text"
                                autocomplete="off"
                                autocapitalize="characters"
                                spellcheck="false"
                                placeholder="BCDF-GHJK"
                                maxlength="20"
                                bind:value=typed
                            />
                        </div>
                        <FeedbackMessages feedback />
                        <div class="form__actions">
                            <button type="submit" class="button">
                                "Look up"
                            </button>
                        </div>
                    </form>
                </section>
                {move || looked_up.get().map(|code| view! { <DeviceRequest code /> })}
                <DesktopClientLink panel=true />
            </div>
        </Page>
    }
}

/// The device behind `code`: loaded, then shown with what can be done.
#[component]
fn DeviceRequest(code: String) -> impl IntoView {
    let asked = code.clone();
    let info = LocalResource::new(move || {
        let code = asked.clone();
        async move { api::get_device_authorization(&code).await }
    });
    let not_found = move || {
        view! {
            <section class="panel" aria-labelledby="device-heading">
                <h2 id="device-heading" class="panel__title">
                    "Unknown code"
                </h2>
                <p role="alert">
                    {format!(
                        "No device asked to sign in with the code {code}. Check the code your device shows, or start signing in on it again.",
                    )}
                </p>
            </section>
        }
    };
    view! {
        <Loadable resource=info not_found let:info>
            <DeviceDecision info />
        </Loadable>
    }
}

/// The device's name, when it asked, and Approve / Deny while it waits; what happened otherwise.
#[component]
fn DeviceDecision(info: DeviceAuthorizationInfo) -> impl IntoView {
    let current = RwSignal::new(info);
    let feedback = Feedback::new();
    let submission = Submission::new(feedback);
    let decide = move |approve: bool| {
        let code = current.with_untracked(|info| info.user_code.clone());
        submission.run(async move {
            let answer = if approve {
                api::approve_device(&code).await
            } else {
                api::deny_device(&code).await
            };
            match answer {
                Ok(info) => {
                    current.try_set(info);
                }
                Err(error) => {
                    feedback.fail(error.to_string());
                    // Decided elsewhere or expired meanwhile: show where it stands now.
                    if let Ok(info) = api::get_device_authorization(&code).await {
                        current.try_set(info);
                    }
                }
            }
        });
    };

    view! {
        <section class="panel" aria-labelledby="device-heading">
            <h2 id="device-heading" class="panel__title">
                "Device"
            </h2>
            {move || {
                current
                    .with(|info| {
                        view! {
                            <dl class="facts">
                                <div class="facts__row">
                                    <dt>"Device"</dt>
                                    <dd class="device__name">{info.device_name.clone()}</dd>
                                </div>
                                <div class="facts__row">
                                    <dt>"Code"</dt>
                                    <dd>
                                        <code>{info.user_code.clone()}</code>
                                    </dd>
                                </div>
                                <div class="facts__row">
                                    <dt>"Asked"</dt>
                                    <dd>
                                        <time datetime=machine_date_time(
                                            info.created_at,
                                        )>{local_date_time(info.created_at)}</time>
                                    </dd>
                                </div>
                            </dl>
                        }
                    })
            }}
            {move || {
                let (tone, words) = state_words(current.with(|info| info.state));
                view! {
                    <p class=format!("notice notice--{tone}") role="status">
                        {words}
                    </p>
                }
            }}
            <FeedbackMessages feedback />
            <Show when=move || current.with(|info| info.state == DeviceAuthorizationState::Pending)>
                <div class="form__actions">
                    <button
                        type="button"
                        class="button button--primary"
                        disabled=move || submission.pending()
                        on:click=move |_| decide(true)
                    >
                        "Approve"
                    </button>
                    <button
                        type="button"
                        class="button button--danger"
                        disabled=move || submission.pending()
                        on:click=move |_| decide(false)
                    >
                        "Deny"
                    </button>
                </div>
            </Show>
        </section>
    }
}

/// What the state means for the person looking at it, and the notice's tone.
fn state_words(state: DeviceAuthorizationState) -> (&'static str, &'static str) {
    match state {
        DeviceAuthorizationState::Pending => (
            "info",
            "This device is waiting. Approve it only if you started signing in on it yourself: \
             it gets an API token of yours, named after it, which you can revoke in Preferences.",
        ),
        DeviceAuthorizationState::Approved => (
            "success",
            "Approved. The device signs in as you when it next checks, within seconds; its token \
             then appears in Preferences under API tokens, where you can revoke it.",
        ),
        DeviceAuthorizationState::Denied => (
            "warning",
            "Denied. The device was refused and got no token.",
        ),
        DeviceAuthorizationState::Expired => (
            "warning",
            "This code has expired (codes work for 10 minutes). Start signing in on the device \
             again for a new one.",
        ),
    }
}

/// `abcd efgh`, `ABCDEFGH` → `ABCD-EFGH`; `None` for anything that is not 8 letters.
fn normalize(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == 8 && letters.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| format!("{}-{}", &letters[..4], &letters[4..]))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn typed_codes_are_normalized() {
        assert_eq!(normalize("bcdf-ghjk").as_deref(), Some("BCDF-GHJK"));
        assert_eq!(normalize(" bcdf ghjk ").as_deref(), Some("BCDF-GHJK"));
        assert_eq!(normalize("BCDFGHJK").as_deref(), Some("BCDF-GHJK"));
        assert_eq!(normalize("BCDF-GHJ"), None);
        assert_eq!(normalize("BCDF-GHJ1"), None);
        assert_eq!(normalize(""), None);
    }
}
