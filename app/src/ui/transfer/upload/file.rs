//! One file's upload: cut it into parts, resume the parts the gateway already holds (URLs from
//! `localStorage`) or create them, upload the parts in parallel ([`super::part`]), then join them
//! with a final concatenation. Progress goes to the file's signal as bytes move.

use std::cell::{Cell, RefCell};
use std::ops::Range;
use std::rc::Rc;

use leptos::prelude::*;
use web_sys::File;
use web_sys::js_sys::Date;

use super::headers::{concat_final, upload_metadata};
use super::plan::part_ranges;
use super::progress::{FileProgress, FileStage};
use super::resume::{self, ResumeRecord};
use super::spec::SpecSource;
use super::tus::{self, TusError};
use crate::types::TransferFile;
use crate::ui::transfer::speed::SpeedMeter;
use crate::ui::transfer::stop::StopToken;
use crate::ui::transfer::wait::{Streams, join_all};

/// One part of the file on the gateway.
pub(super) struct Part {
    pub range: Range<u64>,
    pub url: String,
    /// Bytes of the part the gateway acknowledged.
    pub acked: u64,
    /// Bytes of the current PATCH sent so far.
    pub in_flight: u64,
}

/// Everything about uploading one chosen file.
pub struct FileJob {
    pub(super) file: File,
    pub(super) transfer: TransferFile,
    pub(super) key: String,
    pub(super) stop: StopToken,
    pub(super) spec: Rc<SpecSource>,
    /// The package's limit on PATCH requests in flight.
    pub(super) streams: Streams,
    pub(super) parts: RefCell<Vec<Part>>,
    pub(super) progress: RwSignal<FileProgress>,
    meter: RefCell<SpeedMeter>,
    pub(super) retrying: Cell<usize>,
}

impl FileJob {
    pub fn new(
        file: File,
        transfer: TransferFile,
        spec: Rc<SpecSource>,
        streams: Streams,
    ) -> Rc<Self> {
        let key = resume::storage_key(
            spec.package_id(),
            &file.name(),
            transfer.size,
            file.last_modified(),
        );
        let progress = RwSignal::new(FileProgress::new(transfer.name.clone(), transfer.size));
        Rc::new(FileJob {
            file,
            transfer,
            key,
            stop: StopToken::new(),
            spec,
            streams,
            parts: RefCell::new(Vec::new()),
            progress,
            meter: RefCell::new(SpeedMeter::default()),
            retrying: Cell::new(0),
        })
    }

    pub(super) fn metadata(&self) -> String {
        upload_metadata(self.transfer.id, &self.transfer.name)
    }

    /// Uploads the file; `Ok` once the gateway holds all of it.
    pub async fn upload(self: &Rc<Self>) -> Result<(), TusError> {
        if self.transfer.complete {
            resume::forget(&self.key);
            self.set_stage(FileStage::Complete);
            return Ok(());
        }
        self.set_stage(FileStage::Uploading);
        let ranges = part_ranges(
            self.transfer.size,
            self.spec.chunk_size(),
            self.spec.parallel(),
        );
        // A final concatenation refused because a part has expired starts the file over, once.
        for attempt in 0..2 {
            self.prepare(&ranges).await?;
            let parts = (0..ranges.len())
                .map(|index| self.run_part(index))
                .collect();
            for result in join_all(parts).await {
                result?;
            }
            if ranges.len() > 1 {
                let urls: Vec<String> = self.parts.borrow().iter().map(|p| p.url.clone()).collect();
                let concat = concat_final(&urls);
                let metadata = self.metadata();
                let created = self
                    .call(|gateway| {
                        let (concat, metadata) = (concat.clone(), metadata.clone());
                        async move {
                            tus::create(
                                &gateway,
                                self.transfer.size,
                                &metadata,
                                Some(concat),
                                &self.stop,
                            )
                            .await
                        }
                    })
                    .await;
                match created {
                    Ok(_) => {}
                    Err(TusError::Stopped) => return Err(TusError::Stopped),
                    // The answer to an earlier attempt may have been lost: ask the server.
                    Err(_) if self.completed_meanwhile().await => {}
                    Err(TusError::Gone) if attempt == 0 => {
                        resume::forget(&self.key);
                        continue;
                    }
                    Err(error) => return Err(error),
                }
            }
            break;
        }
        resume::forget(&self.key);
        self.set_stage(FileStage::Complete);
        Ok(())
    }

