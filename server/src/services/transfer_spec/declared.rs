//! The files a sender declares for an upload spec, checked against the limits of the client that
//! moves them: the browser's (the admin's `max_files_per_package`, no folders) or the desktop
//! client's (`desktop_max_files_per_package`, `desktop_max_package_bytes`, folder paths).

use std::collections::HashMap;

use app::types::{DeclaredFile, Settings, TransferClient};
use unicode_normalization::UnicodeNormalization;

use crate::{
    error::AppError,
    services::{file_names, file_paths},
};

/// A declared file, checked and cleaned.
pub(super) struct Declared {
    pub name: String,
    /// The NFC folder path ending in `name`; `None` at the top of the package.
    pub path: Option<String>,
    pub size: u64,
}

/// Checks `files` for `client`'s limits; the refusal names the file or path and the rule.
pub(super) fn check_files(
    files: &[DeclaredFile],
    client: TransferClient,
    settings: &Settings,
    max_size: u64,
) -> Result<Vec<Declared>, AppError> {
    if files.is_empty() {
        return Err(AppError::bad_request("Add at least one file."));
    }
    let max_files = match client {
        TransferClient::Browser => settings.max_files_per_package,
        TransferClient::Desktop => settings.desktop_max_files_per_package,
    };
    if files.len() > max_files as usize {
        let how = match client {
            TransferClient::Browser => "from the browser",
            TransferClient::Desktop => "with the desktop client",
        };
        return Err(AppError::BadRequest(format!(
            "A package sent {how} can have at most {max_files} files ({} given).",
            files.len()
        )));
    }
    let declared = files
        .iter()
        .map(|file| check_file(file, client, max_size))
        .collect::<Result<Vec<_>, _>>()?;
    if client == TransferClient::Desktop {
        if let Some(max) = settings.desktop_max_package_bytes {
            let total = declared
                .iter()
                .fold(0u64, |sum, file| sum.saturating_add(file.size));
            if total > max {
                return Err(AppError::BadRequest(format!(
                    "These files add up to {total} bytes, more than the largest package the \
                     administrator allows with the desktop client ({max} bytes)."
                )));
            }
        }
        check_unique(&declared)?;
    }
    Ok(declared)
}

fn check_file(
    file: &DeclaredFile,
    client: TransferClient,
    max_size: u64,
) -> Result<Declared, AppError> {
    let path = match (&file.path, client) {
        (None, _) => None,
        (Some(path), TransferClient::Browser) => {
            return Err(AppError::BadRequest(format!(
                "{path:?} is in a folder: folders need the desktop client (the browser sends \
                 files only)."
            )));
        }
        (Some(path), TransferClient::Desktop) => {
            Some(file_paths::check(path, &file.name).map_err(AppError::BadRequest)?)
        }
    };
    let name = match client {
        TransferClient::Browser => file_names::clean(&file.name),
        TransferClient::Desktop => file_names::clean(&file.name.nfc().collect::<String>()),
    }
    .map_err(AppError::BadRequest)?;
    if file.size > max_size {
        return Err(AppError::BadRequest(format!(
            "{name} is {} bytes, more than the largest file allowed ({max_size} bytes).",
            file.size
        )));
    }
    // The stored path ends in the stored name; a path of one segment is a file at the top.
    let path = path.and_then(|path| {
        path.rsplit_once('/')
            .map(|(folders, _)| format!("{folders}/{name}"))
    });
    Ok(Declared {
        name,
        path,
        size: file.size,
    })
}

/// Refuses two files whose paths (or, at the top, names) differ only in case: they would land on
/// one file on a case-insensitive disk.
fn check_unique(declared: &[Declared]) -> Result<(), AppError> {
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(declared.len());
    for file in declared {
        let shown = file.path.as_deref().unwrap_or(&file.name);
        if let Some(earlier) = seen.insert(file_paths::collision_key(shown), shown) {
            return Err(AppError::BadRequest(format!(
                "The path {shown:?} is used twice in this package (as {earlier:?}): paths must \
                 be unique, ignoring case."
            )));
        }
    }
    Ok(())
}
