//! How an [`ExpirationPolicy`] is stored: a kind and an optional number of days.

use app::types::ExpirationPolicy;
use sea_orm::{DbErr, entity::prelude::*};

/// The `expiration_kind` columns (of packages and of the settings row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    #[sea_orm(string_value = "none")]
    None,
    #[sea_orm(string_value = "after_any_recipient_downloads")]
    AfterAnyRecipientDownloads,
    #[sea_orm(string_value = "after_all_recipients_download")]
    AfterAllRecipientsDownload,
    #[sea_orm(string_value = "after_days")]
    AfterDays,
}

/// The columns for a policy.
pub fn to_columns(policy: ExpirationPolicy) -> (Kind, Option<i32>) {
    match policy {
        ExpirationPolicy::None => (Kind::None, None),
        ExpirationPolicy::AfterAnyRecipientDownloads => (Kind::AfterAnyRecipientDownloads, None),
        ExpirationPolicy::AfterAllRecipientsDownload => (Kind::AfterAllRecipientsDownload, None),
        ExpirationPolicy::AfterDays { days } => (
            Kind::AfterDays,
            Some(i32::try_from(days).unwrap_or(i32::MAX)),
        ),
    }
}

/// The policy stored in the columns. "After days" without a positive number of days is an error:
/// guessing could delete files nobody asked to delete, or keep files meant to go.
pub fn from_columns(kind: Kind, days: Option<i32>) -> Result<ExpirationPolicy, DbErr> {
    Ok(match (kind, days) {
        (Kind::None, _) => ExpirationPolicy::None,
        (Kind::AfterAnyRecipientDownloads, _) => ExpirationPolicy::AfterAnyRecipientDownloads,
        (Kind::AfterAllRecipientsDownload, _) => ExpirationPolicy::AfterAllRecipientsDownload,
        (Kind::AfterDays, Some(days)) if days > 0 => ExpirationPolicy::AfterDays {
            days: days.unsigned_abs(),
        },
        (Kind::AfterDays, days) => {
            return Err(DbErr::Type(format!(
                "expiration after_days with {days:?} days: a positive number is required"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ActiveEnum;

    #[test]
    fn every_policy_round_trips() {
        for policy in [
            ExpirationPolicy::None,
            ExpirationPolicy::AfterAnyRecipientDownloads,
            ExpirationPolicy::AfterAllRecipientsDownload,
            ExpirationPolicy::AfterDays { days: 7 },
        ] {
            let (kind, days) = to_columns(policy);
            assert_eq!(from_columns(kind, days).expect("valid"), policy);
        }
    }

    #[test]
    fn an_unknown_or_incomplete_kind_is_an_error() {
        assert!(Kind::try_from_value(&"bogus".to_owned()).is_err());
        assert!(from_columns(Kind::AfterDays, None).is_err());
        assert!(from_columns(Kind::AfterDays, Some(0)).is_err());
    }
}
