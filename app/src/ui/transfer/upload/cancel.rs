//! Cancelling one file of a package being sent: its requests are aborted, its uploads deleted on
//! the gateway, and the spec requested again without it so that the server drops it.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::backoff::retry_delay;
use super::file::FileJob;
use super::package::PackageUpload;
use super::progress::FileStage;
use super::resume;
use super::tus::{self, TusError};
use crate::ui::transfer::stop::{Stop, StopToken};
use crate::ui::transfer::wait::{join_all, sleep};

/// Attempts at telling the server to drop a cancelled file before giving up.
const DROP_ATTEMPTS: u32 = 5;
/// Attempts at deleting each of a cancelled file's uploads (they expire anyway), and the pause
/// between them. Short: other files may complete meanwhile, and the server should drop this one
/// before they do.
const DELETE_ATTEMPTS: u32 = 3;
const DELETE_RETRY: Duration = Duration::from_millis(300);

impl PackageUpload {
    /// Stops one file: aborts its requests, deletes its uploads on the gateway and asks the
    /// server to drop it from the package.
    pub fn cancel(&self, index: usize) {
        let Some(job) = self.0.jobs.get(index).cloned() else {
            return;
        };
        if !job.progress.get_untracked().cancellable() {
            return;
        }
        job.set_stage(FileStage::Cancelling);
        job.stop.stop(Stop::Cancel);
        // A running job is cleaned up by its worker once its requests have stopped.
        if !self.0.running.borrow().contains(&index) {
            self.0.cleanups.set(self.0.cleanups.get() + 1);
            let this = self.clone();
            spawn_local(async move {
                this.clean_up(&job).await;
                this.cleanup_finished();
            });
        }
    }

    /// Deletes a cancelled file's uploads (best effort: abandoned ones expire anyway), forgets
    /// them, and requests the spec again without the file so the server drops it.
    pub(super) async fn clean_up(&self, job: &FileJob) {
        let gateway = self.0.spec.current_gateway();
        let mut urls: Vec<String> = job.parts.borrow().iter().map(|p| p.url.clone()).collect();
        if let Some(record) = resume::load(&job.key) {
            for url in record.urls {
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
        }
        let requests = StopToken::new();
        let deletions = urls.iter().map(|url| {
            let (gateway, requests) = (&gateway, &requests);
            async move {
                // The gateway may still hold the lock of the PATCH just aborted (423): the lock
                // goes with the connection, so try again shortly.
                for _ in 0..DELETE_ATTEMPTS {
                    match tus::terminate(gateway, url, requests).await {
                        Err(TusError::Transient) => sleep(DELETE_RETRY, requests).await,
                        _ => break,
                    }
                }
            }
        });
        join_all(deletions.collect()).await;
        resume::forget(&job.key);
        self.0.spec.drop_file(&job.transfer.name, job.transfer.size);
        for attempt in 0..DROP_ATTEMPTS {
            match self.0.spec.refresh().await {
                Err(TusError::Transient) if !self.0.aborted.get() => {
                    sleep(retry_delay(attempt), &requests).await;
                }
                _ => break,
            }
        }
        job.set_stage(FileStage::Cancelled);
    }

    fn cleanup_finished(&self) {
        self.0.cleanups.set(self.0.cleanups.get().saturating_sub(1));
        if self.0.cleanups.get() == 0 {
            let waiters: Vec<_> = self.0.cleanups_done.borrow_mut().drain(..).collect();
            for slot in waiters {
                slot.fill(());
            }
        }
    }
}
