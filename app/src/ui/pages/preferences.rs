//! Preferences: the signed-in user's account and settings.

use leptos::prelude::*;

use crate::types::Role;
use crate::ui::components::Page;
use crate::ui::use_session;

/// Shows who is signed in; editable preferences arrive in later releases.
#[component]
pub fn PreferencesPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Page title="Preferences">
            <section class="panel" aria-labelledby="account-heading">
                <h2 id="account-heading" class="panel__title">
                    "Account"
                </h2>
                {move || {
                    session
                        .user()
                        .map(|user| {
                            view! {
                                <dl class="facts">
                                    <div class="facts__row">
                                        <dt>"Username"</dt>
                                        <dd>{user.username}</dd>
                                    </div>
                                    <div class="facts__row">
                                        <dt>"Display name"</dt>
                                        <dd>{user.display_name}</dd>
                                    </div>
                                    <div class="facts__row">
                                        <dt>"Role"</dt>
                                        <dd>{role_name(user.role)}</dd>
                                    </div>
                                </dl>
                            }
                        })
                }}
            </section>
        </Page>
    }
}

/// The role as people read it.
fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::User => "User",
    }
}
