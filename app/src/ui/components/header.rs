//! The top bar: brand, the main navigation, the notification bell and the signed-in user with a
//! Sign out button.

use leptos::prelude::*;
use leptos_router::components::A;

use super::bell::NotificationBell;
use super::brand::BrandMark;
use crate::ui::api;
use crate::ui::routes::AppRoute;
use crate::ui::use_session;

/// Brand, `<nav aria-label="Main">` and the user menu. `<A>` marks the current page with
/// `aria-current="page"`.
#[component]
pub fn AppHeader() -> impl IntoView {
    let session = use_session();
    let display_name = move || {
        session
            .user()
            .map(|user| user.display_name)
            .unwrap_or_default()
    };

    view! {
        <header class="app-header">
            <div class="app-header__inner">
                // A plain link (the router still handles it): `<A>` would mark it `aria-current` on
                // the home page too, next to the nav link that already is.
                <a href=AppRoute::HOME.href() class="brand">
                    <BrandMark />
                    <span class="brand__name">"Ferry"</span>
                </a>
                <nav class="main-nav" aria-label="Main">
                    <A href=AppRoute::Received.href()>"Received"</A>
                    <A href=AppRoute::Sent.href()>"Sent"</A>
                    <A href=AppRoute::NewPackage.href()>"New package"</A>
                    <A href=AppRoute::Preferences.href()>"Preferences"</A>
                    <Show when=move || session.is_admin()>
                        <A href=AppRoute::Admin.href()>"Admin"</A>
                    </Show>
                </nav>
                <div class="user-menu">
                    <NotificationBell />
                    <span class="user-menu__name">{display_name}</span>
                    <SignOutButton />
                </div>
            </div>
        </header>
    }
}

/// Ends the session on the server, then forgets the user; the app shows the login page.
#[component]
fn SignOutButton() -> impl IntoView {
    let session = use_session();
    let sign_out = Action::new_local(move |_: &()| async move {
        match api::sign_out().await {
            // 401: the session had already ended; either way nobody is signed in now.
            Err(error) if !error.is_unauthorized() => Err(error),
            _ => {
                session.signed_out_by_choice();
                Ok(())
            }
        }
    });
    let pending = sign_out.pending();
    let error = move || {
        sign_out
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };

    view! {
        <button
            type="button"
            class="button button--quiet"
            disabled=move || pending.get()
            on:click=move |_| {
                sign_out.dispatch_local(());
            }
        >
            {move || if pending.get() { "Signing out…" } else { "Sign out" }}
        </button>
        <Show when=move || error().is_some()>
            <p class="user-menu__error" role="alert">
                {error}
            </p>
        </Show>
    }
}
