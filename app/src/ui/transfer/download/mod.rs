//! The download engine: gets a sent package's files from the HTTP gateway onto the user's disk,
//! one file at a time, never holding more of a file in memory than the chunks on their way.
//!
//! Two paths, chosen by what the browser offers:
//! - **File System Access** (Chromium): the user picks a file (or, for "Download all", a folder
//!   once), and the page streams each file's body into it, with progress, the navigate-away guard,
//!   and Retry that continues from the bytes written with `Range` and `If-Range`. The page says
//!   "Saved" only once the written file is closed.
//! - **The browser's own downloads** (elsewhere): the page clicks a short-lived link to the file;
//!   the browser's download manager fetches it to disk and resumes it itself. The page follows what
//!   the server delivered, and says the file was handed over, never that it was saved.
//!
//! Everything the page drives stops when the page goes away.
//!
//! - [`job`]: one file through the page; [`body`]: one request and its body; [`disk`]: the pickers
//!   and the file written; [`browser`]: one file through the browser's downloads;
//! - [`answer`]: what a status means for the bytes written; [`spec`]: the receive spec and token;
//! - [`progress`], [`error`]: what the page shows.

mod answer;
mod body;
mod browser;
mod disk;
mod error;
mod job;
mod progress;
mod spec;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::types::PackageFile;
use disk::{FolderHandle, PickError, SaveTarget};
use job::FileDownload;
use spec::ReceiveSpec;

pub use browser::hand_over_zip;
pub use progress::{DownloadProgress, DownloadStage};

/// The downloads of the package on the page; `Copy`, so views and handlers can hold it.
#[derive(Clone, Copy)]
pub struct PackageDownloads {
    inner: StoredValue<Rc<Inner>, LocalStorage>,
    /// Files waiting, downloading, or followed in the browser's downloads.
    active: RwSignal<usize>,
    /// Files the page itself writes (or will): leaving the page would lose them.
    page_driven: RwSignal<usize>,
}

struct Inner {
    package_id: i64,
    spec: ReceiveSpec,
    jobs: RefCell<BTreeMap<i64, Rc<FileDownload>>>,
    aborted: Cell<bool>,
    /// The owner of the downloads' signals: the page, not the file rows, which are drawn again
    /// whenever the package is reloaded.
    owner: Owner,
    /// Called each time the last running download ends (the page reloads the package then).
    on_idle: Callback<()>,
}

/// Where a batch of files goes.
enum Route {
    /// Written by the page: into each job's chosen file, or into this folder.
    Disk(Option<FolderHandle>),
    /// Handed to the browser's downloads.
    Browser,
}

impl PackageDownloads {
    /// Downloads of package `package_id`, stopped when the calling component goes away.
    pub fn new(package_id: i64, on_idle: Callback<()>) -> Self {
        let downloads = PackageDownloads {
            inner: StoredValue::new_local(Rc::new(Inner {
                package_id,
                spec: ReceiveSpec::new(package_id),
                jobs: RefCell::new(BTreeMap::new()),
                aborted: Cell::new(false),
                owner: Owner::current().unwrap_or_default(),
                on_idle,
            })),
            active: RwSignal::new(0),
            page_driven: RwSignal::new(0),
        };
        on_cleanup(move || downloads.abort());
        downloads
    }

    /// The package whose files these are.
    pub fn package_id(&self) -> i64 {
        self.inner.with_value(|inner| inner.package_id)
    }

    /// Whether any file is on its way (tracked).
    pub fn is_active(&self) -> bool {
        self.active.get() > 0
    }

    /// Whether leaving the page would stop a download (tracked): the browser's own downloads go
    /// on without the page.
    pub fn holds_page(&self) -> bool {
        self.page_driven.get() > 0
    }

    /// The progress of `file`'s download (its row shows it).
    pub fn progress(&self, file: &PackageFile) -> RwSignal<DownloadProgress> {
        self.job(file).progress
    }

