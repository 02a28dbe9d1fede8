//! One writer per upload: an in-process set of held locks. A lock is released when its guard
//! drops, also when a dead connection drops the request (its future, and so the guard, goes away),
//! so a stale lock frees itself. Instances serving one Ferry do not share these locks; the
//! conditional offset update in the database still refuses a second writer's commit.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, PoisonError},
};

/// The locks held in this process. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct UploadLocks(Arc<Mutex<HashSet<String>>>);

impl UploadLocks {
    /// Takes the lock named `key`, or `None` when someone holds it (never waits).
    pub fn try_lock(&self, key: impl Into<String>) -> Option<LockGuard> {
        let key = key.into();
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !held.insert(key.clone()) {
            return None;
        }
        Some(LockGuard {
            locks: self.clone(),
            key,
        })
    }

    /// The lock of one upload.
    pub fn upload(&self, upload: &str) -> Option<LockGuard> {
        self.try_lock(format!("upload:{upload}"))
    }

    /// The lock of one declared file, held while it is published and marked complete.
    pub fn file(&self, file: i64) -> Option<LockGuard> {
        self.try_lock(format!("file:{file}"))
    }
}

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct LockGuard {
    locks: UploadLocks,
    key: String,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.locks
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let locks = UploadLocks::default();
        let first = locks.upload("a");
        assert!(first.is_some());
        assert!(locks.upload("a").is_none());
        assert!(locks.upload("b").is_some(), "other uploads are independent");
        assert!(locks.file(1).is_some(), "files and uploads do not collide");
        drop(first);
        assert!(locks.upload("a").is_some());
    }
}
