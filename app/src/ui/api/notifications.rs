//! My notifications (the bell and its page), and the mail outbox for admins.

use super::ApiError;
use super::packages::page_query;
use super::transport::{get, post_ignoring_answer};
use crate::paths::{self, with_id};
use crate::types::{NotificationPage, OutboxReport, PageQuery, UnreadCount};

/// `GET /api/v1/me/notifications/unread`: what the bell shows.
pub async fn unread_notifications() -> Result<u64, ApiError> {
    get::<UnreadCount>(paths::ME_NOTIFICATIONS_UNREAD, &[])
        .await
        .map(|count| count.unread)
}

/// `GET /api/v1/me/notifications`: newest first.
pub async fn list_notifications(query: PageQuery) -> Result<NotificationPage, ApiError> {
    get(paths::ME_NOTIFICATIONS, &page_query(query)).await
}

/// `POST /api/v1/me/notifications/{id}/read`.
pub async fn mark_notification_read(id: i64) -> Result<(), ApiError> {
    post_ignoring_answer(&with_id(paths::ME_NOTIFICATION_READ, id)).await
}

/// `POST /api/v1/me/notifications/read_all`.
pub async fn mark_all_notifications_read() -> Result<(), ApiError> {
    post_ignoring_answer(paths::ME_NOTIFICATIONS_READ_ALL).await
}

/// `GET /api/v1/admin/mail`: undelivered notification emails.
pub async fn undelivered_mail() -> Result<OutboxReport, ApiError> {
    get(paths::ADMIN_MAIL, &[]).await
}