    /// Downloads one file (the rest of it, after a failure), unless it is already on its way.
    /// Called from the click: the save picker needs the click's user activation.
    pub fn start(&self, file: &PackageFile) {
        let job = self.job(file);
        if job.progress.get_untracked().is_active() {
            return;
        }
        if !disk::has_pickers() {
            self.run(vec![job], Route::Browser);
            return;
        }
        if job.has_target() {
            // Retry: into the file chosen before, from the bytes written.
            self.run(vec![job], Route::Disk(None));
            return;
        }
        let picked = disk::pick_file(&file.name);
        let downloads = *self;
        spawn_local(async move {
            match picked.await {
                Ok(handle) => {
                    job.set_target(SaveTarget::new(handle));
                    downloads.run(vec![job], Route::Disk(None));
                }
                Err(error) => picker_failed([&*job], &error),
            }
        });
    }

    /// Downloads `files` one after another, leaving out any already on its way: into one folder
    /// the user picks, or through the browser's downloads.
    pub fn start_all(&self, files: &[PackageFile]) {
        let jobs: Vec<_> = files
            .iter()
            .map(|file| self.job(file))
            .filter(|job| !job.progress.get_untracked().is_active())
            .collect();
        if jobs.is_empty() {
            return;
        }
        if !disk::has_pickers() {
            self.run(jobs, Route::Browser);
            return;
        }
        let picked = disk::pick_folder();
        let downloads = *self;
        spawn_local(async move {
            match picked.await {
                Ok(folder) => downloads.run(jobs, Route::Disk(Some(folder))),
                Err(error) => picker_failed(jobs.iter().map(Rc::as_ref), &error),
            }
        });
    }

    /// Cancels `file`'s download if the page is getting it: one under way stops at once and
    /// saves nothing; one waiting its turn in "Download all" is left out.
    pub fn cancel(&self, file: &PackageFile) {
        let job = self.job(file);
        match job.progress.get_untracked().stage {
            DownloadStage::Waiting => {
                job.discard();
                job.set_stage(DownloadStage::Cancelled);
            }
            DownloadStage::Downloading => job.stopper.cancel(),
            _ => {}
        }
    }

    /// Stops every download the page drives (the page is going away).
    pub fn abort(&self) {
        if let Some(inner) = self.inner.try_get_value() {
            inner.aborted.set(true);
            for job in inner.jobs.borrow().values() {
                job.stopper.abort();
                job.discard();
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

    fn run(&self, jobs: Vec<Rc<FileDownload>>, route: Route) {
        let Some(inner) = self.inner.try_get_value() else {
            return;
        };
        if jobs.is_empty() || inner.aborted.get() {
            return;
        }
        for job in &jobs {
            job.set_stage(DownloadStage::Waiting);
        }
        let (active, page_driven) = (self.active, self.page_driven);
        let on_page = usize::from(matches!(route, Route::Disk(_)));
        active.update(|count| *count += jobs.len());
        page_driven.update(|count| *count += jobs.len() * on_page);
        spawn_local(async move {
            for job in jobs {
                // A file cancelled while it waited is skipped.
                let waiting = job.progress.get_untracked().stage == DownloadStage::Waiting;
                if waiting && !inner.aborted.get() {
                    match &route {
                        Route::Browser => {
                            browser::hand_over(&job, inner.package_id, &inner.aborted).await;
                        }
                        Route::Disk(folder) => write_to_disk(&job, folder.as_ref(), &inner).await,
                    }
                }
                active.try_update(|count| *count = count.saturating_sub(1));
                page_driven.try_update(|count| *count = count.saturating_sub(on_page));
            }
            if !inner.aborted.get() && active.try_get_untracked() == Some(0) {
                inner.on_idle.run(());
            }
        });
    }
}

/// One file written by the page: into the file chosen for it, or a new one in `folder`.
async fn write_to_disk(job: &FileDownload, folder: Option<&FolderHandle>, inner: &Inner) {
    if let Some(folder) = folder
        && !job.has_target()
    {
        match disk::file_in(folder, &job.file.name).await {
            Ok(handle) => job.set_target(SaveTarget::new(handle)),
            Err(error) => return picker_failed([job], &error),
        }
    }
    job.run(&inner.spec).await;
}

/// What the rows say when no file or folder came from a picker: nothing when the user closed it.
fn picker_failed<'a>(jobs: impl IntoIterator<Item = &'a FileDownload>, error: &PickError) {
    let PickError::Failed(message) = error else {
        return;
    };
    for job in jobs {
        job.set_stage(DownloadStage::Failed(format!(
            "The browser did not open a place to save the file ({message})."
        )));
    }
}
