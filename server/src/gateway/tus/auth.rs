//! The transfer token, as an extractor: `Authorization: Bearer <token>` on every tus request,
//! verified (signature, algorithm, expiry), required to be for sending, and still live (its user
//! enabled, the session or API token that asked for it not ended: [`crate::transfer::live`]).
//! Nothing else the client says about who it is counts.

use app::types::TransferDirection;
use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};

use super::error::TusError;
use crate::{state::AppState, transfer::token::TransferClaims};

/// The verified claims of a send token.
#[derive(Debug, Clone)]
pub struct SendToken(pub TransferClaims);

impl FromRequestParts<AppState> for SendToken {
    type Rejection = TusError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(TusError::Unauthorized(
            "Send the transfer spec's token as Authorization: Bearer <token>.",
        ))?;
        let claims = state.transfer_keys.verify(token).map_err(|error| {
            tracing::debug!(target: crate::gateway::LOG_TARGET, %error, "transfer token refused");
            TusError::Unauthorized(
                "The transfer token is invalid or expired: ask for a new transfer spec.",
            )
        })?;
        if claims.dir != TransferDirection::Send {
            return Err(crate::services::uploads::UploadError::Forbidden(
                "This transfer token is for downloading, not uploading.".into(),
            )
            .into());
        }
        let live = crate::transfer::live::is_live(&state.db, &claims)
            .await
            .map_err(crate::services::uploads::UploadError::from)?;
        if !live {
            return Err(TusError::Unauthorized(crate::transfer::live::REVOKED));
        }
        crate::http::trace::record_user(claims.uid);
        Ok(Self(claims))
    }
}

/// The token of an `Authorization: Bearer <token>` header (the gateway's downloads use it too).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
}
