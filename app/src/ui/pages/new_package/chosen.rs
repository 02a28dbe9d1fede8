//! The recipients chosen so far, as the form keeps them and as removable chips.

use leptos::prelude::*;

use crate::types::UserSummary;

/// A chosen recipient: `value` goes to the server, `label` is what the person sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub value: String,
    pub label: String,
}

impl Recipient {
    pub(super) fn from_user(user: &UserSummary) -> Self {
        Recipient {
            value: user.username.clone(),
            label: user.display_name.clone(),
        }
    }
}

/// The recipients chosen so far and the text still in the input; the form reads both on submit.
#[derive(Debug, Clone, Copy)]
pub struct RecipientsInput {
    pub chosen: RwSignal<Vec<Recipient>>,
    pub typed: RwSignal<String>,
    /// The current suggestions (also used to show a typed username by name).
    pub(super) suggestions: RwSignal<Vec<UserSummary>>,
}

impl RecipientsInput {
    pub fn new() -> Self {
        RecipientsInput {
            chosen: RwSignal::new(Vec::new()),
            typed: RwSignal::new(String::new()),
            suggestions: RwSignal::new(Vec::new()),
        }
    }

    /// Adds what is typed (one or more values separated by commas) and empties the input.
    pub fn add_typed(&self) {
        let typed = self.typed.get_untracked();
        for value in typed.split(',') {
            self.add_value(value);
        }
        self.typed.set(String::new());
        self.suggestions.set(Vec::new());
    }

    /// Adds a typed username or email, shown by name when it is one of the current suggestions.
    fn add_value(&self, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let known = self.suggestions.with_untracked(|users| {
            users
                .iter()
                .find(|user| user.username.eq_ignore_ascii_case(value))
                .map(Recipient::from_user)
        });
        self.add(known.unwrap_or_else(|| Recipient {
            value: value.to_owned(),
            label: value.to_owned(),
        }));
    }

    pub(super) fn add(&self, recipient: Recipient) {
        self.chosen.update(|chosen| {
            if !chosen
                .iter()
                .any(|c| c.value.eq_ignore_ascii_case(&recipient.value))
            {
                chosen.push(recipient);
            }
        });
    }

    pub(super) fn remove(&self, value: &str) {
        self.chosen
            .update(|chosen| chosen.retain(|c| c.value != value));
    }
}

/// A chosen recipient with its "Remove <name>" button.
#[component]
pub fn Chip(recipient: Recipient, on_remove: Callback<String>) -> impl IntoView {
    let Recipient { value, label } = recipient;
    // A user shown by name also shows the username the package goes to, as the suggestions do:
    // two people may share a name.
    let detail = (label != value).then(|| value.clone());
    view! {
        <li class="chip">
            <span class="chip__label">{label.clone()}</span>
            {detail.map(|username| view! { <span class="chip__detail">{username}</span> })}
            <button
                type="button"
                class="chip__remove"
                aria-label=format!("Remove {label}")
                on:click=move |_| on_remove.run(value.clone())
            >
                <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                    <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="1.75" stroke-linecap="round" />
                </svg>
            </button>
        </li>
    }
}
