//! URL paths of the package API, the web listener and the gateway, named once for both sides.
//! Paths with `{id}` are axum route patterns; [`with_id`] fills them in for a request.

/// Liveness check of the web listener.
pub const HEALTHZ: &str = "/healthz";
/// The signed-in browser session: `GET` who am I, `POST` sign in, `DELETE` sign out.
pub const SESSION: &str = "/api/v1/session";
/// Public facts the web app needs before sign-in (version, gateway URL).
pub const CLIENT_CONFIG: &str = "/api/v1/config";
/// The OpenAPI 3 document of the package API.
pub const OPENAPI: &str = "/api/openapi.json";

/// `PUT`: change my password.
pub const ME_PASSWORD: &str = "/api/v1/me/password";
/// `GET`/`PUT`: my preferences.
pub const ME_PREFERENCES: &str = "/api/v1/me/preferences";
/// `GET`: my API tokens; `POST`: create one.
pub const ME_TOKENS: &str = "/api/v1/me/tokens";
/// `DELETE`: revoke one of my API tokens.
pub const ME_TOKEN: &str = "/api/v1/me/tokens/{id}";
/// `GET ?page=&per_page=`: my notifications, newest first, with the unread count.
pub const ME_NOTIFICATIONS: &str = "/api/v1/me/notifications";
/// `GET`: how many of my notifications are unread (the bell; one indexed count).
pub const ME_NOTIFICATIONS_UNREAD: &str = "/api/v1/me/notifications/unread";
/// `POST`: mark all my notifications read.
pub const ME_NOTIFICATIONS_READ_ALL: &str = "/api/v1/me/notifications/read_all";
/// `POST`: mark one of my notifications read.
pub const ME_NOTIFICATION_READ: &str = "/api/v1/me/notifications/{id}/read";
/// `POST` (no credentials): start signing in a device; answers a user code to approve.
pub const DEVICE_AUTHORIZATIONS: &str = "/api/v1/device/authorizations";
/// `POST` (no credentials): the device polls here for its token.
pub const DEVICE_TOKEN: &str = "/api/v1/device/token";
/// `GET` (signed in): one pending device authorization, by its user code.
pub const DEVICE_AUTHORIZATION: &str = "/api/v1/device/authorizations/{user_code}";
/// `POST` (signed in): approve it; the device gets an API token named after it.
pub const DEVICE_AUTHORIZATION_APPROVE: &str = "/api/v1/device/authorizations/{user_code}/approve";
/// `POST` (signed in): deny it.
pub const DEVICE_AUTHORIZATION_DENY: &str = "/api/v1/device/authorizations/{user_code}/deny";
/// The web app's page where a signed-in user approves a device (`?code=ABCD-EFGH` fills it in).
pub const DEVICE_APPROVAL_PAGE: &str = "/device";

/// The `ferry-desktop` client for Linux x86-64, served by the web listener (no sign-in needed).
pub const DESKTOP_CLIENT_LINUX_X86_64: &str = "/downloads/ferry-desktop-linux-x86_64";
/// Its SHA-256 as `sha256sum` prints it.
pub const DESKTOP_CLIENT_LINUX_X86_64_SHA256: &str = "/downloads/ferry-desktop-linux-x86_64.sha256";

/// `GET ?q=`: users matching a prefix, for recipient suggestions.
pub const USERS: &str = "/api/v1/users";

/// `GET`: every user; `POST`: create one (admins).
pub const ADMIN_USERS: &str = "/api/v1/admin/users";
/// `PATCH`: change a user (admins).
pub const ADMIN_USER: &str = "/api/v1/admin/users/{id}";
/// `PUT`: set a user's password (admins).
pub const ADMIN_USER_PASSWORD: &str = "/api/v1/admin/users/{id}/password";
/// `GET`: the admin settings, readable by every signed-in user.
pub const SETTINGS: &str = "/api/v1/settings";
/// `PUT`: change the admin settings (admins).
pub const ADMIN_SETTINGS: &str = "/api/v1/admin/settings";

