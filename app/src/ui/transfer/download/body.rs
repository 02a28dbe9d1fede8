//! One `GET` of a file from the gateway with `fetch`, and its body written chunk by chunk into the
//! chosen file ([`SaveTarget`]): each chunk goes to disk before the next is read, so only the
//! chunks in flight are in memory, and only their length crosses into wasm, never their bytes.
//!
//! A request can be stopped from outside ([`Stopper`]): the page is going away, the person
//! cancelled the download, or no byte has arrived for [`STALL_TIMEOUT`] (the connection is stuck
//! rather than broken).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use gloo_net::http::{Request, Response};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Date, Reflect, Uint8Array};
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestCache};

use super::disk::SaveTarget;
use super::error::DownloadError;
use crate::ui::transfer::wait::Watchdog;

/// Longest time a download may receive nothing before it is given up as stalled.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(45);
/// How often a stalled download is looked for.
const STALL_CHECK: Duration = Duration::from_secs(5);

/// Why a request was stopped from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Page,
    Cancelled,
    Stalled,
}

/// Aborts the current request of one file; cheap to clone.
#[derive(Clone)]
pub struct Stopper(Rc<StopperState>);

struct StopperState {
    controller: RefCell<Option<AbortController>>,
    why: Cell<Option<Why>>,
    last_activity: Cell<f64>,
}

impl Stopper {
    pub fn new() -> Self {
        Stopper(Rc::new(StopperState {
            controller: RefCell::new(None),
            why: Cell::new(None),
            last_activity: Cell::new(Date::now()),
        }))
    }

    /// Stops the current request for good: the page is going away.
    pub fn abort(&self) {
        self.stop(Why::Page);
    }

    /// Stops this download (the person pressed Cancel): the request under way at once, or the
    /// next one before it starts. [`Self::clear_cancel`] forgets it for a new download.
    pub fn cancel(&self) {
        self.stop(Why::Cancelled);
    }

    /// Forgets a Cancel that came after the last download ended.
    pub fn clear_cancel(&self) {
        if self.0.why.get() == Some(Why::Cancelled) {
            self.0.why.set(None);
        }
    }

    fn stop(&self, why: Why) {
        if self.0.why.get().is_none() {
            self.0.why.set(Some(why));
        }
        if let Some(controller) = self.0.controller.borrow().as_ref() {
            controller.abort();
        }
    }

    /// A fresh controller for the next request (a stall of the previous one is forgotten).
    fn next_signal(&self) -> Result<AbortController, DownloadError> {
        match self.0.why.get() {
            Some(Why::Page) => return Err(DownloadError::Aborted),
            Some(Why::Cancelled) => return Err(DownloadError::Cancelled),
            _ => self.0.why.set(None),
        }
        self.0.last_activity.set(Date::now());
        let controller = AbortController::new().map_err(|_| lost())?;
        *self.0.controller.borrow_mut() = Some(controller.clone());
        Ok(controller)
    }

    /// What a failed request or read means, now that it failed.
    fn failure(&self) -> DownloadError {
        match self.0.why.get() {
            Some(Why::Page) => DownloadError::Aborted,
            Some(Why::Cancelled) => DownloadError::Cancelled,
            Some(Why::Stalled) => DownloadError::Interrupted(format!(
                "The download stalled: nothing arrived for {} seconds.",
                STALL_TIMEOUT.as_secs()
            )),
            None => lost(),
        }
    }

    /// Gives up on the request when nothing has arrived for too long.
    fn watch(&self) -> Option<Watchdog> {
        let stopper = self.clone();
        Watchdog::start(
            move || {
                if Date::now() - stopper.0.last_activity.get() > STALL_TIMEOUT.as_millis() as f64 {
                    stopper.stop(Why::Stalled);
                }
            },
            STALL_CHECK,
        )
    }
}

fn lost() -> DownloadError {
    DownloadError::Interrupted(DownloadError::CONNECTION_LOST.to_owned())
}

/// Sends `GET url` with the bearer token and `headers`; answers the response whatever its status.
pub async fn get(
    url: &str,
    token: &str,
    headers: &[(&'static str, String)],
    stopper: &Stopper,
) -> Result<Response, DownloadError> {
    let controller = stopper.next_signal()?;
    let signal = controller.signal();
    let mut request = Request::get(url)
        .header("Authorization", &format!("Bearer {token}"))
        // A ranged answer from the browser's cache could belong to another version of the file.
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&signal));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let _watchdog = stopper.watch();
    request.send().await.map_err(|_| stopper.failure())
}

/// Writes the body of `response` into `target`, calling `on_chunk` with the bytes written after
/// each chunk. Fails when the connection breaks, the page goes away, the body stalls, or the
/// browser cannot write the file.
pub async fn read(
    response: &Response,
    target: &mut SaveTarget,
    stopper: &Stopper,
    on_chunk: impl Fn(u64),
) -> Result<(), DownloadError> {
    // An empty body may have no stream at all.
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let _watchdog = stopper.watch();
    let result = loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(chunk) => chunk,
            Err(_) => break Err(stopper.failure()),
        };
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|done| done.as_bool())
            .unwrap_or(true);
        if done {
            break Ok(());
        }
        stopper.0.last_activity.set(Date::now());
        if let Ok(value) = Reflect::get(&chunk, &"value".into()) {
            let value: Uint8Array = value.unchecked_into();
            if target.write(&value).await.is_err() {
                break Err(DownloadError::Refused(format!(
                    "The browser could not write to {}: is the disk full? Retry starts the \
                     file over.",
                    target.name()
                )));
            }
            stopper.0.last_activity.set(Date::now());
            on_chunk(target.written());
        }
    };
    if result.is_err() {
        // Stop the transfer too (a failed write leaves the body unread).
        let _ = reader.cancel();
    }
    reader.release_lock();
    result
}
