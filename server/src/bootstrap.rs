//! First start: make sure an admin account exists, so someone can sign in.

use chrono::Utc;
use rand::{Rng, distr::Alphanumeric};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use crate::{
    auth::password,
    config::{Config, Secret},
    db::entities::users,
};

/// What start-up found or did about the admin account.
#[derive(Debug)]
pub enum AdminAccount {
    /// An admin already exists; nothing was changed.
    Existing,
    /// This start created the admin. `generated_password` is set when Ferry chose it, and must be
    /// shown to the operator exactly once.
    Created {
        username: String,
        generated_password: Option<Secret>,
    },
}

/// A random password of 20 letters and digits.
pub fn generate_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// Creates the first admin account unless an admin exists.
pub async fn ensure_admin(
    db: &DatabaseConnection,
    config: &Config,
) -> anyhow::Result<AdminAccount> {
    let admins = users::Entity::find()
        .filter(users::Column::Role.eq(users::Role::Admin))
        .count(db)
        .await?;
    if admins > 0 {
        return Ok(AdminAccount::Existing);
    }
    let taken = users::Entity::find()
        .filter(users::Column::Username.eq(config.admin_username.as_str()))
        .count(db)
        .await?;
    if taken > 0 {
        anyhow::bail!(
            "invalid setting admin_username (env FERRY_ADMIN_USERNAME): there is no admin, and the \
             user {:?} exists but is not one; choose another name for the first admin",
            config.admin_username
        );
    }
    let (password, generated) = match &config.admin_password {
        Some(given) => (given.expose().to_owned(), None),
        None => {
            let chosen = generate_password();
            (chosen.clone(), Some(Secret::new(chosen)))
        }
    };
    let now = Utc::now();
    users::ActiveModel {
        username: Set(config.admin_username.clone()),
        display_name: Set("Administrator".into()),
        email: Set(None),
        role: Set(users::Role::Admin),
        password_hash: Set(password::hash(password).await?),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(username = %config.admin_username, "created the first admin account");
    Ok(AdminAccount::Created {
        username: config.admin_username.clone(),
        generated_password: generated,
    })
}
