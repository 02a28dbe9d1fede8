//! Paths from a server, checked again here before anything is written: a malicious or broken
//! server must not be able to write outside the target folder. A path must be relative,
//! `/`-separated, with no empty, `.` or `..` segment, no backslash, drive letter, NUL or control
//! character, and no name that Windows reserves for devices (`CON`, `nul.txt`, `COM1`…). Folders
//! are then created one component at a time, each checked not to be a symbolic link, and files are
//! created without following links: a link planted in the target folder leads nowhere.

use std::io;
use std::path::{Path, PathBuf};

use app::types::DeclaredFile;

/// A checked relative path: its folders, then the file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafePath {
    pub dirs: Vec<String>,
    pub name: String,
}

const DEVICE_NAMES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];

/// Checks a path the server sent; the error says which rule it broke.
pub fn check(raw: &str) -> Result<SafePath, String> {
    if raw.is_empty() {
        return Err("the path is empty".into());
    }
    if raw.starts_with('/') {
        return Err("the path is absolute".into());
    }
    if raw.contains('\\') {
        return Err("the path has a backslash".into());
    }
    if raw.chars().any(char::is_control) {
        return Err("the path has a NUL or control character".into());
    }
    let bytes = raw.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err("the path starts with a drive letter".into());
    }
    if raw.len() > DeclaredFile::MAX_PATH_BYTES {
        return Err(format!(
            "the path is longer than {} bytes",
            DeclaredFile::MAX_PATH_BYTES
        ));
    }
    let mut segments: Vec<String> = Vec::new();
    for segment in raw.split('/') {
        match segment {
            "" => return Err("the path has an empty segment".into()),
            "." | ".." => return Err(format!("the path has a {segment:?} segment")),
            _ => {}
        }
        if is_device_name(segment) {
            return Err(format!("{segment:?} is a device name on Windows"));
        }
        if cfg!(windows)
            && (segment.ends_with(['.', ' '])
                || segment.contains(['<', '>', ':', '"', '|', '?', '*']))
        {
            return Err(format!("{segment:?} is not a valid name on Windows"));
        }
        segments.push(segment.to_owned());
    }
    if segments.len() > DeclaredFile::MAX_PATH_DEPTH {
        return Err(format!(
            "the path is deeper than {} levels",
            DeclaredFile::MAX_PATH_DEPTH
        ));
    }
    let name = segments.pop().ok_or("the path is empty")?;
    Ok(SafePath {
        dirs: segments,
        name,
    })
}

/// `CON`, `con.txt`, `COM1`, `lpt9.log`…: names Windows opens as devices whatever the extension.
fn is_device_name(segment: &str) -> bool {
    let stem = segment
        .split('.')
        .next()
        .unwrap_or(segment)
        .trim_end()
        .to_ascii_uppercase();
    if DEVICE_NAMES.contains(&stem.as_str()) {
        return true;
    }
    let numbered = |prefix: &str| {
        stem.strip_prefix(prefix).is_some_and(|n| {
            matches!(
                n,
                "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
            )
        })
    };
    numbered("COM") || numbered("LPT")
}

/// Creates (or finds) the folders `dirs` under `root`, one at a time, refusing any component that
/// is a symbolic link or not a folder. `root` itself is the user's choice and may be a link.
pub fn make_dirs(root: &Path, dirs: &[String]) -> io::Result<PathBuf> {
    let mut path = root.to_owned();
    for dir in dirs {
        path.push(dir);
        for attempt in 0..2 {
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(io::Error::other(format!(
                        "{} is a symbolic link: files are never written through links",
                        path.display()
                    )));
                }
                Ok(meta) if meta.is_dir() => break,
                Ok(_) => {
                    return Err(io::Error::other(format!(
                        "{} exists and is not a folder",
                        path.display()
                    )));
                }
                Err(error) if error.kind() == io::ErrorKind::NotFound && attempt == 0 => {
                    match std::fs::create_dir(&path) {
                        Ok(()) => break,
                        // Made meanwhile (another file of the package): look again.
                        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                        Err(error) => return Err(error),
                    }
                }
                Err(error) => return Err(error),
            }
        }
    }
    Ok(path)
}

/// Opens a file for writing without following a link at its last component: a new one
/// (`create_new`, which fails on anything already there, links included), or an existing one.
pub fn open_nofollow(path: &Path, create_new: bool) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true);
    if create_new {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// `name`, or `stem (n).ext` for n ≥ 1.
pub fn numbered(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_owned();
    }
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{} ({n}){}", &name[..dot], &name[dot..]),
        _ => format!("{name} ({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_pass() {
        let safe = check("photos/2024/ünï cödé.jpg").unwrap();
        assert_eq!(safe.dirs, vec!["photos", "2024"]);
        assert_eq!(safe.name, "ünï cödé.jpg");
        assert!(check("COMET.txt").is_ok());
        assert!(check("console.log").is_ok());
    }

    #[test]
    fn escapes_and_invalid_names_are_refused() {
        for bad in [
            "",
            "/abs",
            "../../etc/x",
            "a/../../b",
            "a/./b",
            "a//b",
            "a/",
            "a\\b",
            "C:/x",
            "c:x",
            "a/\0b",
            "a/b\n",
            "CON",
            "dir/nul.txt",
            "com1",
            "LPT9.log",
            "a/Aux",
        ] {
            assert!(check(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(check(&vec!["d"; 33].join("/")).is_err());
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered("a.jpg", 0), "a.jpg");
        assert_eq!(numbered("a.jpg", 1), "a (1).jpg");
        assert_eq!(numbered("README", 2), "README (2)");
        assert_eq!(numbered(".hidden", 1), ".hidden (1)");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_never_followed() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("evil")).unwrap();
        assert!(make_dirs(root.path(), &["evil".into()]).is_err());
        std::os::unix::fs::symlink(outside.path().join("x"), root.path().join("x.part")).unwrap();
        assert!(open_nofollow(&root.path().join("x.part"), true).is_err());
        assert!(open_nofollow(&root.path().join("x.part"), false).is_err());
        assert!(!outside.path().join("x").exists());
        let made = make_dirs(root.path(), &["a".into(), "b".into()]).unwrap();
        assert!(made.is_dir());
    }
}