    /// Whether the server has the file complete after all (a fresh spec says so).
    async fn completed_meanwhile(&self) -> bool {
        self.spec.refresh().await.is_ok() && self.spec.is_complete(self.transfer.id)
    }

    /// Finds the parts the gateway already holds (remembered URLs), creates the others, and
    /// remembers them all.
    async fn prepare(self: &Rc<Self>, ranges: &[Range<u64>]) -> Result<(), TusError> {
        let remembered = resume::load(&self.key)
            .and_then(|record| record.urls_for(ranges).map(<[String]>::to_vec))
            .unwrap_or_default();
        let mut parts = Vec::with_capacity(ranges.len());
        for (index, range) in ranges.iter().enumerate() {
            let resumed = match remembered.get(index) {
                Some(url) => match self
                    .call(|gateway| async move { tus::offset(&gateway, url, &self.stop).await })
                    .await
                {
                    Ok(offset) if offset <= range.end - range.start => Some((url.clone(), offset)),
                    Err(TusError::Stopped) => return Err(TusError::Stopped),
                    // Gone, or not this upload any more: start the part afresh.
                    _ => None,
                },
                None => None,
            };
            let (url, acked) = match resumed {
                Some(resumed) => resumed,
                None => (self.create_part(range, ranges.len() > 1).await?, 0),
            };
            parts.push(Part {
                range: range.clone(),
                url,
                acked,
                in_flight: 0,
            });
        }
        *self.parts.borrow_mut() = parts;
        self.remember();
        self.report();
        Ok(())
    }

    /// A new upload for `range`: a partial one when the file has several parts.
    pub(super) async fn create_part(
        self: &Rc<Self>,
        range: &Range<u64>,
        partial: bool,
    ) -> Result<String, TusError> {
        let metadata = self.metadata();
        let length = range.end - range.start;
        self.call(|gateway| {
            let metadata = metadata.clone();
            async move {
                let concat = partial.then(|| "partial".to_owned());
                tus::create(&gateway, length, &metadata, concat, &self.stop).await
            }
        })
        .await
    }

    /// Saves the parts' URLs for resuming (not for an empty file: it completes on creation).
    pub(super) fn remember(&self) {
        let parts = self.parts.borrow();
        if self.transfer.size == 0 {
            return;
        }
        resume::save(
            &self.key,
            &ResumeRecord {
                urls: parts.iter().map(|part| part.url.clone()).collect(),
                concatenated: parts.len() > 1,
                ranges: parts.iter().map(|p| [p.range.start, p.range.end]).collect(),
            },
        );
    }

    pub(super) fn set_stage(&self, stage: FileStage) {
        let complete = stage == FileStage::Complete;
        self.progress.try_update(|progress| {
            progress.stage = stage;
            if complete {
                progress.done = progress.size;
                progress.speed = None;
            }
        });
    }

    /// Recomputes bytes done and speed from the parts (on each progress event, and every second).
    pub(super) fn report(&self) {
        let done: u64 = self
            .parts
            .borrow()
            .iter()
            .map(|part| part.acked + part.in_flight)
            .sum();
        let done = done.min(self.transfer.size);
        let now = Date::now();
        let speed = {
            let mut meter = self.meter.borrow_mut();
            meter.record(now, done);
            meter.speed(now)
        };
        self.progress.try_update(|progress| {
            if progress.stage != FileStage::Complete {
                progress.done = done;
                progress.speed = speed;
            }
        });
    }
}
