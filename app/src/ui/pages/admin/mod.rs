//! Admin: users, settings and stored packages, for admins only (the server enforces this too).

mod create_user;
mod packages;
mod reset_password;
mod settings;
mod user_row;
mod users;

use leptos::prelude::*;

use crate::ui::components::Page;
use crate::ui::use_session;
use packages::PackagesSection;
use settings::SettingsSection;
use users::UsersSection;

/// Three sections, Users, Settings and Packages, for admins; a plain refusal for everyone else.
#[component]
pub fn AdminPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Page title="Admin">
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <div class="panel"><p>"Only admins see this page."</p></div> }
            >
                <div class="stack">
                    <UsersSection />
                    <SettingsSection />
                    <PackagesSection />
                </div>
            </Show>
        </Page>
    }
}
