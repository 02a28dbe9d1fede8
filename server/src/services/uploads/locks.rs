//! One writer per upload, across every instance serving one Ferry. A lock is first taken in this
//! process (cheap, and it keeps two requests here from racing for the database), then as a lease
//! row in the database that names its holder and expires unless renewed: while the guard lives a
//! task renews it; dropping the guard releases both. A dead connection drops its request (its
//! future, and so the guard), so its lock frees itself at once. A crashed instance's leases end
//! after [`LEASE_TTL`], or at once when it is restarted on its data dir: the process is the same
//! instance again ([`InstanceId`]) and takes them over. The conditional offset update in the database stays the last defence: a
//! writer that lost its lease cannot commit over another's progress.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

use crate::{db::entities::leases, instance::InstanceId};

/// How long a lease lasts unless renewed; a crashed instance's locks free themselves after it.
pub const LEASE_TTL: Duration = Duration::from_secs(30);

/// How long a client's request waits for an upload's lock before it is refused (423, `Retry-After`).
pub const REQUEST_LOCK_WAIT: Duration = Duration::from_secs(3);
/// How often a waiting request tries the lock again.
const REQUEST_LOCK_POLL: Duration = Duration::from_millis(50);

/// The locks of this process, backed by leases in the database. Cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct UploadLocks {
    held: Arc<Mutex<HashSet<String>>>,
    db: DatabaseConnection,
    /// Who this process is: every lease it takes is held as `<instance>:<random>`, and a lease
    /// of its own instance may be taken over (this process holds no lock of that name, so the
    /// lease was left by an earlier lock here or by this instance's crashed predecessor).
    instance: InstanceId,
}

impl UploadLocks {
    /// The locks of `instance`, with leases in `db`.
    pub fn new(db: DatabaseConnection, instance: InstanceId) -> Self {
        Self {
            held: Arc::default(),
            db,
            instance,
        }
    }

    /// Takes the lock named `key`, or `None` when someone holds it, here or in another instance
    /// (never waits).
    pub async fn try_lock(&self, key: impl Into<String>) -> Result<Option<LockGuard>, DbErr> {
        let key = key.into();
        if !self.local().insert(key.clone()) {
            return Ok(None);
        }
        // From here the guard owns the local entry: any early return releases it.
        let mut guard = LockGuard {
            locks: self.clone(),
            key,
            holder: None,
            renewer: None,
        };
        let instance = self.instance.as_str();
        let holder = format!("{instance}:{}", random_hex());
        if !take_lease(&self.db, &guard.key, &holder, instance).await? {
            return Ok(None);
        }
        guard.renewer = Some(tokio::spawn(renew(
            self.db.clone(),
            guard.key.clone(),
            holder.clone(),
        )));
        guard.holder = Some(holder);
        Ok(Some(guard))
    }

    /// The lock of one upload.
    pub async fn upload(&self, upload: &str) -> Result<Option<LockGuard>, DbErr> {
        self.try_lock(format!("upload:{upload}")).await
    }

    /// The lock of one upload for a client's request, waiting up to [`REQUEST_LOCK_WAIT`] for its
    /// holder: after a `PATCH` is cut off, the bytes that arrived are committed before its lock is
    /// released, and the client's next `HEAD` or `PATCH` (sent at once) should find them there
    /// rather than a 423.
    pub async fn upload_for_request(&self, upload: &str) -> Result<Option<LockGuard>, DbErr> {
        self.wait_for(format!("upload:{upload}")).await
    }

    /// The lock of one declared file for a client's request, waiting like
    /// [`Self::upload_for_request`]: a client creating the parts of one file at once (tus-js-client
    /// with `parallelUploads`) has its creations taken in turn, not refused.
    pub async fn file_for_request(&self, file: i64) -> Result<Option<LockGuard>, DbErr> {
        self.wait_for(format!("file:{file}")).await
    }

