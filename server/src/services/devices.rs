//! Device sign-in (`ferry-desktop login`), the flow of RFC 8628 carried in the API's own JSON
//! shapes (see [`app::types::DeviceAuthorization`]).
//!
//! A device asks for a code pair ([`start`], throttled per client address): a secret device code
//! it polls with and a short user code its user checks on the web app's approval page. A signed-in
//! user approves or denies it there ([`decide`]). The device's next poll ([`poll`]) after approval
//! makes a personal API token for the approver, named after the device, and hands it over once:
//! the token exists only from then on, so no secret is ever stored (only SHA-256 hashes of both
//! codes). Codes live ten minutes; the housekeeping task forgets them a day later ([`purge_expired`]).

use app::types::{
    ApiToken, DeviceAuthorization, DeviceAuthorizationInfo, DeviceAuthorizationRequest,
    DeviceAuthorizationState,
};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, RngCore};
use sea_orm::{
    ActiveEnum as _,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession as _,
    TransactionTrait,
    sea_query::{Expr, ExprTrait as _},
};

use crate::{
    auth::{
        throttle::{self, ClientAddress},
        token::hash,
    },
    db::entities::{
        api_tokens,
        device_authorizations::{self, Column, State},
        users,
    },
    error::AppError,
    services::accounts::tokens,
};

/// Codes a client address may ask for per throttle window (15 minutes): enough for retries and a
/// few machines behind one address, too few to flood the table.
pub const MAX_STARTS_PER_ADDRESS: i32 = 10;
/// The letters of user codes: consonants only (no words), none that look like a digit or another
/// letter (no vowels, so no `O`/`I`; no `Y`), as RFC 8628 §6.1 suggests.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LEN: usize = 8;
/// Codes one user may look up, approve or deny per throttle window: a person needs a few; guessing
/// someone else's code (to sign their device in as oneself) needs billions.
pub const MAX_LOOKUPS_PER_USER: i32 = 30;
/// Polls this much early still count as on time (the previous request may have been slow to arrive).
const POLL_LEEWAY: Duration = Duration::seconds(1);
/// How long decided and expired codes are kept, so the approval page can still say what happened.
const KEPT_AFTER_EXPIRY: Duration = Duration::days(1);

/// A code pair as handed to the device (the approval page's URLs are added by the HTTP layer).
pub struct Started {
    pub device_code: String,
    pub user_code: String,
}

/// Starts a device authorization for `request.device_name`.
#[tracing::instrument(skip_all)]
pub async fn start(
    db: &impl ConnectionTrait,
    request: &DeviceAuthorizationRequest,
    address: ClientAddress,
) -> Result<Started, AppError> {
    let name = crate::services::text::single_line(&request.device_name);
    let max = DeviceAuthorizationRequest::MAX_NAME_LEN;
    if name.is_empty() || name.chars().count() > max || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(format!(
            "The device name must be 1 to {max} characters long, on one line."
        )));
    }
    throttle::count_request(db, "device", address, MAX_STARTS_PER_ADDRESS).await?;
    let now = Utc::now();
    // A user code may collide with a live one (1 in 20^8): draw again.
    for _ in 0..3 {
        let device_code = new_device_code();
        let user_code = new_user_code();
        let row = device_authorizations::ActiveModel {
            device_code_hash: Set(hash(&device_code)),
            user_code_hash: Set(hash(&user_code)),
            device_name: Set(name.clone()),
            state: Set(State::Pending),
            interval_secs: Set(poll_interval()),
            created_at: Set(now),
            expires_at: Set(now + Duration::seconds(DeviceAuthorization::LIFETIME_SECS.into())),
            ..Default::default()
        };
        match device_authorizations::Entity::insert(row).exec(db).await {
            Ok(_) => {
                tracing::info!("device authorization started");
                return Ok(Started {
                    device_code,
                    user_code: display(&user_code),
                });
            }
            Err(error)
                if matches!(
                    error.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "could not draw an unused user code"
    )))
}

