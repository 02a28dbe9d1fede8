//! "Download all": a sent package as one ZIP archive, streamed by the gateway. Its parts:
//!
//! - [`layout`]: where every header, file and directory record goes, from the files' names, sizes
//!   and CRC-32s alone, so the archive's length and `ETag` are known before its first byte and any
//!   byte range can be made without reading the files before it.
//! - [`open`] (here): which files a receive token gets (the package's complete files, each one
//!   covered by the token; a package whose files are gone answers 410), with a CRC-32 computed
//!   and stored once ([`crc`]) for files published before CRCs were recorded.
//! - [`body`]: the bytes of one range, made piece by piece with constant memory. Each file's
//!   slice goes through [`crate::services::downloads::deliver`], so what the archive carried is
//!   tracked exactly as if those bytes of the file had been fetched alone.

mod body;
mod crc;
pub mod layout;

use std::collections::HashSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::Digest;

pub use body::body;
use layout::{DosTime, Entry, LAYOUT_VERSION, Layout};

use crate::{
    db::entities::{package_files, package_recipients, packages},
    error::AppError,
    services::{AppState, downloads::Servable},
    transfer::token::TransferClaims,
};

/// One package's archive as a receive token gets it.
#[derive(Debug)]
pub struct Archive {
    pub package_id: i64,
    pub layout: Layout,
    /// The archive's files, in archive order (entry `i` is `files[i]`).
    files: Vec<Servable>,
    /// Strong, quoted: changes whenever any byte of the archive would.
    pub etag: String,
    /// The name offered for saving it: the package's title, `.zip`.
    pub file_name: String,
    /// Whether the token's user is one of the package's recipients, whose downloads are tracked
    /// (an empty file is then delivered for the record only).
    tracked: bool,
}

/// Package `claims.pkg`'s archive, if `claims` may fetch every file in it now.
#[tracing::instrument(skip_all, fields(package.id = claims.pkg))]
pub async fn open(state: &AppState, claims: &TransferClaims) -> Result<Archive, AppError> {
    let package = packages::Entity::find_by_id(claims.pkg)
        .one(&state.db)
        .await?
        .ok_or(AppError::NoSuchFile)?;
    if package.files_deleted_at.is_some() {
        return Err(AppError::FileDeleted);
    }
    let rows = package_files::Entity::find()
        .filter(package_files::Column::PackageId.eq(package.id))
        .order_by_asc(package_files::Column::Id)
        .all(&state.db)
        .await?;
    let any_deleted = rows
        .iter()
        .any(|row| row.state == package_files::State::Deleted);
    let complete: Vec<_> = rows
        .into_iter()
        .filter(|row| row.state == package_files::State::Complete)
        .collect();
    if complete.is_empty() {
        return Err(match any_deleted {
            true => AppError::FileDeleted,
            false => AppError::NoSuchFile,
        });
    }
    if let Some(row) = complete
        .iter()
        .find(|row| !claims.allows_in_archive(row.id))
    {
        return Err(AppError::Forbidden(format!(
            "This transfer token does not cover file {} of package {}: ask for the package's \
             archive link or a new transfer spec.",
            row.id, package.id
        )));
    }
    let mut names = HashSet::new();
    let mut entries = Vec::with_capacity(complete.len());
    let mut files = Vec::with_capacity(complete.len());
    for mut row in complete {
        let crc32 = crc::ensure(state, &mut row).await?;
        let sha256 = row
            .sha256
            .clone()
            .ok_or_else(|| anyhow::anyhow!("complete file {} has no SHA-256", row.id))?;
        let size = u64::try_from(row.size).unwrap_or_default();
        let name = unique_name(&mut names, row.path.as_deref().unwrap_or(&row.name));
        let modified = DosTime::from_utc(row.completed_at.unwrap_or(row.created_at));
        entries.push(Entry {
            name,
            size,
            crc32,
            modified,
        });
        files.push(Servable {
            file: row,
            size,
            sha256,
        });
    }
    let tracked = package_recipients::Entity::find_by_id((package.id, claims.uid))
        .one(&state.db)
        .await?
        .is_some();
    let etag = etag(package.id, &entries, &files);
    let layout = Layout::new(entries).map_err(|error| AppError::Internal(error.into()))?;
    Ok(Archive {
        package_id: package.id,
        layout,
        files,
        etag,
        file_name: format!("{}.zip", package.title),
        tracked,
    })
}

/// `name`, or `name (2)`, `name (3)`… (before the extension) when an earlier entry has it: an
/// unzip tool would otherwise ask whether to overwrite.
fn unique_name(taken: &mut HashSet<String>, name: &str) -> String {
    let mut candidate = name.to_owned();
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > name.rfind('/').map_or(0, |slash| slash + 1) => name.split_at(dot),
        _ => (name, ""),
    };
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{stem} ({n}){extension}");
        n += 1;
    }
    candidate
}

/// A hash of everything the archive's bytes are made from.
fn etag(package_id: i64, entries: &[Entry], files: &[Servable]) -> String {
    let mut hash = sha2::Sha256::new();
    hash.update(b"ferry-zip");
    hash.update(LAYOUT_VERSION.to_le_bytes());
    hash.update(package_id.to_le_bytes());
    for (entry, file) in entries.iter().zip(files) {
        hash.update((entry.name.len() as u64).to_le_bytes());
        hash.update(entry.name.as_bytes());
        hash.update(entry.size.to_le_bytes());
        hash.update(file.sha256.as_bytes());
        hash.update(entry.modified.time.to_le_bytes());
        hash.update(entry.modified.date.to_le_bytes());
    }
    format!("\"zip-{}\"", hex::encode(hash.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_get_a_number_before_the_extension() {
        let mut taken = HashSet::new();
        let names: Vec<String> = [
            "a.txt", "a.txt", "a.txt", "dir.v2/b", "dir.v2/b", ".rc", ".rc",
        ]
        .iter()
        .map(|name| unique_name(&mut taken, name))
        .collect();
        assert_eq!(
            names,
            [
                "a.txt",
                "a (2).txt",
                "a (3).txt",
                "dir.v2/b",
                "dir.v2/b (2)",
                ".rc",
                ".rc (2)"
            ]
        );
    }
}
