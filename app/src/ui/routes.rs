//! The web app's own URLs, named once: route definitions, links and redirects all use these.

use leptos_router::{AsPath, NavigateOptions};

/// A page of the web app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppRoute {
    Login,
    Received,
    Sent,
    NewPackage,
    Notifications,
    Preferences,
    Admin,
    /// "Approve a desktop client" (`?code=` fills in the code).
    DeviceApproval,
}

impl AppRoute {
    /// Where a signed-in person lands: after sign-in, and from `/`.
    pub const HOME: AppRoute = AppRoute::Received;

    /// The absolute path, for links and redirects.
    pub const fn href(self) -> &'static str {
        match self {
            AppRoute::Login => "/login",
            AppRoute::Received => "/received",
            AppRoute::Sent => "/sent",
            AppRoute::NewPackage => "/new",
            AppRoute::Notifications => "/notifications",
            AppRoute::Preferences => "/preferences",
            AppRoute::Admin => "/admin",
            AppRoute::DeviceApproval => crate::paths::DEVICE_APPROVAL_PAGE,
        }
    }
}

/// Lets a route be declared as `StaticSegment(AppRoute::Sent)`, so the route table and the links can
/// never disagree about a path.
impl AsPath for AppRoute {
    fn as_path(&self) -> &'static str {
        self.href().trim_start_matches('/')
    }
}

/// The package page, `/packages/{id}`: a route with a parameter, so it is not an [`AppRoute`].
pub struct PackageRoute;

impl PackageRoute {
    /// The static segment of the route (`/packages/:id`).
    pub const SEGMENT: &'static str = "packages";
    /// The name of the parameter segment.
    pub const PARAM: &'static str = "id";

    /// The page of package `id`.
    pub fn href(id: i64) -> String {
        format!("/{}/{id}", Self::SEGMENT)
    }
}

/// Options for redirects: they replace the history entry, so Back does not bounce through them.
pub fn replace_history() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..NavigateOptions::default()
    }
}
