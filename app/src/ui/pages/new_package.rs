//! New package: where a package is put together and sent.

use leptos::prelude::*;

use crate::ui::components::Page;

/// A placeholder until the upload engine lands.
#[component]
pub fn NewPackagePage() -> impl IntoView {
    view! {
        <Page title="New package">
            <div class="panel">
                <p>"Creating packages arrives in the next release."</p>
                <p class="muted">
                    "You will give a package a title, a note and recipients, add files, and send it from here."
                </p>
            </div>
        </Page>
    }
}
