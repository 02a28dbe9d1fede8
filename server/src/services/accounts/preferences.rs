//! A user's own preferences, and the admin setting that decides whether users may change the
//! desktop-client one. The email preferences are always the user's own.

use app::types::{Preferences, PreferencesUpdate};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    db::entities::users::{self, Column},
    error::AppError,
    services,
};

/// A user's preferences, and whether they may change them (admins always may). `mail_enabled`:
/// whether this server sends email at all.
pub async fn read(
    db: &DatabaseConnection,
    user: &users::Model,
    mail_enabled: bool,
) -> Result<Preferences, AppError> {
    let settings = services::settings::load(db).await?;
    Ok(Preferences {
        desktop_client_disabled: user.desktop_client_disabled,
        may_change_desktop_client: settings.users_may_change_desktop_client || user.is_admin(),
        email_on_receive: user.email_on_receive,
        email_on_download: user.email_on_download,
        email_available: mail_enabled && user.email.as_deref().is_some_and(|e| !e.is_empty()),
    })
}

/// A user changes the preferences present in `change`. Changing "Disable desktop client" is refused when an admin
/// setting reserves it to admins (sending the current value is fine).
pub async fn update(
    db: &DatabaseConnection,
    user: &users::Model,
    change: PreferencesUpdate,
    mail_enabled: bool,
) -> Result<Preferences, AppError> {
    let current = read(db, user, mail_enabled).await?;
    let desktop_client_disabled = change
        .desktop_client_disabled
        .unwrap_or(current.desktop_client_disabled);
    if !current.may_change_desktop_client
        && desktop_client_disabled != current.desktop_client_disabled
    {
        return Err(AppError::Forbidden(
            "Your administrator manages this preference.".into(),
        ));
    }
    let email_on_receive = change.email_on_receive.unwrap_or(current.email_on_receive);
    let email_on_download = change
        .email_on_download
        .unwrap_or(current.email_on_download);
    users::Entity::update_many()
        .col_expr(
            Column::DesktopClientDisabled,
            Expr::value(desktop_client_disabled),
        )
        .col_expr(Column::EmailOnReceive, Expr::value(email_on_receive))
        .col_expr(Column::EmailOnDownload, Expr::value(email_on_download))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(Preferences {
        desktop_client_disabled,
        email_on_receive,
        email_on_download,
        ..current
    })
}
