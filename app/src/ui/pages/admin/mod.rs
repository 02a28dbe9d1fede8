//! Admin: users, settings, stored packages and undelivered email, for admins only (the server enforces this too).

mod create_user;
mod desktop_limits;
mod mail;
mod packages;
mod reset_password;
mod settings;
mod user_row;
mod users;

use leptos::prelude::*;

use crate::ui::components::Page;
use crate::ui::use_session;
use mail::MailSection;
use packages::PackagesSection;
use settings::SettingsSection;
use users::UsersSection;

/// Four sections, Users, Settings, Packages and Email, for admins; a plain refusal for everyone else.
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
                    <MailSection />
                </div>
            </Show>
        </Page>
    }
}
