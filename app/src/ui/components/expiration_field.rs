//! Choosing an expiration policy: a select of the four policies (and, for a new package, "Use the
//! default"), with a number of days when the policy is "Delete after N days".

use leptos::prelude::*;

use crate::types::ExpirationPolicy;

/// The select's options; `value` matches the policy's `kind` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Default,
    Keep,
    AnyRecipient,
    AllRecipients,
    AfterDays,
}

impl Choice {
    const POLICIES: [Choice; 4] = [
        Choice::Keep,
        Choice::AnyRecipient,
        Choice::AllRecipients,
        Choice::AfterDays,
    ];

    fn value(self) -> &'static str {
        match self {
            Choice::Default => "default",
            Choice::Keep => "none",
            Choice::AnyRecipient => "after_any_recipient_downloads",
            Choice::AllRecipients => "after_all_recipients_download",
            Choice::AfterDays => "after_days",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Choice::Default => "Use the default",
            Choice::Keep => "Keep files",
            Choice::AnyRecipient => "Delete after any recipient downloads all files",
            Choice::AllRecipients => "Delete after all recipients download all files",
            Choice::AfterDays => "Delete after N days",
        }
    }

    fn from_value(value: &str) -> Choice {
        Self::POLICIES
            .into_iter()
            .find(|choice| choice.value() == value)
            .unwrap_or(Choice::Default)
    }
}

/// The state of an [`ExpirationField`]; `Copy`, so a form can read it when it submits.
#[derive(Debug, Clone, Copy)]
pub struct ExpirationInput {
    choice: RwSignal<Choice>,
    days: RwSignal<String>,
}

impl ExpirationInput {
    /// Starts at `policy`, or at "Use the default" when `None`.
    pub fn new(policy: Option<ExpirationPolicy>) -> Self {
        let input = ExpirationInput {
            choice: RwSignal::new(Choice::Default),
            days: RwSignal::new("30".to_owned()),
        };
        input.set(policy);
        input
    }

    /// Shows `policy` (or "Use the default" for `None`).
    pub fn set(&self, policy: Option<ExpirationPolicy>) {
        let choice = match policy {
            None => Choice::Default,
            Some(ExpirationPolicy::None) => Choice::Keep,
            Some(ExpirationPolicy::AfterAnyRecipientDownloads) => Choice::AnyRecipient,
            Some(ExpirationPolicy::AfterAllRecipientsDownload) => Choice::AllRecipients,
            Some(ExpirationPolicy::AfterDays { days }) => {
                self.days.set(days.to_string());
                Choice::AfterDays
            }
        };
        self.choice.set(choice);
    }

    /// The chosen policy (`None`: the default), or why the number of days is not acceptable.
    pub fn policy(&self) -> Result<Option<ExpirationPolicy>, String> {
        let policy = match self.choice.get_untracked() {
            Choice::Default => return Ok(None),
            Choice::Keep => ExpirationPolicy::None,
            Choice::AnyRecipient => ExpirationPolicy::AfterAnyRecipientDownloads,
            Choice::AllRecipients => ExpirationPolicy::AfterAllRecipientsDownload,
            Choice::AfterDays => ExpirationPolicy::AfterDays {
                days: self.days.get_untracked().trim().parse().unwrap_or(0),
            },
        };
        policy.validate().map(|()| Some(policy))
    }
}

/// A labelled select and, for "Delete after N days", a labelled number input ("Number of days").
#[component]
pub fn ExpirationField(
    input: ExpirationInput,
    /// The select's label, e.g. "Expiration".
    label: &'static str,
    /// Element id prefix, unique on the page.
    id: &'static str,
    /// Offer "Use the default" (a new package) or not (the admin's default itself).
    #[prop(optional)]
    allow_default: bool,
    /// A sentence under the select, e.g. what the default is.
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
) -> impl IntoView {
    let days_id = format!("{id}-days");
    let hint_id = format!("{id}-hint");
    let choices = allow_default
        .then_some(Choice::Default)
        .into_iter()
        .chain(Choice::POLICIES);
    let after_days = move || input.choice.get() == Choice::AfterDays;

    view! {
        <div class="field-row">
            <div class="field">
                <label class="field__label" for=id>
                    {label}
                </label>
                <select
                    class="field__input"
                    id=id
                    aria-describedby=hint.map(|_| hint_id.clone())
                    on:change=move |event| input.choice.set(Choice::from_value(&event_target_value(&event)))
                >
                    {choices
                        .map(|choice| {
                            view! {
                                <option
                                    value=choice.value()
                                    selected=move || input.choice.get() == choice
                                >
                                    {choice.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            </div>
            <Show when=after_days>
                <div class="field field--narrow">
                    <label class="field__label" for=days_id.clone()>
                        "Number of days"
                    </label>
                    <input
                        class="field__input"
                        id=days_id.clone()
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max=ExpirationPolicy::MAX_DAYS
                        required
                        bind:value=input.days
                    />
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values_round_trip() {
        for choice in Choice::POLICIES.into_iter().chain([Choice::Default]) {
            assert_eq!(Choice::from_value(choice.value()), choice);
        }
    }

    #[test]
    fn days_are_checked_and_default_is_none() {
        // Signals live in an owner's arena (the server's `ssr` build keeps one per owner).
        Owner::new().with(|| {
            let input = ExpirationInput::new(Some(ExpirationPolicy::AfterDays { days: 7 }));
            assert_eq!(
                input.policy(),
                Ok(Some(ExpirationPolicy::AfterDays { days: 7 }))
            );
            input.days.set("0".to_owned());
            assert!(input.policy().is_err());
            input.set(None);
            assert_eq!(input.policy(), Ok(None));
        });
    }
}
