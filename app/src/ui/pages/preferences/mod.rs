//! Preferences: the signed-in user's account, the "Disable desktop client" preference, the email
//! notification preferences, their password and their personal API tokens.

mod desktop_client;
mod email;
mod password;
mod token_list;
mod tokens;

use leptos::prelude::*;

use crate::types::Preferences;
use crate::ui::api;
use crate::ui::app_settings::use_app_settings;
use crate::ui::components::{DesktopClientLink, Loadable, Page};
use crate::ui::format::role_name;
use crate::ui::use_session;
use desktop_client::DesktopClientForm;
use email::EmailForm;
use password::PasswordSection;
use tokens::TokensSection;

/// One section per concern, each with its own form and messages. The desktop client preference
/// only appears while the HTTP gateway is on (it chooses between the gateway and the client).
#[component]
pub fn PreferencesPage() -> impl IntoView {
    let app_settings = use_app_settings();
    view! {
        <Page title="Preferences">
            <div class="stack">
                <AccountSection />
                <Show when=move || app_settings.gateway_enabled()>
                    <PreferencesSection id="desktop-client" title="Desktop client" let:preferences>
                        <DesktopClientForm preferences />
                        <DesktopClientLink />
                    </PreferencesSection>
                </Show>
                <PreferencesSection id="email" title="Email notifications" let:preferences>
                    <EmailForm preferences />
                </PreferencesSection>
                <PasswordSection />
                <TokensSection />
            </div>
        </Page>
    }
}

#[component]
fn AccountSection() -> impl IntoView {
    let session = use_session();
    view! {
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
    }
}

/// A section whose form edits some of the preferences. Each loads them for itself, so that each
/// form starts from what the server has.
#[component]
fn PreferencesSection<F, V>(
    /// Names the heading: `{id}-heading`.
    id: &'static str,
    title: &'static str,
    /// The form, from the loaded preferences.
    children: F,
) -> impl IntoView
where
    F: Fn(Preferences) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let preferences = LocalResource::new(api::get_preferences);
    view! {
        <section class="panel" aria-labelledby=format!("{id}-heading")>
            <h2 id=format!("{id}-heading") class="panel__title">
                {title}
            </h2>
            <Loadable resource=preferences children />
        </section>
    }
}
