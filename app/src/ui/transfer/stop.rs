//! Stopping a file's upload: the person cancels it, or leaves the page. Every request and every
//! wait of the file registers a hook here, so stopping aborts in-flight requests at once. An
//! interruption without a stop (the browser went offline) aborts them too; the upload then retries.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Why a file stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The person cancelled the file: its uploads are deleted and it leaves the package.
    Cancel,
    /// The page went away: the uploads stay on the gateway, to be resumed later.
    Abort,
}

/// Shared by everything working on one file; cheap to clone.
#[derive(Clone, Default)]
pub struct StopToken(Rc<StopState>);

#[derive(Default)]
struct StopState {
    stopped: Cell<Option<Stop>>,
    next_hook: Cell<u64>,
    hooks: RefCell<BTreeMap<u64, Rc<dyn Fn()>>>,
}

impl StopToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// Why the file stopped, if it did.
    pub fn stopped(&self) -> Option<Stop> {
        self.0.stopped.get()
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped().is_some()
    }

    /// Stops the file for good (the first reason wins) and interrupts whatever it is doing.
    pub fn stop(&self, why: Stop) {
        if self.0.stopped.get().is_none() {
            self.0.stopped.set(Some(why));
        }
        self.interrupt();
    }

    /// Aborts in-flight requests and ends waits without stopping the file.
    pub fn interrupt(&self) {
        let hooks: Vec<_> = self.0.hooks.borrow().values().cloned().collect();
        for hook in hooks {
            hook();
        }
    }

    /// Runs `hook` on every interruption until the returned guard is dropped.
    pub fn on_interrupt(&self, hook: impl Fn() + 'static) -> HookGuard {
        let id = self.0.next_hook.get();
        self.0.next_hook.set(id + 1);
        self.0.hooks.borrow_mut().insert(id, Rc::new(hook));
        HookGuard {
            token: self.clone(),
            id,
        }
    }
}

/// Unregisters its hook when dropped.
pub struct HookGuard {
    token: StopToken,
    id: u64,
}

impl Drop for HookGuard {
    fn drop(&mut self) {
        self.token.0.hooks.borrow_mut().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_run_until_their_guard_drops() {
        let token = StopToken::new();
        let count = Rc::new(Cell::new(0));
        let guard = token.on_interrupt({
            let count = Rc::clone(&count);
            move || count.set(count.get() + 1)
        });
        token.interrupt();
        assert_eq!(count.get(), 1);
        assert!(!token.is_stopped());
        drop(guard);
        token.stop(Stop::Cancel);
        assert_eq!(count.get(), 1);
        token.stop(Stop::Abort);
        assert_eq!(token.stopped(), Some(Stop::Cancel));
    }
}
