//! Sign-in throttling that slows an attacker without locking the owner out. The counters live in
//! the database (`login_throttle`), so every server instance shares them. Three counters:
//!
//! - per account *and* client address: after [`MAX_FAILURES_PER_ACCOUNT`] failures that address
//!   gets 429 for that account, so guessing from one place stops, but the owner signing in from
//!   anywhere else is not refused (a lock per account alone let anyone lock out anyone, the admin
//!   included);
//! - per client address (an IPv6 client by its /64): after [`MAX_FAILURES_PER_ADDRESS`] failures
//!   across all usernames, 429;
//! - per account, from everywhere: past [`MAX_FAILURES_PER_ACCOUNT`] failures each further attempt
//!   waits before its password is checked, twice as long after each failure up to [`MAX_DELAY`]
//!   ([`delay_for`]), which slows guessing spread over many addresses; the right password still
//!   gets in.
//!
//! An attempt is counted *before* the password is checked and forgiven when it succeeds: parallel
//! guesses each take a slot, so no burst of requests gets more than the limit of password checks.
//! Over a limit the answer is 429 without looking at the password, the same for every username.
//! `ferry admin unlock USER` clears an account's counters.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

use crate::{
    db::entities::login_throttle::{self, Column},
    error::AppError,
    services::AppState,
};

/// Failed sign-ins allowed per account from one address within one window; past it, from
/// everywhere, each attempt on the account is slowed.
pub const MAX_FAILURES_PER_ACCOUNT: i32 = 5;
/// The longest an attempt on a much-guessed account waits before its password is checked.
pub const MAX_DELAY: std::time::Duration = std::time::Duration::from_secs(8);
/// The wait after the first failure past the limit; it doubles with each further one.
const FIRST_DELAY: std::time::Duration = std::time::Duration::from_millis(250);
/// Failed sign-ins allowed per client address within one window; higher than per account because
/// several people may share an address (an office behind NAT).
pub const MAX_FAILURES_PER_ADDRESS: i32 = 20;
/// How long failures count. A window opens with the first failure and ends this much later.
pub const WINDOW: Duration = Duration::minutes(15);

/// The counter key of an account (usernames differing only in case share one).
pub fn account_key(username: &str) -> String {
    format!("account:{}", username.to_lowercase())
}

/// The counter key of a client address (an IPv6 address by its /64).
pub fn address_key(ip: IpAddr) -> String {
    format!("address:{}", crate::connections::client_key(ip))
}

/// The counter key of an account tried from an address (`None`: a client with no known address).
pub fn account_address_key(username: &str, address: Option<&str>) -> String {
    format!(
        "{}|{}",
        account_key(username),
        address.unwrap_or("address:unknown")
    )
}

/// How long an attempt waits when its account has `failures` counted (this attempt included)
/// from all addresses: nothing up to the limit, then [`FIRST_DELAY`] doubling up to [`MAX_DELAY`].
pub fn delay_for(failures: i32) -> std::time::Duration {
    let past = failures - MAX_FAILURES_PER_ACCOUNT;
    if past <= 0 {
        return std::time::Duration::ZERO;
    }
    let doublings = u32::try_from(past - 1).unwrap_or(u32::MAX).min(16);
    (FIRST_DELAY * 2u32.pow(doublings)).min(MAX_DELAY)
}

/// Forgets every failure counted against `username` (from any address): the account is no longer
/// refused or slowed anywhere. Answers how many counters were cleared.
pub async fn unlock(db: &impl ConnectionTrait, username: &str) -> Result<u64, DbErr> {
    let account = account_key(username);
    let cleared = login_throttle::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(Column::ScopeKey.eq(account.as_str()))
                .add(Column::ScopeKey.starts_with(format!("{account}|"))),
        )
        .exec(db)
        .await?;
    Ok(cleared.rows_affected)
}

/// Deletes counters whose window closed before `now`: they no longer throttle anyone (a new failure
/// would open a fresh window anyway), and without this the table grows with every address seen.
pub async fn purge_closed(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let purged = login_throttle::Entity::delete_many()
        .filter(Column::WindowStartedAt.lt(now - WINDOW))
        .exec(db)
        .await?;
    Ok(purged.rows_affected)
}

