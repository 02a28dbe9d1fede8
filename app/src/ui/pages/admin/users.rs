//! The Users section: every account in a table with per-row actions, and the Create user form.

use leptos::prelude::*;

use super::create_user::CreateUserForm;
use super::user_row::UserRow;
use crate::types::AdminUser;
use crate::ui::api;
use crate::ui::components::{Feedback, FeedbackMessages, Loadable};

#[component]
pub fn UsersSection() -> impl IntoView {
    let users = LocalResource::new(api::list_users);
    let feedback = Feedback::new();
    view! {
        <section class="panel" aria-labelledby="users-heading">
            <h2 id="users-heading" class="panel__title">
                "Users"
            </h2>
            <FeedbackMessages feedback />
            <Loadable resource=users let:list>
                <UserTable list feedback />
            </Loadable>
            <CreateUserForm on_created=Callback::new(move |()| users.refetch()) />
        </section>
    }
}

#[component]
fn UserTable(list: Vec<AdminUser>, feedback: Feedback) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">"Users"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Display name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="table__wrap">
                            "Desktop client disabled"
                        </th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.clone() key=|user| user.id let:user>
                        <UserRow user feedback />
                    </For>
                </tbody>
            </table>
        </div>
    }
}
