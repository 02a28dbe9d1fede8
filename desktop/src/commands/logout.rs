//! `logout`: revokes the token on the server (by the id saved at login, else by its unique
//! prefix among the user's tokens), then forgets the saved sign-in.

use anyhow::bail;
use app::paths;
use serde_json::json;

use crate::cli::GlobalArgs;
use crate::commands::session;
use crate::credentials;
use crate::failure::AuthExpired;

pub async fn run(global: &GlobalArgs) -> anyhow::Result<()> {
    let session = session(global)?;
    let api = &session.api;
    let revoked = match revoke(api).await {
        Ok(()) => true,
        // Revoked or expired already: nothing left to revoke.
        Err(error) if error.is::<AuthExpired>() => false,
        Err(error) => return Err(error),
    };
    let saved = credentials::load()?;
    let forgot = match saved {
        Some(saved) if saved.token == api.sign_in.token => credentials::forget()?,
        _ => false,
    };
    let server = api.server();
    if global.json {
        session
            .reporter
            .event(json!({"event": "result", "ok": true, "server": server, "revoked": revoked, "forgotten": forgot}));
    } else {
        match revoked {
            true => eprintln!("Signed out of {server}: the token is revoked."),
            false => eprintln!("Signed out of {server} (the token was no longer valid)."),
        }
    }
    Ok(())
}

async fn revoke(api: &crate::api::Api) -> anyhow::Result<()> {
    let tokens = api.tokens().await?;
    let id = match api.sign_in.token_id {
        Some(id) => id,
        None => {
            let matching: Vec<_> = tokens
                .iter()
                .filter(|t| api.sign_in.token.starts_with(&t.prefix))
                .collect();
            match matching.as_slice() {
                [one] => crate::ids::token(one.id),
                [] => bail!("this token is not among your API tokens"),
                _ => bail!(
                    "several of your API tokens start like this one: revoke it in Preferences → \
                     API tokens"
                ),
            }
        }
    };
    api.delete(&paths::with_id(paths::ME_TOKEN, id)).await
}
