//! Admin settings that shape what everyone can do.

use serde::{Deserialize, Serialize};

/// What happens to a package's files over time.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExpirationPolicy {
    /// Keep the files until someone deletes them.
    None,
    /// Delete the files once any recipient has downloaded every file.
    AfterAnyRecipientDownloads,
    /// Delete the files once every recipient has downloaded every file.
    AfterAllRecipientsDownload,
    /// Delete the files this many days after the package was sent (1 to 3650).
    AfterDays { days: u32 },
}

impl ExpirationPolicy {
    /// Longest "after N days" allowed.
    pub const MAX_DAYS: u32 = 3650;

    /// Checks the policy's own bounds; the error is a sentence for people.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Self::AfterDays { days } if *days == 0 || *days > Self::MAX_DAYS => Err(format!(
                "The number of days before files are deleted must be between 1 and {}.",
                Self::MAX_DAYS
            )),
            _ => Ok(()),
        }
    }
}

/// `GET /api/v1/settings` (any signed-in user) and `PUT /api/v1/admin/settings` (admins).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// When off, no gateway option or notice appears and gateway transfer specs are refused.
    pub gateway_enabled: bool,
    /// Files per package, 1 to 100 (default 10).
    pub max_files_per_package: u32,
    /// Whether users may change their own "Disable desktop client" preference.
    pub users_may_change_desktop_client: bool,
    /// The expiration policy new packages get unless their sender picks another.
    pub default_expiration: ExpirationPolicy,
    /// Whether the user directory finds a person by their exact, full email address (never by a
    /// part of it). Off by default; absent in a request means off.
    #[serde(default)]
    pub directory_exact_email: bool,
    /// Most bytes one user may keep stored: the files of the packages they sent, and their uploads
    /// in progress. Absent or null: no bound (the default).
    #[serde(default)]
    pub user_quota_bytes: Option<u64>,
    /// Files per package sent with the desktop client, 1 to
    /// [`Settings::DESKTOP_MAX_FILES_LIMIT`]; absent means the default, 10,000.
    #[serde(default = "Settings::default_desktop_max_files")]
    pub desktop_max_files_per_package: u32,
    /// Most bytes in one package sent with the desktop client. Absent or null: no bound (the
    /// default).
    #[serde(default)]
    pub desktop_max_package_bytes: Option<u64>,
}

impl Settings {
    pub const MAX_FILES_LIMIT: u32 = 100;
    pub const DEFAULT_DESKTOP_MAX_FILES: u32 = 10_000;
    pub const DESKTOP_MAX_FILES_LIMIT: u32 = 1_000_000;

    fn default_desktop_max_files() -> u32 {
        Self::DEFAULT_DESKTOP_MAX_FILES
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            gateway_enabled: true,
            max_files_per_package: crate::limits::DEFAULT_MAX_FILES_PER_PACKAGE,
            users_may_change_desktop_client: true,
            default_expiration: ExpirationPolicy::None,
            directory_exact_email: false,
            user_quota_bytes: None,
            desktop_max_files_per_package: Self::DEFAULT_DESKTOP_MAX_FILES,
            desktop_max_package_bytes: None,
        }
    }
}
