//! One file's download through the page: ask the gateway for the file (or, after a failure, for
//! the rest of it with `Range` and `If-Range`), write the body into the file the user chose, check
//! that every byte arrived, and close the file, which is when it is saved. Progress goes to the
//! file's signal as chunks are written, at most a few times a second. (The browser's own downloads
//! are in [`super::browser`].)

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use leptos::serde_json;
use web_sys::js_sys::Date;

use super::answer::{self, Refusal, Start};
use super::body::{self, Stopper};
use super::disk::SaveTarget;
use super::error::DownloadError;
use super::progress::{DownloadProgress, DownloadStage};
use super::spec::ReceiveSpec;
use crate::types::{ErrorBody, PackageFile};
use crate::ui::format::human_size;
use crate::ui::transfer::gateway_turned_off;
use crate::ui::transfer::speed::SpeedMeter;

/// The page's figures are updated at most this often while bytes arrive (milliseconds).
const REPORT_EVERY_MS: f64 = 200.0;
/// Fresh tokens asked for in a row before a 401 is taken as a refusal.
const TOKEN_ATTEMPTS: u32 = 2;

/// Everything about downloading one file of the package.
pub struct FileDownload {
    pub file: PackageFile,
    pub progress: RwSignal<DownloadProgress>,
    /// The chosen file and what was written into it, kept after a failure so that Retry continues
    /// from there. Taken out while a download runs.
    target: RefCell<Option<SaveTarget>>,
    /// Bytes written so far (what the page shows while the target is out).
    written: Cell<u64>,
    /// The version of the file those bytes belong to (sent back as `If-Range`).
    etag: RefCell<Option<String>>,
    pub stopper: Stopper,
    meter: RefCell<SpeedMeter>,
    last_report: Cell<f64>,
}

impl FileDownload {
    pub fn new(file: PackageFile) -> Self {
        let progress = RwSignal::new(DownloadProgress::new(file.size));
        FileDownload {
            file,
            progress,
            target: RefCell::new(None),
            written: Cell::new(0),
            etag: RefCell::new(None),
            stopper: Stopper::new(),
            meter: RefCell::new(SpeedMeter::default()),
            last_report: Cell::new(0.0),
        }
    }

    pub fn set_stage(&self, stage: DownloadStage) {
        let done = self.written.get();
        self.progress.try_update(|progress| {
            progress.stage = stage;
            progress.done = done;
            progress.speed = None;
        });
    }

    /// Shows `stage` with `done` bytes: in the browser's downloads, what the server delivered.
    pub fn show_delivered(&self, stage: DownloadStage, done: u64) {
        let time = Date::now();
        let speed = {
            let mut meter = self.meter.borrow_mut();
            if done == 0 {
                *meter = SpeedMeter::default();
            }
            meter.record(time, done);
            meter.speed(time)
        };
        self.progress.try_update(|progress| {
            progress.stage = stage;
            progress.done = done;
            progress.speed = speed;
        });
    }

    /// Whether a file was chosen for this download (a Retry writes into it again).
    pub fn has_target(&self) -> bool {
        self.target.borrow().is_some()
    }

    /// Writes the next download into `target` (what an earlier target held is thrown away).
    pub fn set_target(&self, target: SaveTarget) {
        if let Some(mut old) = self.target.borrow_mut().replace(target) {
            old.discard();
        }
        self.written.set(0);
    }

    /// Throws away what was written (the page is going away).
    pub fn discard(&self) {
        if let Ok(mut target) = self.target.try_borrow_mut()
            && let Some(mut target) = target.take()
        {
            target.discard();
        }
    }

    /// Downloads the file into the chosen target (the rest of it, when bytes from an earlier
    /// attempt were written) and closes it; the file's row says how it went.
    pub async fn run(&self, spec: &ReceiveSpec) {
        let Some(mut target) = self.target.borrow_mut().take() else {
            return;
        };
        self.stopper.clear_cancel();
        self.set_stage(DownloadStage::Downloading);
        *self.meter.borrow_mut() = SpeedMeter::default();
        let result = match self.fetch(spec, &mut target).await {
            Ok(()) => target.close().await.map_err(|_| {
                DownloadError::Refused(format!(
                    "The browser could not save {}. Try again.",
                    target.name()
                ))
            }),
            Err(error) => Err(error),
        };
        self.written.set(target.written());
        match result {
            Ok(()) => {
                // Saved: the next download of this file asks where to save it again.
                self.written.set(0);
                let name = target.name();
                self.progress.try_update(|progress| {
                    progress.stage = DownloadStage::Saved { name };
                    progress.done = progress.size;
                    progress.speed = None;
                });
            }
            Err(DownloadError::Aborted) => target.discard(),
            Err(DownloadError::Cancelled) => {
                // The chosen file keeps what it held: the browser writes beside it until `close`.
                target.discard();
                self.written.set(0);
                self.set_stage(DownloadStage::Cancelled);
            }
            Err(DownloadError::Deleted(reason)) => {
                target.discard();
                self.written.set(0);
                self.set_stage(DownloadStage::Deleted(reason));
            }
            Err(DownloadError::Interrupted(reason) | DownloadError::Refused(reason)) => {
                self.set_stage(DownloadStage::Failed(reason));
                *self.target.borrow_mut() = Some(target);
            }
            Err(DownloadError::GatewayOff) => {
                self.set_stage(DownloadStage::GatewayOff);
                *self.target.borrow_mut() = Some(target);
            }
        }
    }

