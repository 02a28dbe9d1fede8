//! In-app notifications (the bell and its list) and, for admins, the mail outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A package was sent to me.
    PackageReceived,
    /// A recipient downloaded every file of a package I sent.
    PackageDownloaded,
    /// The files of a package I sent were deleted by its expiration policy.
    FilesExpired,
}

impl NotificationKind {
    /// The database and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PackageReceived => "package_received",
            Self::PackageDownloaded => "package_downloaded",
            Self::FilesExpired => "files_expired",
        }
    }

    /// The inverse of [`Self::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::PackageReceived,
            Self::PackageDownloaded,
            Self::FilesExpired,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// One notification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// The package it is about; `None` once the package was deleted.
    pub package_id: Option<i64>,
    pub package_title: String,
    /// The sender (received) or the recipient (downloaded); empty for expiry.
    pub actor_name: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of my notifications, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub unread: u64,
}

/// `GET /api/v1/me/notifications/unread`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadCount {
    pub unread: u64,
}

/// One email of the outbox as an admin sees it (no body: it may be private).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    /// `pending` (will be tried again) or `failed` (given up).
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/v1/admin/mail`: whether email is on, and the mails not delivered yet.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxReport {
    /// Whether SMTP is configured.
    pub email_enabled: bool,
    pub pending: u64,
    pub failed: u64,
    /// Up to 50 undelivered mails, most recent first.
    pub items: Vec<OutboxMail>,
}

#[cfg(test)]
mod tests {
    use super::NotificationKind;

    #[test]
    fn kinds_round_trip() {
        for kind in [
            NotificationKind::PackageReceived,
            NotificationKind::PackageDownloaded,
            NotificationKind::FilesExpired,
        ] {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NotificationKind::parse("nope"), None);
    }
}
