//! Whether a transfer token may still be used, checked by the gateway on every request: a token is
//! signed for two hours, but its user may be disabled, sign out, change their password or revoke
//! the API token it was asked for with in the meantime, and then it must stop working at once.
//! Two indexed look-ups: the user, and the credential named in the token ([`Issuer`]).

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use super::token::{Issuer, TransferClaims};
use crate::{
    auth::{session, token},
    db::entities::users,
};

/// Why a verified transfer token no longer works, for the client (all are 401).
pub const REVOKED: &str = "This transfer token no longer works: its user signed out, changed their \
                           password, revoked the API token or was disabled. Ask for a new transfer \
                           spec.";

/// Whether `claims`' user is enabled and the credential that asked for the token still works.
pub async fn is_live(db: &impl ConnectionTrait, claims: &TransferClaims) -> Result<bool, DbErr> {
    let Some(issuer) = &claims.by else {
        return Ok(false);
    };
    let enabled = users::Entity::find_by_id(claims.uid)
        .one(db)
        .await?
        .is_some_and(|user| !user.disabled);
    if !enabled {
        return Ok(false);
    }
    match issuer {
        Issuer::Session(fingerprint) => session::is_live_for(db, claims.uid, fingerprint).await,
        Issuer::ApiToken(id) => token::is_live(db, claims.uid, *id).await,
    }
}
