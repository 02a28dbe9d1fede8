//! Email notifications. A message is rendered and written to the outbox (`mail_outbox`) in the
//! transaction of the event that caused it ([`outbox::enqueue`]); the [`worker`] claims due rows with
//! a lease, sends them over SMTP and records the outcome, retrying with exponential backoff. A mail
//! server that is down therefore delays mail and loses none, and never holds up the event itself.

pub mod outbox;
pub mod render;
pub mod worker;