/// The device polls with its code: the token once approved (made now, for the approver), else why
/// not yet or not at all.
#[tracing::instrument(skip_all)]
pub async fn poll(
    db: &(impl ConnectionTrait + TransactionTrait),
    device_code: &str,
) -> Result<(String, api_tokens::Model), AppError> {
    let row = device_authorizations::Entity::find()
        .filter(Column::DeviceCodeHash.eq(hash(device_code)))
        .one(db)
        .await?
        .ok_or(AppError::ExpiredToken)?;
    let now = Utc::now();
    if row.redeemed_at.is_some() || row.expires_at <= now {
        return Err(AppError::ExpiredToken);
    }
    // One conditional write, so parallel polls cannot both pass.
    let on_time = device_authorizations::Entity::update_many()
        .col_expr(Column::LastPolledAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(
            Condition::any()
                .add(Column::LastPolledAt.is_null())
                .add(Column::LastPolledAt.lte(earliest_previous_poll(&row, now))),
        )
        .exec(db)
        .await?;
    if on_time.rows_affected == 0 {
        device_authorizations::Entity::update_many()
            .col_expr(Column::IntervalSecs, Expr::col(Column::IntervalSecs).add(5))
            .col_expr(Column::LastPolledAt, Expr::value(now))
            .filter(Column::Id.eq(row.id))
            .exec(db)
            .await?;
        return Err(AppError::SlowDown);
    }
    match (row.state, row.user_id) {
        (State::Pending, _) => Err(AppError::AuthorizationPending),
        (State::Denied, _) => Err(AppError::AccessDenied),
        (State::Approved, None) => Err(AppError::ExpiredToken),
        (State::Approved, Some(user_id)) => redeem(db, &row, user_id, now).await,
    }
}

/// The previous poll must be at least this old for this one to be on time.
fn earliest_previous_poll(row: &device_authorizations::Model, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::seconds(row.interval_secs.into()) + POLL_LEEWAY
}

/// Marks the authorization used and makes the approver's token, in one transaction: the device
/// gets a token at most once, however many polls race.
async fn redeem(
    db: &(impl ConnectionTrait + TransactionTrait),
    row: &device_authorizations::Model,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(String, api_tokens::Model), AppError> {
    let txn = db.begin().await?;
    let claimed = device_authorizations::Entity::update_many()
        .col_expr(Column::RedeemedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::RedeemedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(AppError::ExpiredToken);
    }
    let created = tokens::create(
        &txn,
        user_id,
        &row.device_name,
        Some(ApiToken::DEFAULT_LIFETIME_DAYS),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        user.id = user_id,
        token.id = created.1.id,
        "device signed in"
    );
    Ok(created)
}

/// What the approval page shows `user` about the code they typed.
pub async fn info(
    db: &impl ConnectionTrait,
    user: &users::Model,
    user_code: &str,
) -> Result<DeviceAuthorizationInfo, AppError> {
    let code = normalize(user_code)?;
    count_lookup(db, user).await?;
    let row = find_by_user_code(db, &code).await?;
    Ok(to_info(&row, &code, Utc::now()))
}

/// `user` approves (or denies) the device behind `user_code`, while it waits.
#[tracing::instrument(skip_all, fields(user.id = user.id, approve))]
pub async fn decide(
    db: &impl ConnectionTrait,
    user: &users::Model,
    user_code: &str,
    approve: bool,
) -> Result<DeviceAuthorizationInfo, AppError> {
    let code = normalize(user_code)?;
    count_lookup(db, user).await?;
    let row = find_by_user_code(db, &code).await?;
    let now = Utc::now();
    if approve {
        tokens::check_room(db, user.id).await?;
    }
    let decided = device_authorizations::Entity::update_many()
        .col_expr(
            Column::State,
            Expr::value(
                if approve {
                    State::Approved
                } else {
                    State::Denied
                }
                .to_value(),
            ),
        )
        .col_expr(Column::UserId, Expr::value(user.id))
        .col_expr(Column::DecidedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::State.eq(State::Pending))
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if decided.rows_affected == 0 {
        let current = find_by_user_code(db, &code).await?;
        return Err(match to_info(&current, &code, now).state {
            DeviceAuthorizationState::Expired => AppError::Gone(
                "This code expired: start signing in again on the device for a new one.".into(),
            ),
            _ => AppError::Conflict("This device was already approved or denied.".into()),
        });
    }
    tracing::info!("device authorization decided");
    let row = find_by_user_code(db, &code).await?;
    Ok(to_info(&row, &code, now))
}

/// Forgets codes that expired more than a day ago.
pub async fn purge_expired(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, sea_orm::DbErr> {
    let purged = device_authorizations::Entity::delete_many()
        .filter(Column::ExpiresAt.lt(now - KEPT_AFTER_EXPIRY))
        .exec(db)
        .await?;
    Ok(purged.rows_affected)
}

async fn count_lookup(db: &impl ConnectionTrait, user: &users::Model) -> Result<(), AppError> {
    let key = format!("device-lookup|user:{}", user.id);
    throttle::count_keyed(db, &key, MAX_LOOKUPS_PER_USER).await
}

async fn find_by_user_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<device_authorizations::Model, AppError> {
    device_authorizations::Entity::find()
        .filter(Column::UserCodeHash.eq(hash(code)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn to_info(
    row: &device_authorizations::Model,
    code: &str,
    now: DateTime<Utc>,
) -> DeviceAuthorizationInfo {
    let state = match row.state {
        State::Pending if row.expires_at <= now => DeviceAuthorizationState::Expired,
        State::Pending => DeviceAuthorizationState::Pending,
        State::Approved => DeviceAuthorizationState::Approved,
        State::Denied => DeviceAuthorizationState::Denied,
    };
    DeviceAuthorizationInfo {
        user_code: display(code),
        device_name: row.device_name.clone(),
        state,
        created_at: row.created_at,
        expires_at: row.expires_at,
    }
}

fn poll_interval() -> i32 {
    i32::try_from(DeviceAuthorization::POLL_INTERVAL_SECS).unwrap_or(5)
}

/// 256 random bits, unpadded base64url.
fn new_device_code() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// [`USER_CODE_LEN`] letters of [`USER_CODE_ALPHABET`], without the dash.
fn new_user_code() -> String {
    let mut rng = rand::rng();
    (0..USER_CODE_LEN)
        .map(|_| char::from(USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())]))
        .collect()
}

/// A typed user code without case, dashes or spaces (`abcd efgh` → `ABCDEFGH`), or a refusal that
/// says what a code looks like.
pub fn normalize(typed: &str) -> Result<String, AppError> {
    let code: String = typed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let well_formed =
        code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    if !well_formed {
        return Err(AppError::bad_request(
            "A code is 8 letters, as the device shows it, such as BCDF-GHJK.",
        ));
    }
    Ok(code)
}

/// `ABCDEFGH` → `ABCD-EFGH`.
fn display(code: &str) -> String {
    let (first, second) = code.split_at(USER_CODE_LEN / 2);
    format!("{first}-{second}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_have_the_documented_shape() {
        let code = display(&new_user_code());
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert_eq!(normalize(&code).expect("normalizes").len(), 8);
        for c in code.replace('-', "").bytes() {
            assert!(USER_CODE_ALPHABET.contains(&c), "{code}");
            assert!(!b"AEIOUY01".contains(&c), "{code}");
        }
    }

    #[test]
    fn typed_codes_ignore_case_dashes_and_spaces() {
        assert_eq!(normalize("bcdf-ghjk").expect("ok"), "BCDFGHJK");
        assert_eq!(normalize(" BCDF GHJK ").expect("ok"), "BCDFGHJK");
        assert_eq!(normalize("bcdfghjk").expect("ok"), "BCDFGHJK");
        for bad in ["", "BCDF-GHJ", "BCDF-GHJKL", "ABCD-EFGH", "BCDF-GHJ1"] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn device_codes_are_long_and_distinct() {
        let code = new_device_code();
        assert_eq!(code.len(), 43);
        assert_ne!(code, new_device_code());
    }
}