    /// Writes every byte of the file into `target`.
    async fn fetch(
        &self,
        spec: &ReceiveSpec,
        target: &mut SaveTarget,
    ) -> Result<(), DownloadError> {
        let mut fresh_tokens = 0;
        let mut restarted = false;
        loop {
            let source = spec.file(self.file.id).await?;
            let headers = answer::resume_headers(target.written(), self.etag.borrow().as_deref());
            if headers.is_empty() {
                restart(target).await?;
            }
            let response = body::get(&source.url, &source.token, &headers, &self.stopper).await?;
            let content_range = response.headers().get("content-range");
            match answer::classify(
                response.status(),
                content_range.as_deref(),
                target.written(),
            ) {
                Ok(Start::Over) => restart(target).await?,
                Ok(Start::Append) => {}
                Err(Refusal::Unauthorized) if fresh_tokens < TOKEN_ATTEMPTS => {
                    fresh_tokens += 1;
                    spec.refresh().await?;
                    continue;
                }
                Err(Refusal::WrongRange) if !restarted => {
                    restarted = true;
                    restart(target).await?;
                    continue;
                }
                Err(refusal) => {
                    return Err(refused(refusal, &response.text().await.unwrap_or_default()));
                }
            }
            *self.etag.borrow_mut() =
                answer::etag(response.headers().get("etag"), source.sha256.as_deref());
            self.report(target.written(), true);
            body::read(&response, target, &self.stopper, |written| {
                self.report(written, false)
            })
            .await?;
            let written = target.written();
            self.report(written, true);
            return match written.cmp(&self.file.size) {
                std::cmp::Ordering::Equal => Ok(()),
                std::cmp::Ordering::Less => Err(DownloadError::Interrupted(format!(
                    "The download ended early: only {} of {} arrived.",
                    human_size(written),
                    human_size(self.file.size)
                ))),
                std::cmp::Ordering::Greater => {
                    // More bytes than the file has: they cannot be trusted; start over next time.
                    restart(target).await?;
                    Err(DownloadError::Refused(
                        "The gateway sent more bytes than the file has. Try again.".to_owned(),
                    ))
                }
            };
        }
    }

    /// Shows `written` bytes (and the speed); skipped when the last update is very recent, unless
    /// `now` insists.
    fn report(&self, written: u64, now: bool) {
        self.written.set(written);
        let time = Date::now();
        let mut meter = self.meter.borrow_mut();
        meter.record(time, written);
        if !now && time - self.last_report.get() < REPORT_EVERY_MS {
            return;
        }
        self.last_report.set(time);
        let speed = meter.speed(time);
        self.progress.try_update(|progress| {
            progress.done = written;
            progress.speed = speed;
        });
    }
}

/// Empties `target` for the whole file.
async fn restart(target: &mut SaveTarget) -> Result<(), DownloadError> {
    target.restart().await.map_err(|_| {
        DownloadError::Refused(format!(
            "The browser could not write to {}. Try again.",
            target.name()
        ))
    })
}

/// The sentence for an answer that has no usable body; `text` is the answer's body, which may hold
/// the gateway's own explanation (JSON `ErrorBody` or plain text).
fn refused(refusal: Refusal, text: &str) -> DownloadError {
    if gateway_turned_off(text) {
        return DownloadError::GatewayOff;
    }
    let told = serde_json::from_str::<ErrorBody>(text)
        .map(|body| body.error.message)
        .ok()
        .or_else(|| {
            let text = text.trim();
            (!text.is_empty() && text.len() <= 300 && !text.starts_with('<'))
                .then(|| text.to_owned())
        });
    match refusal {
        Refusal::Deleted => {
            DownloadError::Deleted(told.unwrap_or_else(|| DownloadError::DELETED.to_owned()))
        }
        Refusal::Transient => DownloadError::Interrupted(
            told.unwrap_or_else(|| "The gateway had a problem sending the file.".to_owned()),
        ),
        Refusal::Unauthorized => {
            DownloadError::Refused("The gateway did not accept the download token.".to_owned())
        }
        Refusal::WrongRange => DownloadError::Interrupted(
            "The gateway did not send the part of the file that was asked for.".to_owned(),
        ),
        Refusal::Refused => DownloadError::Refused(
            told.unwrap_or_else(|| "The gateway refused to send this file.".to_owned()),
        ),
    }
}