    /// Takes the lock named `key`, trying again for up to [`REQUEST_LOCK_WAIT`].
    async fn wait_for(&self, key: String) -> Result<Option<LockGuard>, DbErr> {
        let deadline = tokio::time::Instant::now() + REQUEST_LOCK_WAIT;
        loop {
            if let Some(guard) = self.try_lock(key.clone()).await? {
                return Ok(Some(guard));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(REQUEST_LOCK_POLL).await;
        }
    }

    /// The lock of one declared file, held while it is published and marked complete.
    pub async fn file(&self, file: i64) -> Result<Option<LockGuard>, DbErr> {
        self.try_lock(format!("file:{file}")).await
    }

    fn local(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Inserts the lease, or takes it over if it expired or this instance left it (an earlier lock of
/// this process, whose release is still on its way, or the process this one restarted after a
/// crash: this process holds no lock of that name); `false` while another instance holds it.
async fn take_lease(
    db: &DatabaseConnection,
    name: &str,
    holder: &str,
    instance: &str,
) -> Result<bool, DbErr> {
    // A lease released between the insert and the update is simply inserted on the next try.
    for _ in 0..3 {
        let now = Utc::now();
        let expires_at = now + ttl();
        let inserted = leases::Entity::insert(leases::ActiveModel {
            name: Set(name.to_owned()),
            holder: Set(holder.to_owned()),
            expires_at: Set(expires_at),
        })
        .on_conflict(
            OnConflict::column(leases::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if inserted == 1 {
            return Ok(true);
        }
        let taken_over = leases::Entity::update_many()
            .col_expr(leases::Column::Holder, Expr::value(holder))
            .col_expr(leases::Column::ExpiresAt, Expr::value(expires_at))
            .filter(leases::Column::Name.eq(name))
            .filter(
                Condition::any()
                    .add(leases::Column::ExpiresAt.lt(now))
                    .add(leases::Column::Holder.like(format!("{instance}:%"))),
            )
            .exec(db)
            .await?;
        if taken_over.rows_affected == 1 {
            return Ok(true);
        }
        let still_there = leases::Entity::find_by_id(name).one(db).await?;
        if still_there.is_some() {
            return Ok(false);
        }
    }
    Ok(false)
}

/// Keeps a lease alive until aborted.
async fn renew(db: DatabaseConnection, name: String, holder: String) {
    let mut every = tokio::time::interval(LEASE_TTL / 3);
    every.tick().await; // the first tick is immediate
    loop {
        every.tick().await;
        let renewed = leases::Entity::update_many()
            .col_expr(leases::Column::ExpiresAt, Expr::value(Utc::now() + ttl()))
            .filter(leases::Column::Name.eq(&name))
            .filter(leases::Column::Holder.eq(&holder))
            .exec(&db)
            .await;
        match renewed {
            Ok(done) if done.rows_affected == 1 => {}
            Ok(_) => {
                tracing::warn!(
                    lease = name,
                    "a lease was lost (it expired and was taken over)"
                );
                return;
            }
            Err(error) => tracing::warn!(lease = name, %error, "could not renew a lease"),
        }
    }
}

fn ttl() -> chrono::Duration {
    chrono::Duration::from_std(LEASE_TTL).unwrap_or(chrono::Duration::seconds(30))
}

/// Deletes leases that ended (a crashed instance's, never taken over) before `now`, less a margin
/// so a lease being taken over right now is left alone. Returns how many went.
pub async fn purge_expired_leases(
    db: &DatabaseConnection,
    now: chrono::DateTime<Utc>,
) -> Result<u64, DbErr> {
    let deleted = leases::Entity::delete_many()
        .filter(leases::Column::ExpiresAt.lt(now - chrono::Duration::minutes(10)))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// A held lock; dropping it releases the lock (the lease row goes in a background task).
#[derive(Debug)]
pub struct LockGuard {
    locks: UploadLocks,
    key: String,
    /// Set once the lease is ours.
    holder: Option<String>,
    renewer: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if let Some(renewer) = self.renewer.take() {
            renewer.abort();
        }
        if let Some(holder) = self.holder.take() {
            let db = self.locks.db.clone();
            let name = self.key.clone();
            let release = async move {
                let released = leases::Entity::delete_many()
                    .filter(leases::Column::Name.eq(&name))
                    .filter(leases::Column::Holder.eq(&holder))
                    .exec(&db)
                    .await;
                if let Err(error) = released {
                    tracing::warn!(lease = name, %error, "could not release a lease; it expires by itself");
                }
            };
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(release);
                }
                Err(_) => {
                    tracing::debug!(lease = self.key, "no runtime: the lease expires by itself")
                }
            }
        }
        self.locks.local().remove(&self.key);
    }
}
