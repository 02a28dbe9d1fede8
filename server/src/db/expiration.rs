//! How an [`ExpirationPolicy`] is stored: a kind name and an optional number of days.

use app::types::ExpirationPolicy;

pub const NONE: &str = "none";
pub const AFTER_ANY: &str = "after_any_recipient_downloads";
pub const AFTER_ALL: &str = "after_all_recipients_download";
pub const AFTER_DAYS: &str = "after_days";

/// The columns for a policy.
pub fn to_columns(policy: ExpirationPolicy) -> (&'static str, Option<i32>) {
    match policy {
        ExpirationPolicy::None => (NONE, None),
        ExpirationPolicy::AfterAnyRecipientDownloads => (AFTER_ANY, None),
        ExpirationPolicy::AfterAllRecipientsDownload => (AFTER_ALL, None),
        ExpirationPolicy::AfterDays { days } => {
            (AFTER_DAYS, Some(i32::try_from(days).unwrap_or(i32::MAX)))
        }
    }
}

/// The policy stored in the columns; an unknown kind reads as "none" (nothing is deleted by mistake).
pub fn from_columns(kind: &str, days: Option<i32>) -> ExpirationPolicy {
    match (kind, days) {
        (AFTER_ANY, _) => ExpirationPolicy::AfterAnyRecipientDownloads,
        (AFTER_ALL, _) => ExpirationPolicy::AfterAllRecipientsDownload,
        (AFTER_DAYS, Some(days)) if days > 0 => ExpirationPolicy::AfterDays {
            days: days.unsigned_abs(),
        },
        _ => ExpirationPolicy::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_round_trips() {
        for policy in [
            ExpirationPolicy::None,
            ExpirationPolicy::AfterAnyRecipientDownloads,
            ExpirationPolicy::AfterAllRecipientsDownload,
            ExpirationPolicy::AfterDays { days: 7 },
        ] {
            let (kind, days) = to_columns(policy);
            assert_eq!(from_columns(kind, days), policy);
        }
        assert_eq!(from_columns("bogus", None), ExpirationPolicy::None);
    }
}
