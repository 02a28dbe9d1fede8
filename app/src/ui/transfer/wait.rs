//! The little async plumbing both engines need on the browser's single thread, without an executor
//! crate: a one-shot [`Slot`] a callback fills and a task awaits, timers (and a [`Watchdog`] that
//! checks at an interval), "until back online", and [`join_all`] for a file's parallel parts.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use leptos::prelude::{set_timeout, window, window_event_listener};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::stop::StopToken;

/// A value filled in once by a callback (an XHR event, a timer) and awaited by a task.
pub struct Slot<T>(Rc<RefCell<SlotState<T>>>);

struct SlotState<T> {
    value: Option<T>,
    filled: bool,
    waker: Option<Waker>,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Slot(Rc::clone(&self.0))
    }
}

impl<T> Slot<T> {
    pub fn new() -> Self {
        Slot(Rc::new(RefCell::new(SlotState {
            value: None,
            filled: false,
            waker: None,
        })))
    }

    /// Fills the slot; later calls are ignored (the first event wins). Says whether this one won.
    pub fn fill(&self, value: T) -> bool {
        let waker = {
            let mut state = self.0.borrow_mut();
            if state.filled {
                return false;
            }
            state.filled = true;
            state.value = Some(value);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// Waits until the slot is filled and takes the value.
    pub fn wait(&self) -> SlotFuture<T> {
        SlotFuture(self.clone())
    }
}

/// The future of [`Slot::wait`].
pub struct SlotFuture<T>(Slot<T>);

impl<T> Future for SlotFuture<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.0.0.borrow_mut();
        match state.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Waits for `duration`, or less when `stop` interrupts the wait.
pub async fn sleep(duration: Duration, stop: &StopToken) {
    let slot = Slot::new();
    let _hook = stop.on_interrupt({
        let slot = slot.clone();
        move || {
            slot.fill(());
        }
    });
    let timer = slot.clone();
    set_timeout(
        move || {
            timer.fill(());
        },
        duration,
    );
    slot.wait().await;
}

/// Whether the browser believes it is online.
pub fn is_online() -> bool {
    window().navigator().on_line()
}

/// Returns at once while the browser is online; otherwise waits for its `online` event (or for
/// `stop`).
pub async fn until_online(stop: &StopToken) {
    if is_online() || stop.is_stopped() {
        return;
    }
    let slot = Slot::new();
    let _hook = stop.on_interrupt({
        let slot = slot.clone();
        move || {
            slot.fill(());
        }
    });
    let online = slot.clone();
    let listener = window_event_listener(leptos::ev::online, move |_| {
        online.fill(());
    });
    // The event may have fired between the check above and the listener being added.
    if is_online() {
        slot.fill(());
    }
    slot.wait().await;
    listener.remove();
}

/// Runs every future to completion, concurrently, and gives their outputs in order.
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    JoinAll {
        pending: futures.into_iter().map(|f| Some(Box::pin(f))).collect(),
        done: Vec::new(),
    }
    .await
}

struct JoinAll<F: Future> {
    pending: Vec<Option<Pin<Box<F>>>>,
    done: Vec<Option<F::Output>>,
}

impl<F: Future> Unpin for JoinAll<F> {}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if this.done.is_empty() {
            this.done = this.pending.iter().map(|_| None).collect();
        }
        for (future, done) in this.pending.iter_mut().zip(this.done.iter_mut()) {
            if let Some(running) = future
                && let Poll::Ready(output) = running.as_mut().poll(cx)
            {
                *done = Some(output);
                *future = None;
            }
        }
        if this.pending.iter().all(Option::is_none) {
            Poll::Ready(this.done.drain(..).flatten().collect())
        } else {
            Poll::Pending
        }
    }
}

/// Waits for `duration` (nothing can cut it short).
pub async fn pause(duration: Duration) {
    sleep(duration, &StopToken::new()).await;
}

/// A limit on requests in flight at once, shared by every part of every file: browsers open at
/// most six connections to one host, and a request queued behind them would look stalled.
#[derive(Clone)]
pub struct Streams(Rc<RefCell<StreamsState>>);

struct StreamsState {
    free: usize,
    /// Filled with `true` when handed a stream, `false` when interrupted.
    waiting: VecDeque<Slot<bool>>,
}

impl Streams {
    pub fn new(count: usize) -> Self {
        Streams(Rc::new(RefCell::new(StreamsState {
            free: count.max(1),
            waiting: VecDeque::new(),
        })))
    }

    /// Waits for a free stream, given back when the guard drops; `None` once `stop` stops the file.
    pub async fn acquire(&self, stop: &StopToken) -> Option<StreamGuard> {
        loop {
            if stop.is_stopped() {
                return None;
            }
            let slot = {
                let mut state = self.0.borrow_mut();
                if state.free > 0 {
                    state.free -= 1;
                    return Some(StreamGuard(self.clone()));
                }
                let slot = Slot::new();
                state.waiting.push_back(slot.clone());
                slot
            };
            let _hook = stop.on_interrupt({
                let slot = slot.clone();
                move || {
                    slot.fill(false);
                }
            });
            if slot.wait().await {
                return Some(StreamGuard(self.clone()));
            }
        }
    }
}

/// One stream in use; dropping it hands the stream to the next waiter.
pub struct StreamGuard(Streams);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        loop {
            let next = self.0.0.borrow_mut().waiting.pop_front();
            match next {
                // A waiter that was interrupted meanwhile does not take it: try the next one.
                Some(next) => {
                    if next.fill(true) {
                        return;
                    }
                }
                None => {
                    self.0.0.borrow_mut().free += 1;
                    return;
                }
            }
        }
    }
}

/// Runs a check at an interval until dropped (and frees its closure then, unlike a leaked one).
pub struct Watchdog {
    id: i32,
    _check: Closure<dyn Fn()>,
}

impl Watchdog {
    pub fn start(check: impl Fn() + 'static, every: Duration) -> Option<Self> {
        let check = Closure::<dyn Fn()>::new(check);
        let id = window()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                check.as_ref().unchecked_ref(),
                every.as_millis() as i32,
            )
            .ok()?;
        Some(Watchdog { id, _check: check })
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        window().clear_interval_with_handle(self.id);
    }
}
