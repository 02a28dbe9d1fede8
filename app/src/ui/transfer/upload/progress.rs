//! What the page shows about each file and about the whole package while it uploads.

use crate::ui::transfer::speed::progress_words;

/// Where one file is.
#[derive(Debug, Clone, PartialEq)]
pub enum FileStage {
    /// Not started yet (other files go first).
    Waiting,
    Uploading,
    /// The network or the gateway failed; waiting to try again (or for the browser to be online).
    Retrying,
    Complete,
    /// Cancel was pressed: its uploads are being deleted and the server told to drop it.
    Cancelling,
    /// No longer part of the package.
    Cancelled,
    /// Stopped for good, with the reason.
    Failed(String),
}

/// One file's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct FileProgress {
    pub name: String,
    /// Bytes the gateway holds or that are on their way.
    pub done: u64,
    pub size: u64,
    /// Bytes per second, averaged over the last seconds, once known.
    pub speed: Option<f64>,
    pub stage: FileStage,
}

impl FileProgress {
    pub fn new(name: String, size: u64) -> Self {
        FileProgress {
            name,
            done: 0,
            size,
            speed: None,
            stage: FileStage::Waiting,
        }
    }

    /// Whether the file still belongs to the package.
    pub fn counts(&self) -> bool {
        !matches!(self.stage, FileStage::Cancelling | FileStage::Cancelled)
    }

    /// Whether it can still be cancelled.
    pub fn cancellable(&self) -> bool {
        matches!(
            self.stage,
            FileStage::Waiting | FileStage::Uploading | FileStage::Retrying
        )
    }

    /// "12.3 MB of 40.0 MB · 8.1 MB/s · 4 s left", or the stage when that says more.
    pub fn words(&self) -> String {
        match &self.stage {
            FileStage::Waiting => {
                format!("Waiting · {}", progress_words(self.done, self.size, None))
            }
            FileStage::Uploading => progress_words(self.done, self.size, self.speed),
            FileStage::Retrying => format!(
                "{} · Connection lost, retrying…",
                progress_words(self.done, self.size, None)
            ),
            FileStage::Complete => {
                format!("Uploaded · {}", progress_words(self.size, self.size, None))
            }
            FileStage::Cancelling => "Cancelling…".to_owned(),
            FileStage::Cancelled => "Cancelled".to_owned(),
            FileStage::Failed(reason) => reason.clone(),
        }
    }
}

/// All the package's files together (cancelled ones left out).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TotalProgress {
    pub done: u64,
    pub size: u64,
    pub speed: Option<f64>,
}

impl TotalProgress {
    pub fn of<'a>(files: impl IntoIterator<Item = &'a FileProgress>) -> Self {
        files.into_iter().filter(|file| file.counts()).fold(
            TotalProgress::default(),
            |total, file| TotalProgress {
                done: total.done + file.done.min(file.size),
                size: total.size + file.size,
                speed: match (total.speed, file.speed) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                },
            },
        )
    }

    pub fn words(&self) -> String {
        progress_words(self.done, self.size, self.speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_adds_up_files_that_still_count() {
        let mut a = FileProgress::new("a".into(), 100);
        a.done = 50;
        a.speed = Some(10.0);
        let mut b = FileProgress::new("b".into(), 300);
        b.done = 100;
        b.speed = Some(20.0);
        let mut c = FileProgress::new("c".into(), 1000);
        c.stage = FileStage::Cancelled;
        let total = TotalProgress::of([&a, &b, &c]);
        assert_eq!(
            total,
            TotalProgress {
                done: 150,
                size: 400,
                speed: Some(30.0)
            }
        );
        assert_eq!(total.words(), "150 B of 400 B · 30 B/s · 9 s left");
    }
}
