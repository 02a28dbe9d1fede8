//! One module per page of the web app.

mod admin;
mod device;
mod login;
mod new_package;
mod not_found;
mod notifications;
mod package;
mod preferences;
mod received;
mod sent;

pub use admin::AdminPage;
pub use device::DeviceApprovalPage;
pub use login::LoginPage;
pub use new_package::NewPackagePage;
pub use not_found::NotFoundPage;
pub use notifications::NotificationsPage;
pub use package::PackagePage;
pub use preferences::PreferencesPage;
pub use received::ReceivedPage;
pub use sent::SentPage;
