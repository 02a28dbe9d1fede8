//! The download engine: fetches a sent package's files from the HTTP gateway, one request per file,
//! with progress, and hands each complete file to the browser's downloads. The bytes stay in the
//! browser (fetch stream → `Blob` → object URL); wasm only counts them.
//!
//! A failed download keeps what it received: Retry asks for the rest with `Range` and `If-Range`.
//! "Download all" fetches the files one after another. Everything stops when the page goes away.
//!
//! - [`job`]: one file; [`body`]: one request and its body; [`parts`]: the received bytes;
//! - [`answer`]: what a status means for the bytes held; [`spec`]: the receive spec and its token;
//! - [`progress`], [`error`]: what the page shows.

mod answer;
mod body;
mod error;
mod job;
mod parts;
mod progress;
mod spec;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::types::PackageFile;
use job::FileDownload;
use spec::ReceiveSpec;

pub use progress::{DownloadProgress, DownloadStage};

/// The downloads of the package on the page; `Copy`, so views and handlers can hold it.
#[derive(Clone, Copy)]
pub struct PackageDownloads {
    inner: StoredValue<Rc<Inner>, LocalStorage>,
    /// Files waiting or downloading.
    active: RwSignal<usize>,
}

struct Inner {
    spec: ReceiveSpec,
    jobs: RefCell<BTreeMap<i64, Rc<FileDownload>>>,
    aborted: Cell<bool>,
    /// The owner of the downloads' signals: the page, not the file rows, which are drawn again
    /// whenever the package is reloaded.
    owner: Owner,
    /// Called each time the last running download ends (the page reloads the package then).
    on_idle: Callback<()>,
}

impl PackageDownloads {
    /// Downloads of package `package_id`, stopped when the calling component goes away.
    pub fn new(package_id: i64, on_idle: Callback<()>) -> Self {
        let downloads = PackageDownloads {
            inner: StoredValue::new_local(Rc::new(Inner {
                spec: ReceiveSpec::new(package_id),
                jobs: RefCell::new(BTreeMap::new()),
                aborted: Cell::new(false),
                owner: Owner::current().unwrap_or_default(),
                on_idle,
            })),
            active: RwSignal::new(0),
        };
        on_cleanup(move || downloads.abort());
        downloads
    }

    /// Whether any file is waiting or downloading (tracked).
    pub fn is_active(&self) -> bool {
        self.active.get() > 0
    }

    /// The progress of `file`'s download (its row shows it).
    pub fn progress(&self, file: &PackageFile) -> RwSignal<DownloadProgress> {
        self.job(file).progress
    }

    /// Downloads one file (the rest of it, after a failure), unless it is already on its way.
    pub fn start(&self, file: &PackageFile) {
        let job = self.job(file);
        if job.progress.get_untracked().is_active() {
            return;
        }
        self.run(vec![job]);
    }

    /// Downloads `files` one after another, leaving out any already on its way.
    pub fn start_all(&self, files: &[PackageFile]) {
        let jobs: Vec<_> = files
            .iter()
            .map(|file| self.job(file))
            .filter(|job| !job.progress.get_untracked().is_active())
            .collect();
        for job in &jobs {
            job.set_stage(DownloadStage::Waiting);
        }
        self.run(jobs);
    }

    /// Stops every download (the page is going away).
    pub fn abort(&self) {
        if let Some(inner) = self.inner.try_get_value() {
            inner.aborted.set(true);
            for job in inner.jobs.borrow().values() {
                job.stopper.abort();
            }
        }
    }

    fn job(&self, file: &PackageFile) -> Rc<FileDownload> {
        let inner = self.inner.get_value();
        let mut jobs = inner.jobs.borrow_mut();
        Rc::clone(
            jobs.entry(file.id)
                .or_insert_with(|| Rc::new(inner.owner.with(|| FileDownload::new(file.clone())))),
        )
    }

    fn run(&self, jobs: Vec<Rc<FileDownload>>) {
        if jobs.is_empty() {
            return;
        }
        let inner = self.inner.get_value();
        let active = self.active;
        active.update(|count| *count += jobs.len());
        spawn_local(async move {
            for job in jobs {
                if !inner.aborted.get() {
                    job.run(&inner.spec).await;
                }
                active.try_update(|count| *count = count.saturating_sub(1));
            }
            if !inner.aborted.get() && active.try_get_untracked() == Some(0) {
                inner.on_idle.run(());
            }
        });
    }
}
