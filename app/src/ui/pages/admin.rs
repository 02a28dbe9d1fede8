//! Admin: users and settings, for admins only (the server enforces this too).

use leptos::prelude::*;

use crate::ui::components::Page;
use crate::ui::use_session;

/// A placeholder for admins; a plain refusal for everyone else.
#[component]
pub fn AdminPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Page title="Admin">
            <div class="panel">
                <Show
                    when=move || session.is_admin()
                    fallback=|| view! { <p>"Only admins see this page."</p> }
                >
                    <p>"Managing users and settings arrives in a later release."</p>
                </Show>
            </div>
        </Page>
    }
}
