//! Whether a transfer token may still be used, checked by the gateway on every request: a token is
//! signed for two hours, but its user may be disabled, sign out, change their password or revoke
//! the API token it was asked for with in the meantime, and then it must stop working at once.
//! Two indexed look-ups: the user, and the credential named in the token ([`Issuer`]). A transfer
//! already under way checks again at most every [`RECHECK`] as its bytes move and breaks off when the token stops working
//! ([`until_revoked`]), so disabling a user or revoking a token also ends their running transfers.

use std::{
    io,
    time::{Duration, Instant},
};

use futures_util::{StreamExt, stream};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait};

use super::token::{Issuer, TransferClaims};
use crate::{
    auth::{session, token},
    db::entities::users,
    storage::ByteStream,
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

/// How often a running transfer checks that its token still works.
pub const RECHECK: Duration = Duration::from_secs(2);

/// `bytes`, checking before passing on a piece that `claims` still work when the last check is
/// [`RECHECK`] old; once they do not, an error of kind [`io::ErrorKind::PermissionDenied`] (a
/// download's response breaks off, never looking complete; an upload's chunk ends as [`REVOKED`]).
/// A failed check is logged and ends nothing: a database hiccup must not cut a transfer.
pub fn until_revoked(
    bytes: ByteStream,
    db: DatabaseConnection,
    claims: TransferClaims,
) -> ByteStream {
    let checks = Checks {
        db,
        claims,
        last: Instant::now(),
    };
    until(bytes, checks)
}

/// Answers whether a transfer may go on; asked before each piece.
trait Check: Send + 'static {
    fn live(&mut self) -> impl Future<Output = bool> + Send;
}

struct Checks {
    db: DatabaseConnection,
    claims: TransferClaims,
    last: Instant,
}

impl Check for Checks {
    async fn live(&mut self) -> bool {
        if self.last.elapsed() < RECHECK {
            return true;
        }
        self.last = Instant::now();
        match is_live(&self.db, &self.claims).await {
            Ok(live) => live,
            Err(error) => {
                tracing::warn!(%error, "could not check that a running transfer's token still works");
                true
            }
        }
    }
}

fn until(bytes: ByteStream, check: impl Check) -> ByteStream {
    Box::pin(stream::unfold(
        (bytes, check, false),
        |(mut bytes, mut check, ended)| async move {
            if ended {
                return None;
            }
            let item = bytes.next().await?;
            if item.is_ok() && !check.live().await {
                let error = io::Error::new(io::ErrorKind::PermissionDenied, REVOKED);
                return Some((Err(error), (bytes, check, true)));
            }
            Some((item, (bytes, check, false)))
        },
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };

    use bytes::Bytes;

    use super::*;

    struct Switch(Arc<AtomicBool>);

    impl Check for Switch {
        async fn live(&mut self) -> bool {
            self.0.load(Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn a_revoked_transfer_breaks_off_with_permission_denied() {
        let endless: ByteStream = Box::pin(stream::repeat_with(|| Ok(Bytes::from_static(b"x"))));
        let live = Arc::new(AtomicBool::new(true));
        let mut bytes = until(endless, Switch(live.clone()));
        for _ in 0..3 {
            assert!(bytes.next().await.is_some_and(|item| item.is_ok()));
        }
        live.store(false, Ordering::SeqCst);
        let error = match bytes.next().await {
            Some(Err(error)) => error,
            other => panic!("the next piece must be refused, got {other:?}"),
        };
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
        assert!(bytes.next().await.is_none(), "nothing after the error");
    }

    #[tokio::test]
    async fn a_working_transfer_passes_every_byte() {
        let three: ByteStream = Box::pin(stream::iter(
            [b"a", b"b", b"c"].map(|b| Ok(Bytes::from_static(b))),
        ));
        let all: Vec<_> = until(three, Switch(Arc::new(AtomicBool::new(true))))
            .map(|item| item.map_or(0, |b| b.len()))
            .collect()
            .await;
        assert_eq!(all, vec![1, 1, 1]);
    }
}
