//! One part of a file, chunk after chunk: each PATCH sends a `Blob` slice of the chosen file. After
//! a failure the part waits (backoff, or until the browser is online), asks the gateway for its
//! offset (HEAD) and continues from there; an upload that is gone is created anew.

use std::rc::Rc;

use super::backoff::retry_delay;
use super::file::FileJob;
use super::plan::next_chunk;
use super::tus::{self, TusError};
use crate::ui::transfer::wait::{sleep, until_online};

impl FileJob {
    /// Uploads part `index` until the gateway holds all of it.
    pub(super) async fn run_part(self: &Rc<Self>, index: usize) -> Result<(), TusError> {
        let mut retrying = false;
        let result = self.send_part(index, &mut retrying).await;
        if retrying {
            self.set_retrying(false);
        }
        result
    }

    /// `retrying` says whether this part has marked the file as retrying (until the gateway
    /// answers again).
    async fn send_part(self: &Rc<Self>, index: usize, retrying: &mut bool) -> Result<(), TusError> {
        let chunk_size = self.spec.chunk_size();
        let mut refused_tokens = 0;
        let mut failures = 0;
        loop {
            let (range, url, acked) = {
                let parts = self.parts.borrow();
                let part = &parts[index];
                (part.range.clone(), part.url.clone(), part.acked)
            };
            let Some(chunk) = next_chunk(&range, acked, chunk_size) else {
                return Ok(());
            };
            if self.stop.is_stopped() {
                return Err(TusError::Stopped);
            }
            until_online(&self.stop).await;
            // A slice is a view of the file on disk: no byte is read into memory here.
            let blob = self
                .file
                .slice_with_f64_and_f64(chunk.start as f64, chunk.end as f64)
                .map_err(|_| {
                    TusError::Refused(
                        "This file can no longer be read. Choose it again.".to_owned(),
                    )
                })?;
            let on_progress: Rc<dyn Fn(f64)> = Rc::new({
                let job = Rc::clone(self);
                move |loaded: f64| {
                    job.set_part(index, |part| part.in_flight = loaded as u64);
                    job.report();
                }
            });
            let Some(stream) = self.streams.acquire(&self.stop).await else {
                return Err(TusError::Stopped);
            };
            let sent = match self.spec.gateway().await {
                Ok(gateway) => {
                    tus::patch(&gateway, &url, acked, blob, on_progress, &self.stop).await
                }
                Err(error) => Err(error),
            };
            drop(stream);
            self.set_part(index, |part| part.in_flight = 0);
            match sent {
                Ok(offset) => {
                    self.set_part(index, |part| part.acked = offset);
                    failures = 0;
                    refused_tokens = 0;
                    self.report();
                    continue;
                }
                Err(TusError::Gone) => {
                    self.recreate(index).await?;
                    continue;
                }
                Err(TusError::Unauthorized) if refused_tokens < 2 => {
                    refused_tokens += 1;
                    match self.spec.refresh().await {
                        Ok(()) | Err(TusError::Transient) => {}
                        Err(error) => return Err(error),
                    }
                }
                Err(TusError::Transient | TusError::OffsetMismatch) => {
                    if !*retrying {
                        *retrying = true;
                        self.set_retrying(true);
                    }
                    self.report();
                    sleep(retry_delay(failures), &self.stop).await;
                    failures += 1;
                }
                Err(TusError::Unauthorized) => {
                    return Err(TusError::Refused(
                        "The gateway did not accept the transfer token.".to_owned(),
                    ));
                }
                Err(error) => return Err(error),
            }
            // Continue from what the gateway holds.
            let url = &url;
            match self
                .call(|gateway| async move { tus::offset(&gateway, url, &self.stop).await })
                .await
            {
                Ok(offset) => {
                    self.set_part(index, |part| part.acked = offset);
                    self.report();
                    if *retrying {
                        *retrying = false;
                        self.set_retrying(false);
                    }
                }
                Err(TusError::Gone) => self.recreate(index).await?,
                Err(error) => return Err(error),
            }
        }
    }

    /// Replaces a part's upload that the gateway no longer has with a new, empty one.
    async fn recreate(self: &Rc<Self>, index: usize) -> Result<(), TusError> {
        let (range, partial) = {
            let parts = self.parts.borrow();
            (parts[index].range.clone(), parts.len() > 1)
        };
        let url = self.create_part(&range, partial).await?;
        self.set_part(index, |part| {
            part.url = url;
            part.acked = 0;
        });
        self.remember();
        self.report();
        Ok(())
    }

    fn set_part(&self, index: usize, change: impl FnOnce(&mut super::file::Part)) {
        if let Some(part) = self.parts.borrow_mut().get_mut(index) {
            change(part);
        }
    }
}
