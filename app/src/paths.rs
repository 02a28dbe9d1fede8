//! URL paths of the package API, the web listener and the gateway, named once for both sides.

/// Liveness check of the web listener.
pub const HEALTHZ: &str = "/healthz";
/// The signed-in browser session: `GET` who am I, `POST` sign in, `DELETE` sign out.
pub const SESSION: &str = "/api/v1/session";
/// Public facts the web app needs before sign-in (version, gateway URL).
pub const CLIENT_CONFIG: &str = "/api/v1/config";
/// Machine-readable description of the gateway (on the gateway listener).
pub const GATEWAY_INFO: &str = "/info";

/// Prefix of every package API route; anything under it that is not a route answers a JSON 404.
pub const API_PREFIX: &str = "/api";

/// Header every state-changing API request from the web app carries (CSRF defence: a cross-site form
/// cannot set it). Its value is ignored.
pub const CSRF_HEADER: &str = "x-ferry-request";
