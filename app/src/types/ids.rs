//! Ids of the things the API names, one type each, so a file's id cannot be passed where a
//! package's is expected. On the wire each is the plain integer it wraps.

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )+};
}

ids! {
    /// A user.
    UserId;
    /// A package.
    PackageId;
    /// A file of a package.
    FileId;
    /// A personal API token.
    ApiTokenId;
    /// A notification.
    NotificationId;
    /// An email in the outbox.
    MailId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_plain_integers() {
        assert_eq!(
            serde_json::to_string(&PackageId(42)).expect("serialises"),
            "42"
        );
        let id: FileId = serde_json::from_str("7").expect("parses");
        assert_eq!(id, FileId(7));
        assert_eq!("12".parse::<UserId>(), Ok(UserId(12)));
        assert_eq!(PackageId(3).to_string(), "3");
    }
}