/// `POST`: create a draft package.
pub const PACKAGES: &str = "/api/v1/packages";
/// `GET ?page=&per_page=`: packages sent to me, newest first.
pub const PACKAGES_RECEIVED: &str = "/api/v1/packages/received";
/// `GET ?page=&per_page=`: packages I sent (drafts included), newest first.
pub const PACKAGES_SENT: &str = "/api/v1/packages/sent";
/// `GET`: one package; `DELETE`: delete it (sender or admin).
pub const PACKAGE: &str = "/api/v1/packages/{id}";

/// `POST`: a transfer spec to upload the draft's files (sender only).
pub const PACKAGE_UPLOAD_SPEC: &str = "/api/v1/packages/{id}/transfer_spec/upload";

/// `POST`: a transfer spec to download a sent package's files (recipients, sender, admins).
pub const PACKAGE_DOWNLOAD_SPEC: &str = "/api/v1/packages/{id}/transfer_spec/download";

/// `POST`: a short-lived link to one file of a sent package, for the browser's own downloads: the
/// gateway URL with a token for that one file and this user in its query (recipients, sender, admins).
pub const PACKAGE_FILE_LINK: &str = "/api/v1/packages/{id}/files/{file_id}/link";
/// `POST`: a short-lived link to a sent package's ZIP archive of all its files ("Download all"),
/// for the browser's own downloads: the gateway URL with a token for this user in its query.
pub const PACKAGE_ZIP_LINK: &str = "/api/v1/packages/{id}/zip/link";
/// `GET`: how much of one file the gateway has delivered to me (a recipient), whichever way.
pub const PACKAGE_FILE_DELIVERY: &str = "/api/v1/packages/{id}/files/{file_id}/delivery";

/// `GET ?page=&per_page=`: packages whose files remain on the transfer node, newest first (admins).
pub const ADMIN_PACKAGES: &str = "/api/v1/admin/packages";
/// `DELETE`: delete a package's files now; the package stays listed (admins).
pub const ADMIN_PACKAGE_FILES: &str = "/api/v1/admin/packages/{id}/files";

/// `GET`: emails not sent yet or given up on, with their last error (admins).
pub const ADMIN_MAIL: &str = "/api/v1/admin/mail";

/// The gateway's tus 1.0.0 creation endpoint (on the gateway listener).
pub const GATEWAY_TUS: &str = "/tus/";
/// One tus upload (on the gateway listener).
pub const GATEWAY_TUS_UPLOAD: &str = "/tus/{upload_id}";

/// `GET`/`HEAD` one file of a sent package (on the gateway listener), with the receive token.
pub const GATEWAY_FILE: &str = "/files/{file_id}";

/// `GET`/`HEAD` a sent package's files as one ZIP archive (on the gateway listener), with a receive
/// token covering all of them.
pub const GATEWAY_PACKAGE_ZIP: &str = "/packages/{package_id}/zip";

/// Machine-readable description of the gateway (on the gateway listener).
pub const GATEWAY_INFO: &str = "/info";

/// Header every state-changing API request from the web app carries (CSRF defence: a cross-site form
/// cannot set it). Its value is ignored. Requests authenticated with `Authorization: Bearer` need not.
pub const CSRF_HEADER: &str = "x-ferry-request";

/// Fills the `{id}` of a route pattern.
pub fn with_id(pattern: &str, id: i64) -> String {
    pattern.replace("{id}", &id.to_string())
}

/// Fills the `{id}` and `{file_id}` of a route pattern.
pub fn with_file(pattern: &str, id: i64, file_id: i64) -> String {
    with_id(pattern, id).replace("{file_id}", &file_id.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn with_id_fills_the_pattern() {
        assert_eq!(super::with_id(super::PACKAGE, 42), "/api/v1/packages/42");
        assert_eq!(
            super::with_file(super::PACKAGE_FILE_LINK, 4, 2),
            "/api/v1/packages/4/files/2/link"
        );
    }
}
