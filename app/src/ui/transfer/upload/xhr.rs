//! One HTTP request over `XMLHttpRequest`, as a future. XHR rather than `fetch` because its upload
//! progress events give real per-byte progress; the body is a `Blob` (a slice of the chosen file),
//! which the browser streams from disk, so no file byte is ever copied into wasm memory.
//!
//! A request with a body has no overall timeout (a large chunk on a slow link takes long) but is
//! aborted when no byte has gone out for [`STALL_TIMEOUT`]; other requests time out after
//! [`REQUEST_TIMEOUT`].

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::js_sys::Date;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use crate::ui::transfer::stop::StopToken;
use crate::ui::transfer::wait::{Slot, Watchdog};

/// Longest wait for the answer to a request without a body (HEAD, POST, DELETE).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest time an upload may make no progress before it is given up as stalled.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(45);
/// How often a stalled upload is looked for.
const STALL_CHECK: Duration = Duration::from_secs(5);

/// What to send.
pub struct XhrRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Blob>,
    /// Called with the bytes of `body` sent so far.
    pub on_progress: Option<Rc<dyn Fn(f64)>>,
}

/// An answer, whatever its status.
pub struct XhrResponse {
    xhr: XmlHttpRequest,
    pub status: u16,
}

impl XhrResponse {
    pub fn header(&self, name: &str) -> Option<String> {
        self.xhr.get_response_header(name).ok().flatten()
    }

    pub fn text(&self) -> String {
        self.xhr.response_text().ok().flatten().unwrap_or_default()
    }
}

/// Why there is no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XhrFailure {
    /// The network failed, the request was refused by CORS, or it was interrupted (offline).
    Network,
    /// No answer in time, or no upload progress for too long.
    TimedOut,
    /// The file was stopped (cancelled, or the page is going away).
    Stopped,
}

#[derive(Clone, Copy)]
enum Outcome {
    Loaded,
    Failed,
    TimedOut,
    Aborted,
}

/// Sends `request` and waits for the answer; `stop` aborts it.
pub async fn send(request: XhrRequest<'_>, stop: &StopToken) -> Result<XhrResponse, XhrFailure> {
    if stop.is_stopped() {
        return Err(XhrFailure::Stopped);
    }
    let xhr = XmlHttpRequest::new().map_err(|_| XhrFailure::Network)?;
    xhr.open(request.method, request.url)
        .map_err(|_| XhrFailure::Network)?;
    for (name, value) in &request.headers {
        xhr.set_request_header(name, value)
            .map_err(|_| XhrFailure::Network)?;
    }

    let slot = Slot::new();
    let outcome = |outcome: Outcome| {
        let slot = slot.clone();
        Closure::<dyn Fn()>::new(move || {
            slot.fill(outcome);
        })
    };
    let (on_load, on_error, on_timeout, on_abort) = (
        outcome(Outcome::Loaded),
        outcome(Outcome::Failed),
        outcome(Outcome::TimedOut),
        outcome(Outcome::Aborted),
    );
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_ontimeout(Some(on_timeout.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_abort.as_ref().unchecked_ref()));

    let last_activity = Rc::new(Cell::new(Date::now()));
    let stalled = Rc::new(Cell::new(false));
    let upload = xhr.upload().ok();
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new({
        let last_activity = Rc::clone(&last_activity);
        let report = request.on_progress.clone();
        move |event: ProgressEvent| {
            last_activity.set(Date::now());
            if let Some(report) = &report {
                report(event.loaded());
            }
        }
    });
    let watchdog = if request.body.is_some() {
        if let Some(upload) = &upload {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        Watchdog::start(
            {
                let xhr = xhr.clone();
                let stalled = Rc::clone(&stalled);
                move || {
                    if Date::now() - last_activity.get() > STALL_TIMEOUT.as_millis() as f64 {
                        stalled.set(true);
                        let _ = xhr.abort();
                    }
                }
            },
            STALL_CHECK,
        )
    } else {
        xhr.set_timeout(REQUEST_TIMEOUT.as_millis() as u32);
        None
    };
    let _hook = stop.on_interrupt({
        let xhr = xhr.clone();
        move || {
            let _ = xhr.abort();
        }
    });

    let sent = xhr.send_with_opt_blob(request.body.as_ref());
    let outcome = match sent {
        Ok(()) => slot.wait().await,
        Err(_) => Outcome::Failed,
    };

    drop(watchdog);
    xhr.set_onload(None);
    xhr.set_onerror(None);
    xhr.set_ontimeout(None);
    xhr.set_onabort(None);
    if let Some(upload) = &upload {
        upload.set_onprogress(None);
    }

    match outcome {
        Outcome::Loaded => Ok(XhrResponse {
            status: xhr.status().unwrap_or(0),
            xhr,
        }),
        Outcome::Failed => Err(XhrFailure::Network),
        Outcome::TimedOut => Err(XhrFailure::TimedOut),
        Outcome::Aborted if stalled.get() => Err(XhrFailure::TimedOut),
        Outcome::Aborted if stop.is_stopped() => Err(XhrFailure::Stopped),
        Outcome::Aborted => Err(XhrFailure::Network),
    }
}
