//! How a file's requests are retried: while the browser is offline they wait for it to come back;
//! after a transient failure they back off (1 s, 2 s, 4 s … up to 30 s, without giving up); after a
//! 401 they get a fresh token. The file's row says "retrying" meanwhile.

use std::future::Future;

use leptos::prelude::Update;

use super::backoff::retry_delay;
use super::file::FileJob;
use super::progress::FileStage;
use super::tus::{Gateway, TusError};
use crate::ui::transfer::wait::{sleep, until_online};

impl FileJob {
    /// Runs a request until it gets an answer that is not "try again": waits while offline, backs
    /// off after transient failures, and gets a fresh token after a 401.
    pub(super) async fn call<T, F, Fut>(&self, mut request: F) -> Result<T, TusError>
    where
        F: FnMut(Gateway) -> Fut,
        Fut: Future<Output = Result<T, TusError>>,
    {
        let mut failures = 0;
        let mut refused_tokens = 0;
        let answer = loop {
            if self.stop.is_stopped() {
                break Err(TusError::Stopped);
            }
            until_online(&self.stop).await;
            let answer = match self.spec.gateway().await {
                Ok(gateway) => request(gateway).await,
                Err(error) => Err(error),
            };
            match answer {
                Err(TusError::Transient) => {
                    if failures == 0 {
                        self.set_retrying(true);
                    }
                    sleep(retry_delay(failures), &self.stop).await;
                    failures += 1;
                }
                Err(TusError::Unauthorized) if refused_tokens < 2 => {
                    refused_tokens += 1;
                    match self.spec.refresh().await {
                        Ok(()) | Err(TusError::Transient) => {}
                        Err(error) => break Err(error),
                    }
                }
                Err(TusError::Unauthorized) => {
                    break Err(TusError::Refused(
                        "The gateway did not accept the transfer token.".to_owned(),
                    ));
                }
                answer => break answer,
            }
        };
        if failures > 0 {
            self.set_retrying(false);
        }
        answer
    }

    /// Marks one of the file's requests as retrying (or done retrying).
    pub(super) fn set_retrying(&self, retrying: bool) {
        let count = self.retrying.get();
        let count = if retrying {
            count + 1
        } else {
            count.saturating_sub(1)
        };
        self.retrying.set(count);
        let stage = if count > 0 {
            FileStage::Retrying
        } else {
            FileStage::Uploading
        };
        self.progress.try_update(|progress| {
            if matches!(progress.stage, FileStage::Uploading | FileStage::Retrying) {
                progress.stage = stage;
            }
        });
    }
}
