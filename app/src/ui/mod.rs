//! Ferry's web app: a Leptos single-page app, rendered in the browser (CSR) and built by Trunk.
//!
//! [`App`] asks the server who is signed in, then mounts one of two route trees: the signed-out one
//! (only the login page; every other path redirects to it) or the signed-in one (the app shell and
//! its pages). Signing in or out only changes [`Session`]; the route trees do the redirecting.

pub mod api;
mod app_settings;
mod components;
mod format;
mod pages;
pub mod routes;
mod transfer;
mod unread;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::path;
use leptos_router::{ParamSegment, StaticSegment};

use crate::types::SessionUser;
use app_settings::AppSettings;
use components::{Flash, Loading, Shell};
use pages::{
    AdminPage, LoginPage, NewPackagePage, NotFoundPage, NotificationsPage, PackagePage,
    PreferencesPage, ReceivedPage, SentPage,
};
use routes::{AppRoute, PackageRoute, replace_history};
use unread::Unread;

pub(crate) use crate::limits::MIN_PASSWORD_LEN;

/// Who is using the app, shared with every component through context ([`use_session`]).
#[derive(Debug, Clone, Copy)]
pub struct Session {
    user: RwSignal<Option<SessionUser>>,
    /// `false` until the server has answered the first "who am I?".
    checked: RwSignal<bool>,
}

impl Session {
    fn new() -> Self {
        Session {
            user: RwSignal::new(None),
            checked: RwSignal::new(false),
        }
    }

    /// The signed-in user, tracked: views that call it update when the session changes.
    pub fn user(&self) -> Option<SessionUser> {
        self.user.get()
    }

    /// Whether the signed-in user is an admin (tracked).
    pub fn is_admin(&self) -> bool {
        self.user
            .with(|user| user.as_ref().is_some_and(SessionUser::is_admin))
    }

    /// Records a successful sign-in; the app then leaves the login page.
    pub fn signed_in(&self, user: SessionUser) {
        self.user.set(Some(user));
    }

    /// Forgets the user; the app then shows the login page.
    pub fn signed_out(&self) {
        self.user.set(None);
    }
}

/// The [`Session`] provided by [`App`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Which route tree to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    Checking,
    SignedOut,
    SignedIn,
}

/// The whole web app, mounted on `<body>` by the `frontend` crate.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    // Any answer saying the session has ended (it expired, or an admin reset the password) leads
    // back to the login page.
    api::on_session_ended(move || session.signed_out());
    spawn_local(async move {
        // 401 is the ordinary "nobody is signed in". Any other failure also leads to the login page,
        // where signing in shows what is wrong (e.g. "Could not reach the Ferry server").
        session.user.set(api::get_session().await.ok());
        session.checked.set(true);
    });
    let gate = Memo::new(move |_| {
        if !session.checked.get() {
            Gate::Checking
        } else if session.user.with(Option::is_some) {
            Gate::SignedIn
        } else {
            Gate::SignedOut
        }
    });

    view! {
        <Router>
            {move || match gate.get() {
                Gate::Checking => view! { <Loading /> }.into_any(),
                Gate::SignedOut => view! { <SignedOutRoutes /> }.into_any(),
                Gate::SignedIn => view! { <SignedInRoutes /> }.into_any(),
            }}
        </Router>
    }
}

/// Only the login page; any other path goes there.
#[component]
fn SignedOutRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <RedirectTo route=AppRoute::Login /> }>
            <Route path=StaticSegment(AppRoute::Login) view=LoginPage />
        </Routes>
    }
}

/// The app shell and its pages; `/` and `/login` go to the home page. The admin settings and
/// client configuration are loaded once here for every page ([`AppSettings`]).
#[component]
fn SignedInRoutes() -> impl IntoView {
    AppSettings::provide();
    Flash::provide();
    Unread::provide();
    view! {
        <Shell>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=|| view! { <RedirectTo route=AppRoute::HOME /> } />
                <Route
                    path=StaticSegment(AppRoute::Login)
                    view=|| view! { <RedirectTo route=AppRoute::HOME /> }
                />
                <Route path=StaticSegment(AppRoute::Received) view=ReceivedPage />
                <Route path=StaticSegment(AppRoute::Sent) view=SentPage />
                <Route path=StaticSegment(AppRoute::NewPackage) view=NewPackagePage />
                <Route
                    path=(StaticSegment(PackageRoute::SEGMENT), ParamSegment(PackageRoute::PARAM))
                    view=PackagePage
                />
                <Route path=StaticSegment(AppRoute::Notifications) view=NotificationsPage />
                <Route path=StaticSegment(AppRoute::Preferences) view=PreferencesPage />
                <Route path=StaticSegment(AppRoute::Admin) view=AdminPage />
            </Routes>
        </Shell>
    }
}

/// Goes to `route`, replacing the current history entry.
///
/// Unlike leptos_router's `<Redirect>`, it navigates after the current render has finished: a
/// navigation started while `<Routes>` is still rendering the matched view would write the router's
/// URL signal while it is being read (a panic in the browser).
#[component]
fn RedirectTo(route: AppRoute) -> impl IntoView {
    let navigate = use_navigate();
    spawn_local(async move { navigate(route.href(), replace_history()) });
}
