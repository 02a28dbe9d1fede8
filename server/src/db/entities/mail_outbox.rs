//! One email waiting to go out, or gone: rendered when its event was recorded (in the same
//! transaction), then claimed, sent and marked by the mail worker (`services::mail::worker`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub notification_id: Option<i64>,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub state: State,
    pub attempts: i32,
    /// Not tried again before this.
    pub next_attempt_at: ChronoDateTimeUtc,
    /// A worker's lease: while in the future, no other worker takes the row.
    pub claimed_until: Option<ChronoDateTimeUtc>,
    pub claim_token: Option<String>,
    pub last_error: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub sent_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum State {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Gave up after [`MAX_ATTEMPTS`].
    #[sea_orm(string_value = "failed")]
    Failed,
}
/// Attempts before a message is marked failed (about a day and a half of backoff in all).
pub const MAX_ATTEMPTS: i32 = 12;
