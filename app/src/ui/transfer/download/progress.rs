//! What the package page shows about each file's download. The words say "saved" only when the
//! page knows: the file it wrote was closed on disk. A file handed to the browser's own downloads
//! is followed by what the server delivered, and the page asks the person to check its SHA-256.

use crate::ui::format::{human_size, short_hash};
use crate::ui::transfer::GATEWAY_OFF;
use crate::ui::transfer::speed::progress_words;

/// Where one file's download is.
#[derive(Debug, Clone, PartialEq)]
pub enum DownloadStage {
    /// Not asked for yet (or finished earlier and can be downloaded again).
    Idle,
    /// "Download all" will get to it after the files before it.
    Waiting,
    /// The page writes it into the file the user chose.
    Downloading,
    /// Every byte was written and the chosen file closed: `name` holds it.
    Saved { name: String },
    /// The browser's own downloads fetch it; the page shows what the server has delivered.
    InBrowser,
    /// Handed to the browser's downloads, which the page cannot see into; `sha256` to check the
    /// saved file against. `delivered` when the server sent every byte to this user.
    HandedOver {
        sha256: Option<String>,
        delivered: bool,
    },
    /// Stopped with the reason; Retry continues from the bytes already written.
    Failed(String),
    /// The file was deleted on the server (expiration or an admin): nothing more to fetch.
    Deleted(String),
    /// An admin turned the gateway off while it was on its way; the page no longer offers
    /// downloads (a reload after it is on again does).
    GatewayOff,
    /// The person cancelled the download: nothing of it was saved; Download starts over.
    Cancelled,
}

/// One file's download progress.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadProgress {
    /// Bytes written (or, in the browser's downloads, delivered by the server).
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

    /// On its way: waiting, written by the page, or followed in the browser's downloads.
    pub fn is_active(&self) -> bool {
        matches!(
            self.stage,
            DownloadStage::Waiting | DownloadStage::Downloading | DownloadStage::InBrowser
        )
    }

    /// Whether a progress bar says anything (the download started at some point and was not
    /// cancelled).
    pub fn has_started(&self) -> bool {
        !matches!(
            self.stage,
            DownloadStage::Idle | DownloadStage::Deleted(_) | DownloadStage::Cancelled
        )
    }

    /// Whether the page itself is getting the file, so Cancel can stop it (the browser's own
    /// downloads are cancelled in the browser).
    pub fn can_cancel(&self) -> bool {
        matches!(
            self.stage,
            DownloadStage::Waiting | DownloadStage::Downloading
        )
    }

    /// Whether the progress bar shows a finished download.
    pub fn is_complete(&self) -> bool {
        match self.stage {
            DownloadStage::Saved { .. } => true,
            DownloadStage::HandedOver { delivered, .. } => delivered,
            _ => false,
        }
    }

    /// "12.3 MB of 40.0 MB · 8.1 MB/s · 4 s left", or the stage when that says more.
    pub fn words(&self) -> String {
        match &self.stage {
            DownloadStage::Idle => String::new(),
            DownloadStage::Waiting => {
                format!("Waiting · {}", progress_words(self.done, self.size, None))
            }
            DownloadStage::Downloading => progress_words(self.done, self.size, self.speed),
            DownloadStage::Saved { name } => {
                format!("Saved to {name} · {}", human_size(self.size))
            }
            DownloadStage::InBrowser => format!(
                "In your browser's downloads · delivered {}",
                progress_words(self.done, self.size, self.speed)
            ),
            DownloadStage::HandedOver { sha256, delivered } => {
                let mut words = "Handed to your browser's downloads".to_owned();
                if *delivered {
                    words.push_str(&format!(" · {} delivered", human_size(self.size)));
                }
                if let Some(sha256) = sha256 {
                    words.push_str(&format!(
                        " · check that the saved file's SHA-256 is {}",
                        short_hash(sha256)
                    ));
                }
                words
            }
            DownloadStage::Failed(reason) if self.done > 0 => format!(
                "{reason} {} of {} written; Retry continues from there.",
                human_size(self.done),
                human_size(self.size)
            ),
            DownloadStage::Failed(reason) => format!("{reason} Press Retry to try again."),
            DownloadStage::Deleted(reason) => reason.clone(),
            DownloadStage::GatewayOff => {
                format!("{GATEWAY_OFF} Download it again once it is turned back on.")
            }
            DownloadStage::Cancelled => "Download cancelled: nothing was saved.".to_owned(),
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
            at(
                DownloadStage::Saved {
                    name: "plans.bin".into()
                },
                40_000_000
            )
            .words(),
            "Saved to plans.bin · 40.0 MB"
        );
        assert_eq!(
            at(
                DownloadStage::Failed("The connection was lost.".into()),
                1_000_000
            )
            .words(),
            "The connection was lost. 1.0 MB of 40.0 MB written; Retry continues from there."
        );
        assert_eq!(
            at(DownloadStage::Failed("Refused.".into()), 0).words(),
            "Refused. Press Retry to try again."
        );
    }

    #[test]
    fn the_browser_path_never_says_saved() {
        let sha = "ab".repeat(32);
        let handed = at(
            DownloadStage::HandedOver {
                sha256: Some(sha.clone()),
                delivered: true,
            },
            40_000_000,
        );
        assert_eq!(
            handed.words(),
            format!(
                "Handed to your browser's downloads · 40.0 MB delivered · check that the saved \
                 file's SHA-256 is {}",
                short_hash(&sha)
            )
        );
        assert!(handed.is_complete());
        let following = at(DownloadStage::InBrowser, 12_300_000);
        assert_eq!(
            following.words(),
            "In your browser's downloads · delivered 12.3 MB of 40.0 MB · 8.1 MB/s · 4 s left"
        );
        assert!(following.is_active() && !handed.is_active());
        for progress in [handed, following] {
            assert!(!progress.words().to_lowercase().contains("saved to"));
        }
    }

    #[test]
    fn only_waiting_and_running_downloads_are_on_their_way() {
        assert!(at(DownloadStage::Waiting, 0).is_active());
        assert!(at(DownloadStage::Downloading, 0).is_active());
        assert!(!at(DownloadStage::Saved { name: "a".into() }, 0).is_active());
        assert!(!at(DownloadStage::Failed(String::new()), 0).is_active());
        assert!(!DownloadProgress::new(1).has_started());
    }

    #[test]
    fn only_the_pages_own_downloads_can_be_cancelled_and_a_cancelled_one_shows_no_bar() {
        assert!(at(DownloadStage::Waiting, 0).can_cancel());
        assert!(at(DownloadStage::Downloading, 1).can_cancel());
        assert!(!at(DownloadStage::InBrowser, 1).can_cancel());
        assert!(!at(DownloadStage::Failed(String::new()), 1).can_cancel());
        let cancelled = at(DownloadStage::Cancelled, 12_300_000);
        assert!(!cancelled.has_started() && !cancelled.is_active() && !cancelled.can_cancel());
        assert_eq!(cancelled.words(), "Download cancelled: nothing was saved.");
    }
}
