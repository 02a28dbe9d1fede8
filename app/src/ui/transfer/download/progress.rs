//! What the package page shows about each file's download.

use crate::ui::format::human_size;
use crate::ui::transfer::speed::progress_words;

/// Where one file's download is.
#[derive(Debug, Clone, PartialEq)]
pub enum DownloadStage {
    /// Not asked for yet (or finished earlier and can be downloaded again).
    Idle,
    /// "Download all" will get to it after the files before it.
    Waiting,
    Downloading,
    /// Every byte arrived and the file was handed to the browser's downloads.
    Saved,
    /// Stopped with the reason; Retry continues from the bytes already received.
    Failed(String),
    /// The file was deleted on the server (expiration or an admin): nothing more to fetch.
    Deleted(String),
}

/// One file's download progress.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadProgress {
    /// Bytes received (and kept for resuming after a failure).
    pub done: u64,
    pub size: u64,
    /// Bytes per second, averaged over the last seconds, once known.
    pub speed: Option<f64>,
    pub stage: DownloadStage,
}

impl DownloadProgress {
    pub fn new(size: u64) -> Self {
        DownloadProgress {
            done: 0,
            size,
            speed: None,
            stage: DownloadStage::Idle,
        }
    }

    /// Waiting or downloading: leaving the page would lose it.
    pub fn is_active(&self) -> bool {
        matches!(
            self.stage,
            DownloadStage::Waiting | DownloadStage::Downloading
        )
    }

    /// Whether a progress bar says anything (the download started at some point).
    pub fn has_started(&self) -> bool {
        !matches!(self.stage, DownloadStage::Idle | DownloadStage::Deleted(_))
    }

    /// "12.3 MB of 40.0 MB · 8.1 MB/s · 4 s left", or the stage when that says more.
    pub fn words(&self) -> String {
        match &self.stage {
            DownloadStage::Idle => String::new(),
            DownloadStage::Waiting => {
                format!("Waiting · {}", progress_words(self.done, self.size, None))
            }
            DownloadStage::Downloading => progress_words(self.done, self.size, self.speed),
            DownloadStage::Saved => format!(
                "Downloaded · {} · saved to your browser's downloads",
                human_size(self.size)
            ),
            DownloadStage::Failed(reason) if self.done > 0 => format!(
                "{reason} {} of {} received; Retry continues from there.",
                human_size(self.done),
                human_size(self.size)
            ),
            DownloadStage::Failed(reason) => format!("{reason} Press Retry to try again."),
            DownloadStage::Deleted(reason) => reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stage: DownloadStage, done: u64) -> DownloadProgress {
        DownloadProgress {
            done,
            size: 40_000_000,
            speed: Some(8_100_000.0),
            stage,
        }
    }

    #[test]
    fn words_follow_the_stage() {
        assert_eq!(
            at(DownloadStage::Downloading, 12_300_000).words(),
            "12.3 MB of 40.0 MB · 8.1 MB/s · 4 s left"
        );
        assert_eq!(
            at(DownloadStage::Waiting, 0).words(),
            "Waiting · 0 B of 40.0 MB"
        );
        assert_eq!(
            at(DownloadStage::Saved, 40_000_000).words(),
            "Downloaded · 40.0 MB · saved to your browser's downloads"
        );
        assert_eq!(
            at(
                DownloadStage::Failed("The connection was lost.".into()),
                1_000_000
            )
            .words(),
            "The connection was lost. 1.0 MB of 40.0 MB received; Retry continues from there."
        );
        assert_eq!(
            at(DownloadStage::Failed("Refused.".into()), 0).words(),
            "Refused. Press Retry to try again."
        );
    }

    #[test]
    fn only_waiting_and_running_downloads_hold_the_page() {
        assert!(at(DownloadStage::Waiting, 0).is_active());
        assert!(at(DownloadStage::Downloading, 0).is_active());
        assert!(!at(DownloadStage::Saved, 0).is_active());
        assert!(!at(DownloadStage::Failed(String::new()), 0).is_active());
        assert!(!DownloadProgress::new(1).has_started());
    }
}
