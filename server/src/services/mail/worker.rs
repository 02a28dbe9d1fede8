//! The mail sender: claims due outbox rows, sends them over SMTP, records the outcome.
//!
//! Safe in several instances at once: a row is taken by a conditional update that sets a lease
//! (`claimed_until`) and a random `claim_token` only if no live lease holds it, and only the
//! instance whose update changed the row sends it; marking it sent or failed is conditional on the
//! same token. A failed send is tried again after an exponential backoff (30 s, 1 min, 2 min… up to
//! 6 h), with the error kept for admins; after [`mail_outbox::MAX_ATTEMPTS`] the row is `failed`.
//! A crash between sending and marking makes the row due again when its lease ends (at least once).

use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
    transport::smtp::authentication::Credentials,
};
use rand::Rng;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use tokio::sync::watch;

use crate::{
    config::{MailConfig, SmtpTls},
    db::entities::mail_outbox,
    services::AppState,
};

/// How often the worker looks for due mail.
pub const TICK: Duration = Duration::from_secs(10);
/// How long a claim holds a row: longer than one SMTP send can take.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// Rows claimed per pass.
const BATCH: u64 = 20;
/// SMTP connection and command timeout.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// The first retry delay; each further failure doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: chrono::Duration = chrono::Duration::seconds(30);
const MAX_BACKOFF: chrono::Duration = chrono::Duration::hours(6);
/// Longest error text kept.
const MAX_ERROR_CHARS: usize = 500;

/// An SMTP connection setup and the sender address.
#[derive(Clone)]
pub struct MailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl MailSender {
    /// The transport for `config` (no connection is made yet).
    pub fn new(config: &MailConfig) -> anyhow::Result<Self> {
        let builder = match config.tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            }
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &config.credentials {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from: config.from.clone(),
        })
    }

    async fn send(&self, row: &mail_outbox::Model) -> Result<(), SendError> {
        let to = Mailbox::new(
            Some(row.to_name.clone()).filter(|n| !n.is_empty()),
            row.to_address
                .parse()
                .map_err(|e| SendError::Permanent(format!("bad recipient address: {e}")))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                row.text_body.clone(),
                row.html_body.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| SendError::Retry(e.to_string()))?;
        Ok(())
    }
}

enum SendError {
    /// Worth trying again (the server is down, refused for now…).
    Retry(String),
    /// Will never work (a malformed address).
    Permanent(String),
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: u64,
    pub retrying: u64,
    pub failed: u64,
}

/// Sends every mail due at `now` that this worker can claim.
#[tracing::instrument(skip_all)]
pub async fn deliver_due(
    db: &impl ConnectionTrait,
    sender: &MailSender,
    now: DateTime<Utc>,
) -> Result<Pass, DbErr> {
    let mut pass = Pass::default();
    loop {
        let due: Vec<i64> = mail_outbox::Entity::find()
            .select_only()
            .column(mail_outbox::Column::Id)
            .filter(mail_outbox::Column::State.eq(mail_outbox::State::Pending))
            .filter(mail_outbox::Column::NextAttemptAt.lte(now))
            .filter(unclaimed(now))
            .order_by_asc(mail_outbox::Column::NextAttemptAt)
            .order_by_asc(mail_outbox::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        if due.is_empty() {
            return Ok(pass);
        }
        let mut claimed_any = false;
        for id in due {
            let Some((row, token)) = claim(db, id, now).await? else {
                continue; // another worker took it
            };
            claimed_any = true;
            match sender.send(&row).await {
                Ok(()) => {
                    finish_sent(db, &row, &token).await?;
                    pass.sent += 1;
                }
                Err(SendError::Retry(error)) => {
                    if finish_failed(db, &row, &token, &error, now, false).await? {
                        pass.failed += 1;
                    } else {
                        pass.retrying += 1;
                    }
                }
                Err(SendError::Permanent(error)) => {
                    finish_failed(db, &row, &token, &error, now, true).await?;
                    pass.failed += 1;
                }
            }
        }
        if !claimed_any {
            return Ok(pass);
        }
    }
}

/// No live lease holds the row.
fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(mail_outbox::Column::ClaimedUntil.is_null())
        .add(mail_outbox::Column::ClaimedUntil.lt(now))
}

/// Takes row `id` for this worker with a lease, if it is still due and unclaimed.
async fn claim(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<(mail_outbox::Model, String)>, DbErr> {
    let token = hex::encode(rand::rng().random::<[u8; 16]>());
    let claimed = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(now + LEASE))
        .col_expr(mail_outbox::Column::ClaimToken, Expr::value(token.clone()))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::State.eq(mail_outbox::State::Pending))
        .filter(unclaimed(now))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let row = mail_outbox::Entity::find_by_id(id).one(db).await?;
    Ok(row.map(|row| (row, token)))
}

async fn finish_sent(
    db: &impl ConnectionTrait,
    row: &mail_outbox::Model,
    token: &str,
) -> Result<(), DbErr> {
    mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::State,
            Expr::value(mail_outbox::State::Sent),
        )
        .col_expr(mail_outbox::Column::SentAt, Expr::value(Utc::now()))
        .col_expr(mail_outbox::Column::Attempts, Expr::value(row.attempts + 1))
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            mail_outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(mail_outbox::Column::Id.eq(row.id))
        .filter(mail_outbox::Column::ClaimToken.eq(token))
        .exec(db)
        .await?;
    tracing::info!(mail.id = row.id, "notification email sent");
    Ok(())
}

/// Records a failed attempt; returns whether the row is now given up on (`failed`).
async fn finish_failed(
    db: &impl ConnectionTrait,
    row: &mail_outbox::Model,
    token: &str,
    error: &str,
    now: DateTime<Utc>,
    permanent: bool,
) -> Result<bool, DbErr> {
    let attempts = row.attempts + 1;
    let give_up = permanent || attempts >= mail_outbox::MAX_ATTEMPTS;
    let state = if give_up {
        mail_outbox::State::Failed
    } else {
        mail_outbox::State::Pending
    };
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::State, Expr::value(state))
        .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(now + backoff(attempts)),
        )
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(error.clone()))
        .filter(mail_outbox::Column::Id.eq(row.id))
        .filter(mail_outbox::Column::ClaimToken.eq(token))
        .exec(db)
        .await?;
    tracing::warn!(mail.id = row.id, attempts, give_up, %error, "could not send a notification email");
    Ok(give_up)
}

/// The wait after the `attempts`-th failure: 30 s doubled per further failure, at most 6 h.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let delay = FIRST_BACKOFF * 2_i32.pow(doublings);
    delay.min(MAX_BACKOFF)
}

/// Sends due mail every [`TICK`] until `stop` turns `true`; does nothing when email is off.
pub async fn run_periodically(state: AppState, mut stop: watch::Receiver<bool>) {
    let Some(config) = state.config.mail.as_ref() else {
        return;
    };
    let sender = match MailSender::new(config) {
        Ok(sender) => sender,
        Err(error) => {
            tracing::error!(%error, "email is off: cannot set up the SMTP transport");
            return;
        }
    };
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        if let Err(error) = deliver_due(&state.db, &sender, Utc::now()).await {
            tracing::error!(%error, "sending notification emails failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(60));
        assert_eq!(backoff(4), chrono::Duration::seconds(240));
        assert_eq!(backoff(30), chrono::Duration::hours(6));
    }
}
