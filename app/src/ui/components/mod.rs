//! Building blocks shared by the pages: the app shell (header, navigation, footer), the page frame,
//! empty states and the loading indicator.

mod brand;
mod empty_state;
mod footer;
mod header;
mod loading;
mod page;
mod shell;

pub use brand::BrandMark;
pub use empty_state::EmptyState;
pub use loading::Loading;
pub use page::Page;
pub use shell::Shell;
