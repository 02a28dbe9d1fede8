//! One request for concurrent callers: both engines refresh their transfer spec this way, so that
//! files whose token runs out together (or that all meet a 401) ask the server once, not each.

use std::cell::RefCell;
use std::future::Future;

use super::wait::Slot;

/// A request that runs at most once at a time; whoever asks while it runs gets its result.
pub struct SharedRequest<T> {
    /// `Some` while a request runs: the callers waiting for its result.
    waiting: RefCell<Option<Vec<Slot<T>>>>,
}

impl<T: Clone> SharedRequest<T> {
    pub fn new() -> Self {
        SharedRequest {
            waiting: RefCell::new(None),
        }
    }

    /// Runs `request`, or, when one is already running, drops it unstarted and waits for the
    /// running one's result.
    pub async fn run(&self, request: impl Future<Output = T>) -> T {
        let joined = self.waiting.borrow_mut().as_mut().map(|waiting| {
            let slot = Slot::new();
            waiting.push(slot.clone());
            slot
        });
        if let Some(slot) = joined {
            return slot.wait().await;
        }
        *self.waiting.borrow_mut() = Some(Vec::new());
        let result = request.await;
        for waiter in self.waiting.take().unwrap_or_default() {
            waiter.fill(result.clone());
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    #[test]
    fn callers_during_a_request_share_its_result() {
        let shared = SharedRequest::new();
        let answer = Slot::new();
        let sent = Cell::new(0);
        let request = |n: u32| {
            let answer = answer.clone();
            let sent = &sent;
            async move {
                sent.set(sent.get() + 1);
                answer.wait().await + n
            }
        };
        let mut context = Context::from_waker(Waker::noop());
        let mut first = pin!(shared.run(request(0)));
        let mut second = pin!(shared.run(request(100)));
        assert!(first.as_mut().poll(&mut context).is_pending());
        assert!(second.as_mut().poll(&mut context).is_pending());

        answer.fill(7);
        assert_eq!(first.as_mut().poll(&mut context), Poll::Ready(7));
        assert_eq!(second.as_mut().poll(&mut context), Poll::Ready(7));
        assert_eq!(sent.get(), 1);

        // Once it has ended, the next caller sends a request of its own.
        let mut third = pin!(shared.run(async { 9 }));
        assert_eq!(third.as_mut().poll(&mut context), Poll::Ready(9));
    }
}
