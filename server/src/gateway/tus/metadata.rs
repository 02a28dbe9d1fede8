//! `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent). Ferry reads
//! `file_id` (which declared file this is), `sha256` (the whole file's digest, optional) and checks
//! that the upload is a file, not a folder. Everything else is kept only to be echoed by `HEAD`.

use crate::error::AppError;
use std::collections::HashMap;

use base64::Engine as _;

/// What Ferry takes from the metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// The raw header, echoed by `HEAD`.
    pub raw: Option<String>,
    pub file_id: Option<i64>,
    /// Lower-case hex.
    pub sha256: Option<String>,
}

/// Parses and checks `Upload-Metadata` (absent is fine: `Metadata::default()`).
pub fn parse(raw: Option<&str>) -> Result<Metadata, AppError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Metadata::default());
    };
    let mut pairs: HashMap<String, String> = HashMap::new();
    for pair in raw.split(',') {
        let pair = pair.trim();
        let (key, encoded) = pair.split_once(' ').unwrap_or((pair, ""));
        if key.is_empty() || !key.is_ascii() {
            return Err(AppError::bad_request(
                "Upload-Metadata must be comma-separated \"key base64value\" pairs.",
            ));
        }
        let value = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| {
                AppError::bad_request(format!("Upload-Metadata {key:?} is not base64-encoded."))
            })?;
        pairs.insert(key.to_owned(), String::from_utf8_lossy(&value).into_owned());
    }
    refuse_folders(&pairs)?;
    let file_id = pairs
        .get("file_id")
        .map(|id| {
            id.trim().parse::<i64>().map_err(|_| {
                AppError::bad_request(
                    "Upload-Metadata file_id must be the id of a file of the transfer spec \
                     (a decimal number, base64-encoded).",
                )
            })
        })
        .transpose()?;
    let sha256 = pairs
        .get("sha256")
        .map(|digest| {
            let digest = digest.trim().to_ascii_lowercase();
            if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(digest)
            } else {
                Err(AppError::bad_request(
                    "Upload-Metadata sha256 must be the file's SHA-256 in hex (64 characters), \
                     base64-encoded.",
                ))
            }
        })
        .transpose()?;
    Ok(Metadata {
        raw: Some(raw.trim().to_owned()),
        file_id,
        sha256,
    })
}

/// Files only: a name with a path separator, or anything marked as a directory, is refused.
fn refuse_folders(pairs: &HashMap<String, String>) -> Result<(), AppError> {
    for key in ["filename", "name"] {
        if let Some(name) = pairs.get(key).filter(|n| n.contains(['/', '\\'])) {
            return Err(AppError::bad_request(format!(
                "Only files can be uploaded, not folders: the name {name:?} contains a path \
                 separator. Send each file on its own, without its folder."
            )));
        }
    }
    let flagged = |key: &str| {
        pairs.get(key).is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "" | "true" | "1" | "yes"
            )
        })
    };
    let directory_type = |key: &str| {
        pairs.get(key).is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "directory" | "inode/directory"
            )
        })
    };
    if flagged("is_directory")
        || flagged("isDirectory")
        || directory_type("type")
        || directory_type("filetype")
    {
        return Err(AppError::bad_request(
            "Only files can be uploaded, not folders: this upload is marked as a directory.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn reads_file_id_and_sha256() {
        let digest = "AB".repeat(32);
        let raw = format!(
            "filename {},file_id {}, sha256 {},flag",
            b64("report.pdf"),
            b64("42"),
            b64(&digest)
        );
        let meta = parse(Some(&raw)).unwrap();
        assert_eq!(meta.file_id, Some(42));
        assert_eq!(meta.sha256, Some("ab".repeat(32)));
        assert_eq!(meta.raw.as_deref(), Some(raw.as_str()));
        assert_eq!(parse(None).unwrap(), Metadata::default());
    }

    #[test]
    fn refuses_folders_and_bad_values() {
        for raw in [
            format!("filename {}", b64("dir/file.txt")),
            format!("filename {}", b64("dir\\file.txt")),
            format!("filename {},is_directory {}", b64("dir"), b64("true")),
            format!("type {}", b64("directory")),
            format!("filetype {}", b64("inode/directory")),
            format!("file_id {}", b64("forty-two")),
            format!("sha256 {}", b64("abc")),
            "file_id ***".to_owned(),
        ] {
            assert!(parse(Some(&raw)).is_err(), "{raw}");
        }
        let fine = format!("filetype {},file_id {}", b64("text/plain"), b64("1"));
        assert!(parse(Some(&fine)).is_ok());
    }
}
