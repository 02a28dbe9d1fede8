//! Packages: what a sender creates and recipients receive.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ExpirationPolicy, UserSummary};

/// Where a package is in its life.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageState {
    /// Created, files not (all) uploaded yet; only the sender sees it.
    Draft,
    /// Every file is uploaded and verified; the recipients see it.
    Sent,
}

/// How much of a package one recipient has downloaded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadState {
    NotDownloaded,
    PartiallyDownloaded,
    Downloaded,
}

/// `POST /api/v1/packages`: creates a draft.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPackage {
    /// Required, at most [`NewPackage::MAX_TITLE_LEN`] characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    /// At most [`NewPackage::MAX_NOTE_LEN`] characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub note: String,
    /// Usernames or email addresses of existing users; at least one.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub recipients: Vec<String>,
    /// Defaults to the admin's default policy.
    #[serde(default)]
    pub expiration: Option<ExpirationPolicy>,
}

impl NewPackage {
    pub const MAX_TITLE_LEN: usize = 200;
    pub const MAX_NOTE_LEN: usize = 10_000;
    pub const MAX_RECIPIENTS: usize = 100;
}

/// A package in the Received and Sent lists.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageSummary {
    pub id: i64,
    pub title: String,
    pub sender: UserSummary,
    pub recipients: Vec<UserSummary>,
    pub state: PackageState,
    pub file_count: u32,
    /// Bytes, all files together.
    pub total_size: u64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// For a recipient: how much of it they have downloaded. `None` for the sender's own view.
    pub my_download_state: Option<DownloadState>,
    /// When the package's files were deleted (expiration policy or an admin); `None` while they
    /// remain. The package stays listed.
    pub files_deleted_at: Option<DateTime<Utc>>,
    /// For its sender (and admins): how far the recipients have downloaded a sent package. `None`
    /// for drafts and in a recipient's view.
    pub delivery: Option<Delivery>,
}

/// How far a sent package's recipients have got with it, counted from Ferry's exact per-file
/// download tracking.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub recipients: u32,
    /// Recipients who have downloaded every file.
    pub downloaded: u32,
    /// Recipients who have downloaded some bytes but not every file.
    pub partially: u32,
    /// The most files any one recipient has downloaded completely.
    pub most_files: u32,
}

/// One page of a list, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagePage {
    pub items: Vec<PackageSummary>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

/// Where a file's bytes are.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// Declared; its bytes are not all uploaded and verified yet.
    Pending,
    /// Uploaded and verified: it can be downloaded.
    Complete,
    /// Its bytes were deleted (by the expiration policy or an admin); it is listed, not downloadable.
    Deleted,
}

/// A file of a package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFile {
    pub id: i64,
    pub name: String,
    /// The file's relative path inside the package, ending in `name` (`photos/2024/a.jpg`), for
    /// files sent in folders by the desktop client; absent for a file at the top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub size: u64,
    pub state: FileState,
    /// Lower-case hex SHA-256 of the file's bytes, once uploaded and verified.
    pub sha256: Option<String>,
}

/// A recipient's progress, shown to the sender (and admins).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientStatus {
    pub user: UserSummary,
    pub state: DownloadState,
    /// When the last file was completely downloaded, once the state is `downloaded`.
    pub downloaded_at: Option<DateTime<Utc>>,
    /// How many of the package's files this recipient has received every byte of.
    pub files_downloaded: u32,
}

/// `GET /api/v1/packages/{id}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageDetail {
    #[serde(flatten)]
    pub summary: PackageSummary,
    pub note: String,
    pub expiration: ExpirationPolicy,
    pub files: Vec<PackageFile>,
    /// Each recipient's progress: present for the sender and admins only.
    pub recipient_status: Option<Vec<RecipientStatus>>,
    /// Whether the caller may delete the package (its sender or an admin).
    pub can_delete: bool,
}

/// Query of the Received and Sent lists: `?page=1&per_page=20`.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageQuery {
    /// 1-based, at most [`PageQuery::MAX_PAGE`]; defaults to 1.
    #[serde(default = "PageQuery::first")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: u32,
    /// 1 to [`PageQuery::MAX_PER_PAGE`]; defaults to 20.
    #[serde(default = "PageQuery::default_per_page")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub per_page: u32,
}

impl PageQuery {
    pub const MAX_PER_PAGE: u32 = 100;
    /// The last page number accepted (the document says so too: an int32 in range).
    pub const MAX_PAGE: u32 = 1_000_000;

    /// Whether this page can be asked for; the error says what is allowed.
    pub fn check(self) -> Result<(), String> {
        if !(1..=Self::MAX_PAGE).contains(&self.page) {
            return Err(format!(
                "The page number (page) must be between 1 and {}.",
                Self::MAX_PAGE
            ));
        }
        if !(1..=Self::MAX_PER_PAGE).contains(&self.per_page) {
            return Err(format!(
                "The page size (per_page) must be between 1 and {}.",
                Self::MAX_PER_PAGE
            ));
        }
        Ok(())
    }

    fn first() -> u32 {
        1
    }

    fn default_per_page() -> u32 {
        20
    }
}

impl Default for PageQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: Self::default_per_page(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_start_at_one_and_hold_at_most_the_maximum() {
        let page = |page, per_page| PageQuery { page, per_page }.check();
        assert!(page(1, 1).is_ok());
        assert!(page(7, PageQuery::MAX_PER_PAGE).is_ok());
        assert!(page(0, 20).is_err());
        assert!(page(PageQuery::MAX_PAGE, 20).is_ok());
        assert!(page(PageQuery::MAX_PAGE + 1, 20).is_err());
        assert!(page(1, 0).is_err());
        assert!(page(1, PageQuery::MAX_PER_PAGE + 1).is_err());
    }
}
