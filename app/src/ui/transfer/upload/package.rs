//! A whole package's upload: its files, two at a time, each in parallel parts; Cancel per file;
//! aborting everything when the page goes away; and the browser's `online`/`offline` events, which
//! interrupt the transfers so they wait and then resume at once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use web_sys::File;

use super::file::FileJob;
use super::progress::{FileProgress, FileStage};
use super::spec::SpecSource;
use super::tus::TusError;
use crate::types::{DeclaredFile, TransferSpec};
use crate::ui::transfer::stop::Stop;
use crate::ui::transfer::wait::{Slot, Streams, join_all};

/// Files uploading at the same time (each in up to `spec.parallel` parts).
const FILES_AT_ONCE: usize = 2;
/// PATCH requests in flight at once, all files together: browsers open at most six connections to
/// one host, and one is left for HEAD and POST.
const MAX_STREAMS: usize = 5;

/// How the upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    /// Every file still in the package is on the gateway.
    Complete,
    /// Every file was cancelled: the draft has none left.
    NothingLeft,
    /// Some files failed for good: "name: reason" for each.
    Failed(Vec<String>),
    /// The page went away.
    Aborted,
}

/// The upload of one draft's files; cheap to clone.
#[derive(Clone)]
pub struct PackageUpload(pub(super) Rc<Inner>);

pub(super) struct Inner {
    pub(super) spec: Rc<SpecSource>,
    pub(super) jobs: Vec<Rc<FileJob>>,
    pub(super) next: Cell<usize>,
    /// Jobs a worker has started and not finished.
    pub(super) running: RefCell<Vec<usize>>,
    /// Cancellations still talking to the gateway and the server.
    pub(super) cleanups: Cell<usize>,
    pub(super) cleanups_done: RefCell<Vec<Slot<()>>>,
    pub(super) aborted: Cell<bool>,
}

impl PackageUpload {
    /// Prepares the upload of `files` (each with its entry of `spec.files`) to the draft the spec
    /// is for; `declared` is the list the spec was requested with.
    pub fn new(spec: TransferSpec, declared: Vec<DeclaredFile>, files: Vec<(File, usize)>) -> Self {
        let spec_files = spec.files.clone();
        let spec = Rc::new(SpecSource::new(spec, declared));
        let streams = Streams::new(MAX_STREAMS);
        let jobs = files
            .into_iter()
            .filter_map(|(file, index)| spec_files.get(index).map(|t| (file, t.clone())))
            .map(|(file, transfer)| FileJob::new(file, transfer, Rc::clone(&spec), streams.clone()))
            .collect();
        PackageUpload(Rc::new(Inner {
            spec,
            jobs,
            next: Cell::new(0),
            running: RefCell::new(Vec::new()),
            cleanups: Cell::new(0),
            cleanups_done: RefCell::new(Vec::new()),
            aborted: Cell::new(false),
        }))
    }

    /// Each file's progress, in the order given to [`PackageUpload::new`].
    pub fn files(&self) -> Vec<RwSignal<FileProgress>> {
        self.0.jobs.iter().map(|job| job.progress).collect()
    }

    /// Uploads every file; returns when all are done, cancelled or failed, or the page went away.
    pub async fn run(&self) -> UploadOutcome {
        let inner = &self.0;
        // Weak: the listeners' closures are only freed with the page, not when removed.
        let interrupt_all = {
            let inner = Rc::downgrade(&self.0);
            move || {
                if let Some(inner) = inner.upgrade() {
                    inner.jobs.iter().for_each(|job| job.stop.interrupt());
                }
            }
        };
        let offline = window_event_listener(leptos::ev::offline, {
            let interrupt_all = interrupt_all.clone();
            move |_| interrupt_all()
        });
        let online = window_event_listener(leptos::ev::online, move |_| interrupt_all());
        let ticker = set_interval_with_handle(
            {
                let inner = Rc::downgrade(&self.0);
                move || {
                    if let Some(inner) = inner.upgrade() {
                        for &index in inner.running.borrow().iter() {
                            inner.jobs[index].report();
                        }
                    }
                }
            },
            Duration::from_secs(1),
        )
        .ok();

        join_all((0..FILES_AT_ONCE).map(|_| self.worker()).collect()).await;
        while inner.cleanups.get() > 0 {
            let slot = Slot::new();
            inner.cleanups_done.borrow_mut().push(slot.clone());
            slot.wait().await;
        }

        offline.remove();
        online.remove();
        if let Some(ticker) = ticker {
            ticker.clear();
        }
        self.outcome()
    }

    /// Stops everything (the page is going away); the gateway keeps the uploads for resuming.
    pub fn abort(&self) {
        self.0.aborted.set(true);
        for job in &self.0.jobs {
            job.stop.stop(Stop::Abort);
        }
    }

    async fn worker(&self) {
        let inner = &self.0;
        loop {
            let index = inner.next.get();
            let Some(job) = inner.jobs.get(index).cloned() else {
                return;
            };
            inner.next.set(index + 1);
            if job.stop.is_stopped() {
                continue;
            }
            inner.running.borrow_mut().push(index);
            let result = job.upload().await;
            match result {
                Ok(()) => {}
                Err(TusError::Stopped) if job.stop.stopped() == Some(Stop::Cancel) => {
                    self.clean_up(&job).await;
                }
                Err(TusError::Stopped) => {}
                Err(TusError::Refused(reason)) => job.set_stage(FileStage::Failed(reason)),
                Err(_) => job.set_stage(FileStage::Failed(
                    "The gateway could not take this file.".to_owned(),
                )),
            }
            inner
                .running
                .borrow_mut()
                .retain(|&running| running != index);
        }
    }

    fn outcome(&self) -> UploadOutcome {
        if self.0.aborted.get() {
            return UploadOutcome::Aborted;
        }
        let files: Vec<FileProgress> = self
            .0
            .jobs
            .iter()
            .filter_map(|j| j.progress.try_get_untracked())
            .collect();
        let failed: Vec<String> = files
            .iter()
            .filter_map(|file| match &file.stage {
                FileStage::Failed(reason) => Some(format!("{}: {reason}", file.name)),
                _ => None,
            })
            .collect();
        if !failed.is_empty() {
            UploadOutcome::Failed(failed)
        } else if files.iter().all(|file| !file.counts()) || !self.0.spec.has_files() {
            UploadOutcome::NothingLeft
        } else {
            UploadOutcome::Complete
        }
    }
}
