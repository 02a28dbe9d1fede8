//! The node token: every request to the node API carries `Authorization: Bearer <node token>`,
//! compared in constant time. Anything else is refused with 401 before a handler runs, so a
//! request without the token changes nothing.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::Response,
};
use subtle::ConstantTimeEq;

use super::error::NodeError;
use crate::config::Secret;

/// The token requests must carry.
#[derive(Clone)]
pub struct NodeToken(Arc<Secret>);

impl NodeToken {
    pub fn new(secret: Secret) -> Self {
        Self(Arc::new(secret))
    }

    /// Whether an `Authorization` header value carries this token.
    fn admits(&self, authorization: &[u8]) -> bool {
        let Some(scheme) = authorization.get(..7) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case(b"bearer ") {
            return false;
        }
        let presented = &authorization[7..];
        presented.ct_eq(self.0.expose().as_bytes()).into()
    }
}

/// Middleware: passes only requests that carry the node token.
pub async fn require_token(
    State(token): State<NodeToken>,
    request: Request,
    next: Next,
) -> Result<Response, NodeError> {
    let admitted = request
        .headers()
        .get(header::AUTHORIZATION)
        .is_some_and(|value| token.admits(value.as_bytes()));
    if !admitted {
        tracing::warn!(
            method = %request.method(),
            "refused a node request without a valid node token"
        );
        return Err(NodeError::Unauthorized);
    }
    Ok(next.run(request).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let token = NodeToken::new(Secret::new("t".repeat(32)));
        let right = format!("Bearer {}", "t".repeat(32));
        assert!(token.admits(right.as_bytes()));
        assert!(token.admits(format!("bearer {}", "t".repeat(32)).as_bytes()));
        for wrong in [
            String::new(),
            "Bearer".into(),
            "Bearer ".into(),
            format!("Bearer {}", "t".repeat(31)),
            format!("Bearer {}x", "t".repeat(32)),
            format!("Basic {}", "t".repeat(32)),
            format!("Bearer  {}", "t".repeat(32)),
        ] {
            assert!(!token.admits(wrong.as_bytes()), "{wrong:?}");
        }
    }
}
