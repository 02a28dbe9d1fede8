//! The desktop client's limits in the Settings form: files per package and the largest package,
//! beside the browser's own limit.

use leptos::prelude::*;

use super::settings::{quota_bytes, quota_text};
use crate::types::Settings;

/// The two fields' text, as typed.
#[derive(Debug, Clone, Copy)]
pub struct DesktopLimitsInput {
    max_files: RwSignal<String>,
    max_gib: RwSignal<String>,
}

impl DesktopLimitsInput {
    pub fn new(settings: &Settings) -> Self {
        DesktopLimitsInput {
            max_files: RwSignal::new(settings.desktop_max_files_per_package.to_string()),
            max_gib: RwSignal::new(quota_text(settings.desktop_max_package_bytes)),
        }
    }

    /// Shows what the server saved.
    pub fn set(&self, saved: &Settings) {
        self.max_files
            .try_set(saved.desktop_max_files_per_package.to_string());
        self.max_gib
            .try_set(quota_text(saved.desktop_max_package_bytes));
    }

    /// `(desktop_max_files_per_package, desktop_max_package_bytes)`, or what is wrong, naming the
    /// field.
    pub fn limits(&self) -> Result<(u32, Option<u64>), String> {
        let files = self
            .max_files
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=Settings::DESKTOP_MAX_FILES_LIMIT).contains(n))
            .ok_or_else(|| {
                format!(
                    "The maximum number of files per package with the desktop client must be \
                     between 1 and {}.",
                    Settings::DESKTOP_MAX_FILES_LIMIT
                )
            })?;
        let bytes = quota_bytes(&self.max_gib.get_untracked()).map_err(|()| {
            "The largest package with the desktop client is a number of GiB greater than 0, or \
             empty for none."
                .to_owned()
        })?;
        Ok((files, bytes))
    }
}

/// The fields, each with what it governs.
#[component]
pub fn DesktopLimitsFields(input: DesktopLimitsInput) -> impl IntoView {
    view! {
        <div class="field field--narrow">
            <label class="field__label" for="settings-desktop-max-files">
                "Maximum files per package with the desktop client"
            </label>
            <input
                class="field__input"
                id="settings-desktop-max-files"
                type="number"
                inputmode="numeric"
                min="1"
                max=Settings::DESKTOP_MAX_FILES_LIMIT
                required
                aria-describedby="settings-desktop-max-files-hint"
                bind:value=input.max_files
            />
            <p class="field__hint" id="settings-desktop-max-files-hint">
                "Packages sent with ferry-desktop, which also sends folders, may hold this many files (1 to 1,000,000; default 10,000). The browser keeps the limit above and never sends folders."
            </p>
        </div>
        <div class="field field--narrow">
            <label class="field__label" for="settings-desktop-max-size">
                "Largest package with the desktop client (GiB)"
            </label>
            <input
                class="field__input"
                id="settings-desktop-max-size"
                type="number"
                inputmode="decimal"
                min="0"
                step="any"
                aria-describedby="settings-desktop-max-size-hint"
                bind:value=input.max_gib
            />
            <p class="field__hint" id="settings-desktop-max-size-hint">
                "All files of one package sent with ferry-desktop, together. Empty: no limit (each file is still bounded by the server's largest file size)."
            </p>
        </div>
    }
}
