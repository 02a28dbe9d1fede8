//! Building blocks shared by the pages: the app shell (header, navigation, footer), the page frame,
//! lists of packages, form pieces, dialogs, messages, empty states and the loading indicator.

mod bell;
mod brand;
mod confirm_dialog;
mod desktop_client_link;
mod empty_state;
mod expiration_field;
mod feedback;
mod flash;
mod footer;
mod gateway_notice;
mod header;
mod ids;
mod leave_guard;
mod load_error;
mod loadable;
mod loading;
mod package_list;
mod package_table;
mod page;
mod pager;
mod progress_bar;
mod shell;
mod submission;

pub use brand::BrandMark;
pub use confirm_dialog::ConfirmDialog;
pub use desktop_client_link::DesktopClientLink;
pub use empty_state::EmptyState;
pub use expiration_field::{ExpirationField, ExpirationInput};
pub use feedback::{Feedback, FeedbackMessages};
pub use flash::{Flash, use_flash};
pub use gateway_notice::GatewayNotice;
pub use leave_guard::LeaveGuard;
pub use load_error::LoadError;
pub use loadable::Loadable;
pub use loading::Loading;
pub use package_list::{PackageList, PackageListData};
pub use package_table::{ListKind, names};
pub use page::Page;
pub use pager::Pager;
pub use progress_bar::ProgressBar;
pub use shell::Shell;
pub use submission::{FormActions, Submission};
