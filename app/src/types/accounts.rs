//! Accounts: users, passwords, preferences and personal API tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;

/// Another user as people see them: in recipient suggestions, as a sender or a recipient.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// A user as an admin manages them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub disabled: bool,
    pub desktop_client_disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/admin/users`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Letters, digits, `.`, `_` and `-`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._-]+$")
    )]
    pub username: String,
    /// Defaults to the username when empty.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub display_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: Option<String>,
    pub role: Role,
    /// 8 characters to 256 bytes (UTF-8).
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub password: String,
}

/// `PATCH /api/v1/admin/users/{id}`: only the fields present change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub display_name: Option<String>,
    /// `Some(None)` (JSON `null`) clears the email.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub email: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_client_disabled: Option<bool>,
}

/// `PUT /api/v1/admin/users/{id}/password`: an admin sets a new password (the user's sessions end).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// 8 characters to 256 bytes (UTF-8).
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub new_password: String,
}

/// `PUT /api/v1/me/password`: users change their own password (their other sessions end).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub current_password: String,
    /// 8 characters to 256 bytes (UTF-8).
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub new_password: String,
}

/// `GET`/`PUT /api/v1/me/preferences`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// "Disable desktop client": the web app never offers a desktop client and transfers through
    /// the HTTP gateway directly.
    pub desktop_client_disabled: bool,
    /// Read-only: whether this user may change `desktop_client_disabled` (an admin setting).
    #[serde(default)]
    pub may_change_desktop_client: bool,
    /// "Email me when a package arrives".
    #[serde(default = "yes")]
    pub email_on_receive: bool,
    /// "Email me when my package is downloaded" (by a recipient, every file).
    #[serde(default)]
    pub email_on_download: bool,
    /// Read-only: whether this server sends email at all (SMTP configured) and I have an address.
    #[serde(default)]
    pub email_available: bool,
}

fn yes() -> bool {
    true
}

/// `PUT /api/v1/me/preferences` body: only the fields present change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesUpdate {
    /// Absent: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_client_disabled: Option<bool>,
    /// Absent: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_on_receive: Option<bool>,
    /// Absent: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_on_download: Option<bool>,
}

/// A personal API token, as listed (the secret itself is shown only when created).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the token stops working; absent or null: never.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Days a new token works unless its owner picks otherwise.
    pub const DEFAULT_LIFETIME_DAYS: u32 = 90;
    /// The longest lifetime a token may be given in days (a token that never expires is `null`).
    pub const MAX_LIFETIME_DAYS: u32 = 3650;
}

/// `POST /api/v1/me/tokens`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    /// Days until the token stops working, 1 to 3650; absent: 90; `null`: never.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    #[serde(default = "default_lifetime_days")]
    pub expires_in_days: Option<u32>,
}

fn default_lifetime_days() -> Option<u32> {
    Some(ApiToken::DEFAULT_LIFETIME_DAYS)
}

/// The answer to creating a token: the secret, shown this once, to send as `Authorization: Bearer`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub token: String,
    pub details: ApiToken,
}

/// Distinguishes "field absent" from "field is null" for PATCH bodies.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<Option<String>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(deserializer).map(Some)
    }
}

/// Query of `GET /api/v1/users`: `?q=` matches the start of a username, display name or email.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserQuery {
    /// The start of a username, display name or email, ignoring case; empty matches everyone.
    #[serde(default)]
    pub q: String,
}
