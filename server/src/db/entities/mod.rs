//! sea-orm entities: the rows as the database stores them. They never cross the wire; `http/` maps
//! them to the DTOs in `app::types`.

pub mod api_tokens;
pub mod device_authorizations;
pub mod download_ranges;
pub mod file_downloads;
pub mod leases;
pub mod login_throttle;
pub mod mail_outbox;
pub mod notifications;
pub mod package_files;
pub mod package_recipients;
pub mod packages;
pub mod sessions;
pub mod settings;
pub mod uploads;
pub mod users;
