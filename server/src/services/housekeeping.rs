//! The housekeeping task: one background loop per process that applies expiration policies every
//! [`TICK`] and, every [`RECLAIM_EVERY`] ticks (the first one at start-up), finishes completions a
//! crash or a failure cut short, removes the bytes of finished uploads, reclaims abandoned uploads
//! and forgets closed sign-in throttle windows, upload leases left by crashed instances and
//! expired device sign-in codes. Every job is idempotent and safe to run in several instances at
//! once.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::{services, services::AppState};

/// How often expiration policies are applied.
pub const TICK: Duration = Duration::from_secs(60);
/// Upload reclaiming runs on every this many ticks (every 5 minutes).
pub const RECLAIM_EVERY: u64 = 5;

/// Runs the housekeeping jobs until `stop` turns `true` (or its sender goes away). The first tick
/// runs at once.
pub async fn run_periodically(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick: u64 = 0;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        if let Err(error) = services::expiration::apply(&state, Utc::now()).await {
            tracing::error!(%error, "applying expiration policies failed");
        }
        if tick.is_multiple_of(RECLAIM_EVERY) {
            if let Err(error) = services::uploads::recover_completions(&state).await {
                tracing::error!(%error, "finishing interrupted completions failed");
            }
            if let Err(error) = services::uploads::remove_finished_uploads(&state, None).await {
                tracing::error!(%error, "removing finished uploads' bytes failed");
            }
            if let Err(error) = services::uploads::reclaim_expired(&state, Utc::now()).await {
                tracing::error!(%error, "reclaiming expired uploads failed");
            }
            if let Err(error) = crate::auth::throttle::purge_closed(&state.db, Utc::now()).await {
                tracing::error!(%error, "purging closed sign-in throttle windows failed");
            }
            if let Err(error) = services::uploads::purge_expired_leases(&state.db, Utc::now()).await
            {
                tracing::error!(%error, "purging expired upload leases failed");
            }
            if let Err(error) = services::devices::purge_expired(&state.db, Utc::now()).await {
                tracing::error!(%error, "purging expired device authorizations failed");
            }
        }
        tick = tick.wrapping_add(1);
    }
}
