//! Request and response bodies of the package API, as they travel on the wire (JSON).
//! Timestamps are RFC 3339 strings in UTC. With the `openapi` feature each type also describes
//! itself for the server's OpenAPI document.

mod accounts;
mod device;
mod error;
mod ids;
mod notifications;
mod packages;
mod settings;
mod transfer;

pub use accounts::*;
pub use device::*;
pub use error::*;
pub use ids::*;
pub use notifications::*;
pub use packages::*;
pub use settings::*;
pub use transfer::*;

use serde::{Deserialize, Serialize};

/// What a user may do: admins also manage users and settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    User,
}

/// `POST /api/v1/session`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub password: String,
}

/// The signed-in user, answered by `GET` and `POST /api/v1/session`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl SessionUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// `GET /api/v1/config`: what the web app needs to know before anyone signs in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    pub version: String,
    /// Base URL of the HTTP gateway's listener, as browsers reach it; `None` when the gateway is off.
    pub gateway_url: Option<String>,
    /// The lower-case hex SHA-256 of the `ferry-desktop` binary this server offers at
    /// [`crate::paths::DESKTOP_CLIENT_LINUX_X86_64`]; absent when it offers none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop_client_sha256: Option<String>,
}

/// `GET /healthz` on the web listener.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// `GET /info` on the gateway listener.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayInfo {
    pub name: String,
    pub version: String,
    /// Transfer protocols this gateway speaks, e.g. `"tus/1.0.0"`.
    pub protocols: Vec<String>,
    pub tls: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_snake_case_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&Role::Admin).expect("serialises"),
            "\"admin\""
        );
        let role: Role = serde_json::from_str("\"user\"").expect("parses");
        assert_eq!(role, Role::User);
    }
}
