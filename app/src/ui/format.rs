//! How numbers, dates and states read on the page: "1.2 MB", the browser's local date and time,
//! "Partially downloaded", "Files are deleted 30 days after the package is sent."

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;
use web_sys::js_sys::{Array, Date, Intl, Object, Reflect};

use crate::types::{Delivery, DownloadState, ExpirationPolicy, PackageState, Role};

/// A byte count in decimal units, as file managers show it: "0 B", "999 B", "1.2 kB", "3.4 GB".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    // Precision loss is fine: one decimal is shown.
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

thread_local! {
    /// The browser's own locale and time zone, medium date and short time ("12 Mar 2025, 14:05").
    static DATE_TIME: Intl::DateTimeFormat = {
        let options = Object::new();
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
        Intl::DateTimeFormat::new(&Array::new(), &options)
    };
}

/// `at` in the reader's locale and time zone.
pub fn local_date_time(at: DateTime<Utc>) -> String {
    let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    DATE_TIME
        .with(|format| format.format().call1(&JsValue::UNDEFINED, &date).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// `at` as RFC 3339, for `<time datetime=…>`.
pub fn machine_date_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

pub fn package_state_label(state: PackageState) -> &'static str {
    match state {
        PackageState::Draft => "Draft",
        PackageState::Sent => "Sent",
    }
}

/// A CSS modifier for a package state badge.
pub fn package_state_tone(state: PackageState) -> &'static str {
    match state {
        PackageState::Draft => "draft",
        PackageState::Sent => "done",
    }
}

pub fn download_state_label(state: DownloadState) -> &'static str {
    match state {
        DownloadState::NotDownloaded => "Not downloaded",
        DownloadState::PartiallyDownloaded => "Partially downloaded",
        DownloadState::Downloaded => "Downloaded",
    }
}

/// A CSS modifier for a state badge: `neutral`, `progress` or `done`.
pub fn download_state_tone(state: DownloadState) -> &'static str {
    match state {
        DownloadState::NotDownloaded => "neutral",
        DownloadState::PartiallyDownloaded => "progress",
        DownloadState::Downloaded => "done",
    }
}

/// How far a sent package's recipients have got, for its sender: "Downloaded by 1 of 2",
/// "Partially: 2 of 3 files", and its badge tone.
pub fn delivery_label(delivery: &Delivery, file_count: u32) -> (String, &'static str) {
    let Delivery {
        recipients,
        downloaded,
        partially,
        most_files,
    } = *delivery;
    if downloaded > 0 {
        let tone = if downloaded >= recipients {
            "done"
        } else {
            "progress"
        };
        (format!("Downloaded by {downloaded} of {recipients}"), tone)
    } else if most_files > 0 {
        (
            format!("Partially: {most_files} of {file_count} files"),
            "progress",
        )
    } else if partially > 0 {
        ("Download started".to_owned(), "progress")
    } else {
        ("Not downloaded yet".to_owned(), "neutral")
    }
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::User => "User",
    }
}

/// What happens to a package's files, as a sentence.
pub fn expiration_words(policy: &ExpirationPolicy) -> String {
    match policy {
        ExpirationPolicy::None => "Files are kept until someone deletes them.".to_owned(),
        ExpirationPolicy::AfterAnyRecipientDownloads => {
            "Files are deleted after any recipient has downloaded all of them.".to_owned()
        }
        ExpirationPolicy::AfterAllRecipientsDownload => {
            "Files are deleted after all recipients have downloaded all of them.".to_owned()
        }
        ExpirationPolicy::AfterDays { days: 1 } => {
            "Files are deleted 1 day after the package is sent.".to_owned()
        }
        ExpirationPolicy::AfterDays { days } => {
            format!("Files are deleted {days} days after the package is sent.")
        }
    }
}

/// "e3b0c442…7852b855": the start and end of a long hex digest, the parts people compare.
pub fn short_hash(hash: &str) -> String {
    const HEAD: usize = 8;
    const TAIL: usize = 8;
    let chars: Vec<char> = hash.chars().collect();
    if chars.len() <= HEAD + TAIL + 1 {
        return hash.to_owned();
    }
    let head: String = chars[..HEAD].iter().collect();
    let tail: String = chars[chars.len() - TAIL..].iter().collect();
    format!("{head}…{tail}")
}

/// "1 file", "3 files".
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_says_who_has_what() {
        let delivery = |downloaded, partially, most_files| Delivery {
            recipients: 2,
            downloaded,
            partially,
            most_files,
        };
        let label = |d| delivery_label(&d, 3);
        assert_eq!(
            label(delivery(0, 0, 0)),
            ("Not downloaded yet".into(), "neutral")
        );
        assert_eq!(
            label(delivery(0, 1, 0)),
            ("Download started".into(), "progress")
        );
        assert_eq!(
            label(delivery(0, 1, 2)),
            ("Partially: 2 of 3 files".into(), "progress")
        );
        assert_eq!(
            label(delivery(1, 1, 3)),
            ("Downloaded by 1 of 2".into(), "progress")
        );
        assert_eq!(
            label(delivery(2, 0, 3)),
            ("Downloaded by 2 of 2".into(), "done")
        );
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_000), "1.0 kB");
        assert_eq!(human_size(1_234_567), "1.2 MB");
        assert_eq!(human_size(999_999), "1.0 MB");
        assert_eq!(human_size(4_700_000_000), "4.7 GB");
    }

    #[test]
    fn long_hashes_keep_their_ends() {
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(short_hash(hash), "e3b0c442…7852b855");
        assert_eq!(short_hash("abc"), "abc");
    }

    #[test]
    fn one_day_is_singular() {
        assert_eq!(
            expiration_words(&ExpirationPolicy::AfterDays { days: 1 }),
            "Files are deleted 1 day after the package is sent."
        );
        assert_eq!(count(1, "file", "files"), "1 file");
        assert_eq!(count(3, "file", "files"), "3 files");
    }
}
