//! Ferry's web app: a Leptos single-page app, rendered in the browser (CSR) and built by Trunk.
//!
//! [`App`] asks the server who is signed in, then mounts the one route table ([`AppRoutes`]): bare
//! when signed out (every page but the login page leads to it), inside the app shell when signed in.
//! Signing in or out only changes [`Session`]; the routes do the redirecting.

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
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;
use leptos_router::{ParamSegment, StaticSegment};

use crate::types::SessionUser;
use app_settings::AppSettings;
use components::{Flash, Loading, Shell};
use pages::{
    AdminPage, DeviceApprovalPage, LoginPage, NewPackagePage, NotFoundPage, NotificationsPage,
    PackagePage, PreferencesPage, ReceivedPage, SentPage,
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
    return_to: RwSignal<ReturnTo>,
}

impl Session {
    fn new() -> Self {
        Session {
            user: RwSignal::new(None),
            checked: RwSignal::new(false),
            return_to: RwSignal::new(ReturnTo::Nowhere),
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

    /// Forgets the user because the session ended on its own (it expired, an admin reset the
    /// password): the app shows the login page, and signing in again comes back to this page.
    pub fn signed_out(&self) {
        self.user.set(None);
    }

    /// Forgets the user who chose to sign out: the app shows the login page, and whoever signs in
    /// next starts from the home page, not from the page the last user was on (an admin's page,
    /// say, for someone who is not one).
    pub fn signed_out_by_choice(&self) {
        self.return_to.set(ReturnTo::NotThisPage);
        self.user.set(None);
    }
}

/// The [`Session`] provided by [`App`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Where to go once signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ReturnTo {
    /// The home page.
    Nowhere,
    /// The page a signed-out person asked for (a device approval link, a package link).
    Page(String),
    /// The home page, though the login page is about to be shown for another one: the user on it
    /// has just signed out.
    NotThisPage,
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
                Gate::SignedOut => view! { <AppRoutes /> }.into_any(),
                Gate::SignedIn => view! { <SignedInShell /> }.into_any(),
            }}
        </Router>
    }
}

/// The app shell around the pages of a signed-in user. The admin settings and client
/// configuration are loaded once here for every page ([`AppSettings`]).
#[component]
fn SignedInShell() -> impl IntoView {
    AppSettings::provide();
    Flash::provide();
    Unread::provide();
    view! {
        <Shell>
            <AppRoutes />
        </Shell>
    }
}

/// Every page of the web app: the one route table. The server lists it too (through
/// `leptos_axum`), to answer 200 for these paths and 404 for any other. Signed out, every page but
/// the login page leads to it, and back to the page asked for after sign-in; signed in, `/` and
/// `/login` go to the home page.
#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| signed_in(NotFoundPage)>
            <Route path=path!("/") view=|| signed_in(|| view! { <RedirectTo route=AppRoute::HOME /> }) />
            <Route path=StaticSegment(AppRoute::Login) view=LoginRoute />
            <Route path=StaticSegment(AppRoute::Received) view=|| signed_in(ReceivedPage) />
            <Route path=StaticSegment(AppRoute::Sent) view=|| signed_in(SentPage) />
            <Route path=StaticSegment(AppRoute::NewPackage) view=|| signed_in(NewPackagePage) />
            <Route
                path=(StaticSegment(PackageRoute::SEGMENT), ParamSegment(PackageRoute::PARAM))
                view=|| signed_in(PackagePage)
            />
            <Route
                path=StaticSegment(AppRoute::Notifications)
                view=|| signed_in(NotificationsPage)
            />
            <Route path=StaticSegment(AppRoute::Preferences) view=|| signed_in(PreferencesPage) />
            <Route path=StaticSegment(AppRoute::Admin) view=|| signed_in(AdminPage) />
            <Route
                path=StaticSegment(AppRoute::DeviceApproval)
                view=|| signed_in(DeviceApprovalPage)
            />
        </Routes>
    }
}

/// [`AppRoutes`] in a router, for listing the routes outside a browser (the server does, through
/// `leptos_axum`).
#[component]
pub fn RouteTable() -> impl IntoView {
    view! {
        <Router>
            <AppRoutes />
        </Router>
    }
}

/// The page for a signed-in user; signed out, the login page instead (which comes back here).
fn signed_in<V: IntoView + 'static>(page: impl FnOnce() -> V) -> AnyView {
    if use_session().user.with_untracked(Option::is_some) {
        page().into_any()
    } else {
        view! { <SignInFirst /> }.into_any()
    }
}

/// The login page, or for someone signed in (just now, or already) the page they asked for.
#[component]
fn LoginRoute() -> impl IntoView {
    if use_session().user.with_untracked(Option::is_some) {
        view! { <BackAfterSignIn /> }.into_any()
    } else {
        view! { <LoginPage /> }.into_any()
    }
}

/// Remembers the page asked for, then goes to the login page.
#[component]
fn SignInFirst() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    use_session().return_to.update(|return_to| {
        *return_to = match return_to {
            ReturnTo::NotThisPage => ReturnTo::Nowhere,
            _ if path == "/" => ReturnTo::Nowhere,
            _ if search.is_empty() => ReturnTo::Page(path),
            _ => ReturnTo::Page(format!("{path}?{search}")),
        }
    });
    view! { <RedirectTo route=AppRoute::Login /> }
}

/// Just signed in (or on `/login` while signed in): back to the page asked for, else home.
#[component]
fn BackAfterSignIn() -> impl IntoView {
    let navigate = use_navigate();
    let asked = use_session()
        .return_to
        .try_update(|return_to| std::mem::replace(return_to, ReturnTo::Nowhere));
    // Only a path of this app: never another site.
    let to = match asked {
        Some(ReturnTo::Page(path)) if path.starts_with('/') && !path.starts_with("//") => path,
        _ => AppRoute::HOME.href().to_owned(),
    };
    spawn_local(async move { navigate(&to, replace_history()) });
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
