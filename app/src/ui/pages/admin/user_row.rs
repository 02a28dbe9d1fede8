//! One user in the admin's table, with what an admin can change: role, disabled, the desktop
//! client preference, and a new password (in a small form that opens under the row).

use leptos::ev::Event;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::reset_password::ResetPasswordRow;
use crate::types::{AdminUser, Role, UserUpdate};
use crate::ui::api;
use crate::ui::components::Feedback;
use crate::ui::format::role_name;
use crate::ui::use_session;

/// A row; answers appear in the section's `feedback`. A control the server refused goes back to
/// what it showed before.
#[component]
pub fn UserRow(user: AdminUser, feedback: Feedback) -> impl IntoView {
    let is_me = use_session().user().is_some_and(|me| me.id == user.id);
    let id = user.id;
    let name = user.username.clone();
    let user = RwSignal::new(user);
    let resetting = RwSignal::new(false);

    // Sends `update`; on success shows `done` and the new row, on failure calls `undo`.
    let apply = move |update: UserUpdate, done: String, undo: Box<dyn Fn()>| {
        feedback.clear();
        spawn_local(async move {
            match api::update_user(id, &update).await {
                Ok(updated) => {
                    user.try_set(updated);
                    feedback.succeed(done);
                }
                Err(error) => {
                    undo();
                    feedback.fail(error.to_string());
                }
            }
        });
    };

    let on_role = {
        let name = name.clone();
        move |event: Event| {
            let Some(select) = target::<web_sys::HtmlSelectElement>(&event) else {
                return;
            };
            let role = if select.value() == "admin" {
                Role::Admin
            } else {
                Role::User
            };
            let before = user.with_untracked(|u| value_of(u.role));
            apply(
                UserUpdate {
                    role: Some(role),
                    ..UserUpdate::default()
                },
                format!("{name} is now {}.", role_name(role).to_lowercase()),
                Box::new(move || select.set_value(before)),
            );
        }
    };
    let on_desktop = {
        let name = name.clone();
        move |event: Event| {
            let Some(checkbox) = target::<web_sys::HtmlInputElement>(&event) else {
                return;
            };
            let disabled = checkbox.checked();
            let done = if disabled {
                format!("Desktop client disabled for {name}.")
            } else {
                format!("Desktop client allowed for {name}.")
            };
            apply(
                UserUpdate {
                    desktop_client_disabled: Some(disabled),
                    ..UserUpdate::default()
                },
                done,
                Box::new(move || checkbox.set_checked(!disabled)),
            );
        }
    };
    let on_toggle_disabled = {
        let name = name.clone();
        move |_| {
            let disable = !user.with_untracked(|u| u.disabled);
            let done = if disable {
                format!("{name} is disabled and can no longer sign in.")
            } else {
                format!("{name} is enabled again.")
            };
            apply(
                UserUpdate {
                    disabled: Some(disable),
                    ..UserUpdate::default()
                },
                done,
                Box::new(|| {}),
            );
        }
    };

    let toggle_label = {
        let name = name.clone();
        move || {
            let verb = if user.with(|u| u.disabled) {
                "Enable"
            } else {
                "Disable"
            };
            format!("{verb} {name}")
        }
    };

    view! {
        <tr class:table__row--muted=move || user.with(|u| u.disabled)>
            <td>
                {name.clone()}
                {is_me.then(|| view! { <span class="muted">" (you)"</span> })}
            </td>
            <td class="table__wrap">{move || user.with(|u| u.display_name.clone())}</td>
            <td class="table__wrap">{move || user.with(|u| u.email.clone().unwrap_or_default())}</td>
            <td>
                <select
                    class="field__input field__input--compact"
                    aria-label=format!("Role of {name}")
                    disabled=is_me
                    on:change=on_role
                >
                    {[Role::User, Role::Admin]
                        .map(|role| {
                            view! {
                                <option
                                    value=value_of(role)
                                    prop:selected=move || user.with(|u| u.role == role)
                                >
                                    {role_name(role)}
                                </option>
                            }
                        })}
                </select>
            </td>
            <td>
                {move || {
                    if user.with(|u| u.disabled) {
                        view! { <span class="badge badge--draft">"Disabled"</span> }
                    } else {
                        view! { <span class="badge badge--done">"Active"</span> }
                    }
                }}
            </td>
            <td class="table__center">
                <input
                    type="checkbox"
                    class="checkbox__input"
                    aria-label=format!("Desktop client disabled for {name}")
                    prop:checked=move || user.with(|u| u.desktop_client_disabled)
                    on:change=on_desktop
                />
            </td>
            <td class="table__actions">
                <button
                    type="button"
                    class="button button--quiet button--small"
                    aria-label=toggle_label
                    disabled=is_me
                    on:click=on_toggle_disabled
                >
                    {move || if user.with(|u| u.disabled) { "Enable" } else { "Disable" }}
                </button>
                <button
                    type="button"
                    class="button button--quiet button--small"
                    aria-label=format!("Reset password for {name}")
                    aria-expanded=move || resetting.get().to_string()
                    on:click=move |_| resetting.update(|open| *open = !*open)
                >
                    "Reset password"
                </button>
            </td>
        </tr>
        <Show when=move || resetting.get()>
            <ResetPasswordRow id name=name.clone() open=resetting feedback />
        </Show>
    }
}

fn value_of(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::User => "user",
    }
}

fn target<T: JsCast>(event: &Event) -> Option<T> {
    event
        .target()
        .and_then(|target| target.dyn_into::<T>().ok())
}
