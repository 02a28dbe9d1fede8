//! Upload URLs remembered in `localStorage`, so that choosing the same file again for the same
//! draft (after a reload, or after a failed attempt) continues where the gateway left off.
//!
//! Key: `ferry.upload.<package>.<name>.<size>.<mtime>`; value: JSON with the upload URLs, whether
//! they are partial uploads to concatenate, and the byte range of each.

use std::ops::Range;

use leptos::prelude::window;
use leptos::serde_json;
use serde::{Deserialize, Serialize};
use web_sys::Storage;

const PREFIX: &str = "ferry.upload.";

/// Where one file's uploads are, on the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeRecord {
    /// One URL per part, in file order.
    pub urls: Vec<String>,
    /// Partial uploads joined by a final concatenation, or one plain upload.
    pub concatenated: bool,
    /// `[start, end)` of each part in the file.
    pub ranges: Vec<[u64; 2]>,
}

impl ResumeRecord {
    /// The remembered uploads, when they were made for exactly this way of cutting up the file.
    pub fn urls_for(&self, ranges: &[Range<u64>]) -> Option<&[String]> {
        let same = self.concatenated == (ranges.len() > 1)
            && self.urls.len() == ranges.len()
            && self
                .ranges
                .iter()
                .zip(ranges)
                .all(|(remembered, range)| *remembered == [range.start, range.end])
            && self.ranges.len() == ranges.len();
        same.then_some(self.urls.as_slice())
    }
}

/// The key of one chosen file of one draft. The modification time (ms since the epoch) tells a
/// file apart from another one of the same name and size.
pub fn storage_key(package_id: i64, name: &str, size: u64, modified_ms: f64) -> String {
    format!(
        "{}{package_id}.{name}.{size}.{}",
        PREFIX,
        modified_ms.max(0.0) as u64
    )
}

fn storage() -> Option<Storage> {
    window().local_storage().ok().flatten()
}

/// The record under `key`, if there is a readable one.
pub fn load(key: &str) -> Option<ResumeRecord> {
    let text = storage()?.get_item(key).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Remembers `record` (quietly does nothing when storage is full or disabled: resuming is a bonus).
pub fn save(key: &str, record: &ResumeRecord) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(record)) {
        let _ = storage.set_item(key, &text);
    }
}

/// Forgets one file's uploads (it is complete, or cancelled).
pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

/// Forgets every file of a package (it was sent).
pub fn forget_package(package_id: i64) {
    let Some(storage) = storage() else { return };
    let prefix = format!("{PREFIX}{package_id}.");
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(&prefix))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_package_file_size_and_time() {
        assert_eq!(
            storage_key(7, "report.final.pdf", 1234, 1_700_000_000_123.0),
            "ferry.upload.7.report.final.pdf.1234.1700000000123"
        );
    }

    #[test]
    fn record_round_trips_and_matches_only_the_same_layout() {
        let record = ResumeRecord {
            urls: vec!["http://g/tus/a".into(), "http://g/tus/b".into()],
            concatenated: true,
            ranges: vec![[0, 10], [10, 15]],
        };
        let json = serde_json::to_string(&record).expect("serialises");
        let back: ResumeRecord = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, record);
        assert_eq!(
            back.urls_for(&[0..10, 10..15]).map(<[String]>::len),
            Some(2)
        );
        assert_eq!(back.urls_for(std::slice::from_ref(&(0..15))), None);
        assert_eq!(back.urls_for(&[0..8, 8..15]), None);
    }
}
