//! The table of the user's API tokens.

use leptos::prelude::*;

use crate::types::ApiToken;
use crate::ui::api::ApiError;
use crate::ui::components::Loadable;
use crate::ui::format::{local_date_time, machine_date_time};

/// Name, the token's first characters, when it was created and last used, and "Revoke".
#[component]
pub fn TokenList(
    tokens: LocalResource<Result<Vec<ApiToken>, ApiError>>,
    on_revoke: Callback<ApiToken>,
) -> impl IntoView {
    view! {
        <Loadable resource=tokens let:list>
            {if list.is_empty() {
                view! { <p class="empty-line">"You have no API tokens."</p> }.into_any()
            } else {
                view! { <TokenTable list on_revoke /> }.into_any()
            }}
        </Loadable>
    }
}

#[component]
fn TokenTable(list: Vec<ApiToken>, on_revoke: Callback<ApiToken>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Token"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.clone() key=|token| token.id let:token>
                        <tr>
                            <td class="table__wrap">{token.name.clone()}</td>
                            <td>
                                <code>{format!("{}…", token.prefix)}</code>
                            </td>
                            <td class="table__nowrap">
                                <time datetime=machine_date_time(
                                    token.created_at,
                                )>{local_date_time(token.created_at)}</time>
                            </td>
                            <td class="table__nowrap">
                                {token
                                    .last_used_at
                                    .map_or_else(
                                        || "Never".to_owned(),
                                        local_date_time,
                                    )}
                            </td>
                            <td class="table__nowrap">
                                {token.expires_at.map_or_else(|| "Never".to_owned(), local_date_time)}
                            </td>
                            <td class="table__actions">
                                <button
                                    type="button"
                                    class="button button--danger-quiet button--small"
                                    aria-label=format!("Revoke {}", token.name)
                                    on:click={
                                        let token = token.clone();
                                        move |_| on_revoke.run(token.clone())
                                    }
                                >
                                    "Revoke"
                                </button>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}
