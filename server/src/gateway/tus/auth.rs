//! The transfer token, as an extractor: `Authorization: Bearer <token>` on every tus request,
//! verified (signature, algorithm, expiry), required to be for sending, and still live (its user
//! enabled, the session or API token that asked for it not ended: [`crate::transfer::live`]).
//! Nothing else the client says about who it is counts.

use crate::error::AppError;
use app::types::TransferDirection;
use axum::{extract::FromRequestParts, http::request::Parts};

use crate::{services::AppState, transfer::token::TransferClaims};

/// The verified claims of a send token.
#[derive(Debug, Clone)]
pub struct SendToken(pub TransferClaims);

impl FromRequestParts<AppState> for SendToken {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = crate::auth::token::bearer(&parts.headers).ok_or(AppError::MissingToken(
            "Send the transfer spec's token as Authorization: Bearer <token>.",
        ))?;
        let claims = state.transfer_keys.verify(token).map_err(|error| {
            tracing::debug!(target: crate::gateway::LOG_TARGET, %error, "transfer token refused");
            AppError::MissingToken(
                "The transfer token is invalid or expired: ask for a new transfer spec.",
            )
        })?;
        if claims.dir != TransferDirection::Send {
            return Err(AppError::Forbidden(
                "This transfer token is for downloading, not uploading.".into(),
            ));
        }
        let live = crate::transfer::live::is_live(&state.db, &claims).await?;
        if !live {
            return Err(AppError::MissingToken(crate::transfer::live::REVOKED));
        }
        crate::telemetry::http::record_user(claims.uid);
        crate::telemetry::http::record_package(claims.pkg);
        Ok(Self(claims))
    }
}
