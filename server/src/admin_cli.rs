//! `ferry admin`: what an operator does from the server's shell when nobody can sign in to the web
//! app to do it: unlock an account that sign-in throttling refuses, or reset a password (the first
//! admin's included). Both act on the database `ferry serve` is configured with.

use std::io::BufRead;

use anyhow::{Context, bail};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::throttle,
    bootstrap,
    cli::{AdminArgs, AdminTask},
    config::Config,
    db::{self, entities::users},
    services::accounts,
};

/// Runs `args.task` and answers what to print.
pub async fn run(args: &AdminArgs) -> anyhow::Result<String> {
    let config = Config::load(&args.settings).map_err(|error| anyhow::anyhow!("{error}"))?;
    let db = db::connect_and_migrate(&config.database_url).await?;
    match &args.task {
        AdminTask::Unlock { username } => {
            let user = find(&db, username).await?;
            let cleared = throttle::unlock(&db, &user.username).await?;
            tracing::info!(
                user.id = user.id,
                cleared,
                "account unlocked by the operator"
            );
            Ok(format!(
                "Unlocked {}: {cleared} failed-sign-in counter(s) cleared.",
                user.username
            ))
        }
        AdminTask::ResetPassword {
            username,
            password_stdin,
        } => {
            let user = find(&db, username).await?;
            let (password, generated) = if *password_stdin {
                (read_password()?, false)
            } else {
                (bootstrap::generate_password(), true)
            };
            accounts::reset_password(&db, user.id, password.clone())
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            throttle::unlock(&db, &user.username).await?;
            tracing::info!(user.id = user.id, "password reset by the operator");
            let mut answer = format!(
                "Reset the password of {}; their sessions and API tokens were ended and the account unlocked.",
                user.username
            );
            if generated {
                answer.push_str(&format!(
                    "\n  New password: {password}\n  (shown only this once)"
                ));
            }
            Ok(answer)
        }
    }
}

async fn find(db: &DatabaseConnection, username: &str) -> anyhow::Result<users::Model> {
    users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .one(db)
        .await?
        .with_context(|| format!("there is no user {username:?}"))
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the new password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("standard input held no password");
    }
    Ok(password)
}
