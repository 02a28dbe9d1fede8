//! One file's download: ask the gateway for the file (or, after a failure, for the rest of it with
//! `Range` and `If-Range`), gather the body, check that every byte arrived, and hand the file to the
//! browser. Progress goes to the file's signal as chunks arrive, at most a few times a second.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::serde_json;
use web_sys::js_sys::Date;

use super::answer::{self, Refusal, Start};
use super::body::{self, Stopper};
use super::error::DownloadError;
use super::parts::{self, BlobParts};
use super::progress::{DownloadProgress, DownloadStage};
use super::spec::ReceiveSpec;
use crate::types::{ErrorBody, PackageFile};
use crate::ui::format::human_size;
use crate::ui::transfer::speed::SpeedMeter;

/// The page's figures are updated at most this often while bytes arrive (milliseconds).
const REPORT_EVERY_MS: f64 = 200.0;
/// Fresh tokens asked for in a row before a 401 is taken as a refusal.
const TOKEN_ATTEMPTS: u32 = 2;

/// Everything about downloading one file of the package.
pub struct FileDownload {
    pub file: PackageFile,
    pub progress: RwSignal<DownloadProgress>,
    /// The bytes received so far, kept after a failure so that Retry continues from there.
    parts: RefCell<BlobParts>,
    /// The version of the file those bytes belong to (sent back as `If-Range`).
    etag: RefCell<Option<String>>,
    pub stopper: Stopper,
    meter: RefCell<SpeedMeter>,
    last_report: std::cell::Cell<f64>,
}

impl FileDownload {
    pub fn new(file: PackageFile) -> Self {
        let progress = RwSignal::new(DownloadProgress::new(file.size));
        FileDownload {
            file,
            progress,
            parts: RefCell::new(BlobParts::new()),
            etag: RefCell::new(None),
            stopper: Stopper::new(),
            meter: RefCell::new(SpeedMeter::default()),
            last_report: std::cell::Cell::new(0.0),
        }
    }

    pub fn set_stage(&self, stage: DownloadStage) {
        let done = self.parts.borrow().len();
        self.progress.try_update(|progress| {
            progress.stage = stage;
            progress.done = done;
            progress.speed = None;
        });
    }

    /// Downloads the file (the rest of it, when bytes from an earlier attempt are held) and saves
    /// it; the file's row says how it went.
    pub async fn run(&self, spec: &ReceiveSpec) {
        self.set_stage(DownloadStage::Downloading);
        *self.meter.borrow_mut() = SpeedMeter::default();
        let result = match self.fetch(spec).await {
            Ok(()) => self.save(),
            Err(error) => Err(error),
        };
        match result {
            Ok(()) => {
                // The saved file is the browser's now: free the bytes.
                self.parts.borrow_mut().clear();
                self.progress.try_update(|progress| {
                    progress.stage = DownloadStage::Saved;
                    progress.done = progress.size;
                    progress.speed = None;
                });
            }
            Err(DownloadError::Aborted) => {}
            Err(DownloadError::Deleted(reason)) => {
                self.parts.borrow_mut().clear();
                self.set_stage(DownloadStage::Deleted(reason));
            }
            Err(DownloadError::Interrupted(reason) | DownloadError::Refused(reason)) => {
                self.set_stage(DownloadStage::Failed(reason));
            }
        }
    }

    /// Gets every byte of the file into `parts`.
    async fn fetch(&self, spec: &ReceiveSpec) -> Result<(), DownloadError> {
        let mut fresh_tokens = 0;
        let mut restarted = false;
        loop {
            let source = spec.file(self.file.id).await?;
            let received = self.parts.borrow().len();
            let headers = answer::resume_headers(received, self.etag.borrow().as_deref());
            if headers.is_empty() {
                self.parts.borrow_mut().clear();
            }
            let response = body::get(&source.url, &source.token, &headers, &self.stopper).await?;
            let content_range = response.headers().get("content-range");
            let sent_from = self.parts.borrow().len();
            match answer::classify(response.status(), content_range.as_deref(), sent_from) {
                Ok(Start::Over) => self.parts.borrow_mut().clear(),
                Ok(Start::Append) => {}
                Err(Refusal::Unauthorized) if fresh_tokens < TOKEN_ATTEMPTS => {
                    fresh_tokens += 1;
                    spec.refresh().await?;
                    continue;
                }
                Err(Refusal::WrongRange) if !restarted => {
                    restarted = true;
                    self.parts.borrow_mut().clear();
                    continue;
                }
                Err(refusal) => {
                    return Err(refused(refusal, &response.text().await.unwrap_or_default()));
                }
            }
            *self.etag.borrow_mut() =
                answer::etag(response.headers().get("etag"), source.sha256.as_deref());
            self.report(self.parts.borrow().len(), true);
            body::read(&response, &self.parts, &self.stopper, |held| {
                self.report(held, false)
            })
            .await?;
            let held = self.parts.borrow().len();
            self.report(held, true);
            return match held.cmp(&self.file.size) {
                std::cmp::Ordering::Equal => Ok(()),
                std::cmp::Ordering::Less => Err(DownloadError::Interrupted(format!(
                    "The download ended early: only {} of {} arrived.",
                    human_size(held),
                    human_size(self.file.size)
                ))),
                std::cmp::Ordering::Greater => {
                    // More bytes than the file has: they cannot be trusted; start over next time.
                    self.parts.borrow_mut().clear();
                    Err(DownloadError::Refused(
                        "The gateway sent more bytes than the file has. Try again.".to_owned(),
                    ))
                }
            };
        }
    }

    /// Hands the bytes to the browser's downloads.
    fn save(&self) -> Result<(), DownloadError> {
        let saved = self
            .parts
            .borrow_mut()
            .join()
            .and_then(|blob| parts::save(&blob, &self.file.name));
        saved.map_err(|_| {
            DownloadError::Refused("The browser could not save the file. Try again.".to_owned())
        })
    }

    /// Shows `held` bytes (and the speed); skipped when the last update is very recent, unless
    /// `now` insists.
    fn report(&self, held: u64, now: bool) {
        let time = Date::now();
        let mut meter = self.meter.borrow_mut();
        meter.record(time, held);
        if !now && time - self.last_report.get() < REPORT_EVERY_MS {
            return;
        }
        self.last_report.set(time);
        let speed = meter.speed(time);
        self.progress.try_update(|progress| {
            progress.done = held;
            progress.speed = speed;
        });
    }
}

/// The sentence for an answer that has no usable body; `text` is the answer's body, which may hold
/// the gateway's own explanation (JSON `ErrorBody` or plain text).
fn refused(refusal: Refusal, text: &str) -> DownloadError {
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