/// The address of the connected client, when the server was started with connect info (tests
/// driving the router directly may have none; then only the account is throttled). Behind a
/// reverse proxy listed in `trusted_proxies`, the client named by `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Through the extractor, so tests' `MockConnectInfo` is seen too.
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, state).await;
        Ok(Self(peer.ok().map(|ConnectInfo(addr)| {
            client_ip(
                addr.ip().to_canonical(),
                &parts.headers,
                &state.config.trusted_proxies,
            )
        })))
    }
}

/// The client's address: the peer itself, unless the peer is a trusted proxy; then, walking
/// `X-Forwarded-For` from the right (the hops the proxies added), the first address that is not a
/// trusted proxy. Anything left of it was written by the client and is not believed.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip.to_canonical();
        if !trusted.contains(&client) {
            break;
        }
    }
    client
}

/// A sign-in attempt that has been counted. Dropping it leaves it counted as a failure; call
/// [`Attempt::succeeded`] when the password was right.
#[must_use = "an attempt stays counted as a failure unless it is marked as succeeded"]
#[derive(Debug)]
pub struct Attempt {
    account: String,
    account_address: String,
    address: Option<String>,
}

impl Attempt {
    /// Counts an attempt for `username` from `address`, or refuses it with 429 and the seconds until
    /// the fullest window ends.
    pub async fn begin(
        db: &impl ConnectionTrait,
        username: &str,
        address: ClientAddress,
    ) -> Result<Self, AppError> {
        let address = address.0.map(address_key);
        let attempt = Self {
            account: account_key(username),
            account_address: account_address_key(username, address.as_deref()),
            address,
        };
        let now = Utc::now();
        let mut retry_after_secs = None;
        let refusing = std::iter::once((&attempt.account_address, MAX_FAILURES_PER_ACCOUNT)).chain(
            attempt
                .address
                .iter()
                .map(|key| (key, MAX_FAILURES_PER_ADDRESS)),
        );
        for (key, limit) in refusing {
            let counter = count(db, key, now).await?;
            if counter.failures > limit {
                let wait = seconds_until(counter.window_started_at + WINDOW, now);
                retry_after_secs = retry_after_secs.max(Some(wait));
            }
        }
        let everywhere = count(db, &attempt.account, now).await?;
        if let Some(retry_after_secs) = retry_after_secs {
            tracing::warn!(
                account = %attempt.account,
                client.address = attempt.address.as_deref().unwrap_or("unknown"),
                retry_after_secs,
                "sign-in refused: too many failures"
            );
            return Err(AppError::TooManyRequests { retry_after_secs });
        }
        let delay = delay_for(everywhere.failures);
        if !delay.is_zero() {
            tracing::info!(account = %attempt.account, failures = everywhere.failures, ?delay, "sign-in slowed: the account has many recent failures");
            tokio::time::sleep(delay).await;
        }
        Ok(attempt)
    }

    /// The password was right: the account's failures are forgotten and this attempt no longer
    /// counts against the address (earlier failures from it still do).
    pub async fn succeeded(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        use sea_orm::sea_query::ExprTrait as _;
        login_throttle::Entity::delete_many()
            .filter(Column::ScopeKey.is_in([self.account, self.account_address]))
            .exec(db)
            .await?;
        if let Some(address) = self.address {
            login_throttle::Entity::update_many()
                .col_expr(Column::Failures, Expr::col(Column::Failures).sub(1))
                .filter(Column::ScopeKey.eq(address))
                .filter(Column::Failures.gt(0))
                .exec(db)
                .await?;
        }
        Ok(())
    }
}

/// Counts one request of kind `scope` (such as `device`) from `address`, refusing it with 429 past
/// `limit` requests in one [`WINDOW`]. A client with no known address is not counted.
pub async fn count_request(
    db: &impl ConnectionTrait,
    scope: &str,
    address: ClientAddress,
    limit: i32,
) -> Result<(), AppError> {
    let Some(ip) = address.0 else {
        return Ok(());
    };
    count_keyed(db, &format!("{scope}|{}", address_key(ip)), limit).await
}

