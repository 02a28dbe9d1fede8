//! A user's own preferences, and the admin setting that decides whether users may change them.

use app::types::{Preferences, PreferencesUpdate, Role};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    db::entities::users::{self, Column},
    error::ApiError,
    services,
};

/// A user's preferences, and whether they may change them (admins always may).
pub async fn read(db: &DatabaseConnection, user: &users::Model) -> Result<Preferences, ApiError> {
    let settings = services::settings::load(db).await?;
    Ok(Preferences {
        desktop_client_disabled: user.desktop_client_disabled,
        may_change_desktop_client: settings.users_may_change_desktop_client
            || user.role() == Role::Admin,
    })
}

/// A user changes their preferences, unless an admin setting reserves them to admins.
pub async fn update(
    db: &DatabaseConnection,
    user: &users::Model,
    change: PreferencesUpdate,
) -> Result<Preferences, ApiError> {
    let current = read(db, user).await?;
    if !current.may_change_desktop_client {
        return Err(ApiError::Forbidden(
            "Your administrator manages this preference.".into(),
        ));
    }
    users::Entity::update_many()
        .col_expr(
            Column::DesktopClientDisabled,
            Expr::value(change.desktop_client_disabled),
        )
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(Preferences {
        desktop_client_disabled: change.desktop_client_disabled,
        ..current
    })
}
