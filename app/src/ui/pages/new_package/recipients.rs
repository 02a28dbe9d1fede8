//! The Recipients field: a combobox that suggests users as the person types (`GET /api/v1/users`),
//! and the chosen recipients as removable chips. Enter or a comma adds what was typed, as a username
//! or an email address; the server says if nobody has it.

use std::time::Duration;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::chosen::{Chip, Recipient, RecipientsInput};
use crate::ui::api;

/// Wait this long after the last keystroke before asking for suggestions.
const SUGGEST_DELAY: Duration = Duration::from_millis(150);

/// The labelled combobox ("Recipients"), its listbox of suggestions and the chips.
#[component]
pub fn RecipientsField(input: RecipientsInput) -> impl IntoView {
    let RecipientsInput {
        chosen,
        typed,
        suggestions,
    } = input;
    let active = RwSignal::new(None::<usize>);
    let searches = StoredValue::new(0_u64);
    // Only users not chosen yet.
    let shown = Memo::new(move |_| {
        let chosen = chosen.get();
        suggestions
            .get()
            .into_iter()
            .filter(|user| !chosen.iter().any(|c| c.value == user.username))
            .collect::<Vec<_>>()
    });
    let open = move || !shown.with(Vec::is_empty);

    let suggest = move |text: String| {
        let search = searches.get_value() + 1;
        searches.set_value(search);
        let current = move || searches.try_get_value() == Some(search);
        if text.trim().is_empty() {
            suggestions.set(Vec::new());
            return;
        }
        set_timeout(
            move || {
                if !current() {
                    return;
                }
                spawn_local(async move {
                    // Suggestions are a convenience: if they fail, typing a username still works.
                    let found = api::find_users(text.trim()).await.unwrap_or_default();
                    if current() {
                        suggestions.try_set(found);
                        active.try_set(None);
                    }
                });
            },
            SUGGEST_DELAY,
        );
    };

    let choose = move |index: usize| {
        if let Some(user) = shown.with_untracked(|users| users.get(index).cloned()) {
            input.add(Recipient::from_user(&user));
            typed.set(String::new());
            suggestions.set(Vec::new());
            active.set(None);
        }
    };

    let on_input = move |event| {
        let value = event_target_value(&event);
        if let Some((complete, rest)) = value.rsplit_once(',') {
            typed.set(complete.to_owned());
            input.add_typed();
            typed.set(rest.trim_start().to_owned());
            suggest(rest.to_owned());
        } else {
            typed.set(value.clone());
            suggest(value);
        }
    };

    let on_keydown = move |event: KeyboardEvent| {
        let count = shown.with_untracked(Vec::len);
        match event.key().as_str() {
            "ArrowDown" if count > 0 => {
                event.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                event.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                if let Some(index) = active.get_untracked() {
                    event.prevent_default();
                    choose(index);
                } else if !typed.get_untracked().trim().is_empty() {
                    event.prevent_default();
                    input.add_typed();
                }
                // Otherwise Enter submits the form, as in any other field.
            }
            "Escape" if count > 0 => {
                event.prevent_default();
                suggestions.set(Vec::new());
                active.set(None);
            }
            _ => {}
        }
    };

    view! {
        <div class="field">
            <label class="field__label" for="package-recipients">
                "Recipients"
            </label>
            <p class="field__hint" id="package-recipients-hint">
                "Type a name, username or email address. Press Enter or type a comma to add it."
            </p>
            <Show when=move || !chosen.with(Vec::is_empty)>
                <ul class="chips" aria-label="People added">
                    <For each=move || chosen.get() key=|recipient| recipient.value.clone() let:recipient>
                        <Chip recipient on_remove=Callback::new(move |value: String| input.remove(&value)) />
                    </For>
                </ul>
            </Show>
            <div class="combobox">
                <input
                    class="field__input"
                    id="package-recipients"
                    type="text"
                    role="combobox"
                    autocomplete="off"
                    autocapitalize="none"
                    spellcheck="false"
                    aria-autocomplete="list"
                    aria-controls="package-recipients-listbox"
                    aria-describedby="package-recipients-hint"
                    aria-expanded=move || open().to_string()
                    aria-activedescendant=move || active.get().map(option_id)
                    prop:value=move || typed.get()
                    on:input=on_input
                    on:keydown=on_keydown
                    on:blur=move |_| {
                        suggestions.set(Vec::new());
                        active.set(None);
                    }
                />
                <ul
                    class="combobox__listbox"
                    id="package-recipients-listbox"
                    role="listbox"
                    aria-label="Suggestions"
                    hidden=move || !open()
                >
                    {move || {
                        shown
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(index, user)| {
                                view! {
                                    <li
                                        class="combobox__option"
                                        id=option_id(index)
                                        role="option"
                                        aria-selected=move || (active.get() == Some(index)).to_string()
                                        // Keeps the focus in the input, so blur does not close the list first.
                                        on:mousedown=|event| event.prevent_default()
                                        on:click=move |_| choose(index)
                                    >
                                        <span class="combobox__name">{user.display_name}</span>
                                        <span class="combobox__detail">{user.username}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </div>
    }
}

fn option_id(index: usize) -> String {
    format!("package-recipients-option-{index}")
}