/// Counts one request under `key` (a scope and who asks), refusing it with 429 past `limit`
/// requests in one [`WINDOW`].
pub async fn count_keyed(db: &impl ConnectionTrait, key: &str, limit: i32) -> Result<(), AppError> {
    let now = Utc::now();
    let counter = count(db, key, now).await?;
    if counter.failures > limit {
        let retry_after_secs = seconds_until(counter.window_started_at + WINDOW, now);
        tracing::warn!(
            key,
            retry_after_secs,
            "request refused: too many in this window"
        );
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    Ok(())
}

/// Adds one to a scope's counter in a single UPSERT (safe under concurrent attempts, on any
/// number of instances), starting a new window when the old one has ended. Returns the counter.
async fn count(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> Result<login_throttle::Model, DbErr> {
    use sea_orm::sea_query::ExprTrait as _;
    let column = |c: Column| Expr::col((login_throttle::Entity, c));
    let window_ended = || column(Column::WindowStartedAt).lte(now - WINDOW);
    let first = login_throttle::ActiveModel {
        scope_key: Set(key.to_owned()),
        failures: Set(1),
        window_started_at: Set(now),
    };
    let on_conflict = OnConflict::column(Column::ScopeKey)
        .value(
            Column::Failures,
            Expr::case(window_ended(), 1).finally(column(Column::Failures).add(1)),
        )
        .value(
            Column::WindowStartedAt,
            Expr::case(window_ended(), now).finally(column(Column::WindowStartedAt)),
        )
        .to_owned();
    login_throttle::Entity::insert(first)
        .on_conflict(on_conflict)
        .exec_with_returning(db)
        .await
}

/// Whole seconds from `now` until `until`, rounded up, at least one.
fn seconds_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    let millis = (until - now).num_milliseconds();
    u64::try_from(millis).map_or(1, |ms| ms.div_ceil(1000).max(1))
}

#[cfg(test)]
mod client_ip_tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn forwarded(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let proxy = ip("10.0.0.2");
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(
            client_ip(proxy, &headers, &[]),
            proxy,
            "no trusted proxies: the peer"
        );
        assert_eq!(client_ip(proxy, &headers, &[proxy]), ip("203.0.113.7"));
        let stranger = ip("198.51.100.1");
        assert_eq!(
            client_ip(stranger, &headers, &[proxy]),
            stranger,
            "a forged header"
        );
    }

    #[test]
    fn walks_from_the_right_past_trusted_hops_only() {
        let (edge, inner) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let headers = forwarded(&["1.1.1.1, 203.0.113.7", "10.0.0.1"]);
        assert_eq!(
            client_ip(inner, &headers, &[edge, inner]),
            ip("203.0.113.7")
        );
        let garbage = forwarded(&["203.0.113.7, not-an-ip"]);
        assert_eq!(client_ip(inner, &garbage, &[inner]), inner);
        assert_eq!(client_ip(inner, &HeaderMap::new(), &[inner]), inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_the_case_of_usernames_and_the_ipv4_mapping() {
        assert_eq!(account_key("Alice"), "account:alice");
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("an address");
        assert_eq!(address_key(mapped), "address:192.0.2.7");
        let v6: IpAddr = "2001:db8:7:8:1:2:3:4".parse().expect("an address");
        assert_eq!(address_key(v6), "address:2001:db8:7:8::");
        assert_eq!(
            account_address_key("Alice", Some("address:192.0.2.7")),
            "account:alice|address:192.0.2.7"
        );
        assert_eq!(
            account_address_key("alice", None),
            "account:alice|address:unknown"
        );
    }

    #[test]
    fn attempts_past_the_limit_wait_twice_as_long_each_time_up_to_the_cap() {
        use std::time::Duration as Wait;
        assert_eq!(delay_for(1), Wait::ZERO);
        assert_eq!(delay_for(MAX_FAILURES_PER_ACCOUNT), Wait::ZERO);
        assert_eq!(
            delay_for(MAX_FAILURES_PER_ACCOUNT + 1),
            Wait::from_millis(250)
        );
        assert_eq!(
            delay_for(MAX_FAILURES_PER_ACCOUNT + 2),
            Wait::from_millis(500)
        );
        assert_eq!(delay_for(MAX_FAILURES_PER_ACCOUNT + 4), Wait::from_secs(2));
        assert_eq!(delay_for(MAX_FAILURES_PER_ACCOUNT + 10), MAX_DELAY);
        assert_eq!(delay_for(i32::MAX), MAX_DELAY);
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        let now = Utc::now();
        assert_eq!(seconds_until(now + Duration::milliseconds(1500), now), 2);
        assert_eq!(seconds_until(now, now), 1);
        assert_eq!(seconds_until(now - Duration::seconds(5), now), 1);
        assert_eq!(seconds_until(now + WINDOW, now), 900);
    }
}
