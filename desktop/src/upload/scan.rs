//! The files a `send` names: each file as itself, each folder with everything under it, with the
//! path it gets in the package (relative to the folder's parent: `~/photos` gives `photos/a.jpg`).
//! Links are followed, but a folder that leads back into its own ancestry is refused, and so is
//! anything the server would refuse: no files at all, sockets and devices, names with control
//! characters or backslashes, paths deeper or longer than the server takes, two paths that differ
//! only in case.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use app::types::DeclaredFile;

use crate::journal::LocalFile;

/// Every file under `roots`, in a stable order (each folder's entries sorted by name).
pub fn scan(roots: &[PathBuf]) -> anyhow::Result<Vec<LocalFile>> {
    let mut files = Vec::new();
    for root in roots {
        let metadata =
            std::fs::metadata(root).with_context(|| format!("cannot read {}", root.display()))?;
        let name = root_name(root)?;
        if metadata.is_dir() {
            let mut ancestry = vec![identity(&metadata)];
            walk(root, &name, &mut ancestry, &mut files)?;
        } else {
            files.push(regular(root, name, &metadata)?);
        }
    }
    check(&files)?;
    Ok(files)
}

/// The last component of a path given on the command line (`.` and `..` resolved first).
fn root_name(root: &Path) -> anyhow::Result<String> {
    let resolved = match root.file_name() {
        Some(_) => root.to_owned(),
        None => std::fs::canonicalize(root)
            .with_context(|| format!("cannot read {}", root.display()))?,
    };
    let name = resolved
        .file_name()
        .with_context(|| format!("{} has no name to send it under", root.display()))?;
    name.to_str().map(str::to_owned).with_context(|| {
        format!(
            "{}: the name is not valid UTF-8, which Ferry cannot store",
            root.display()
        )
    })
}

#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt as _;
    (metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn identity(_metadata: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn walk(
    dir: &Path,
    prefix: &str,
    ancestry: &mut Vec<(u64, u64)>,
    files: &mut Vec<LocalFile>,
) -> anyhow::Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot read the folder {}", dir.display()))?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let local = entry.path();
        let name = entry.file_name().into_string().map_err(|raw| {
            anyhow::anyhow!(
                "{}: the name {raw:?} is not valid UTF-8, which Ferry cannot store",
                dir.display()
            )
        })?;
        let path = format!("{prefix}/{name}");
        // Follows links: what matters is what the link leads to.
        let metadata = std::fs::metadata(&local)
            .with_context(|| format!("cannot read {} (a broken link?)", local.display()))?;
        if metadata.is_dir() {
            let id = identity(&metadata);
            if cfg!(unix) && ancestry.contains(&id) {
                bail!(
                    "{} leads back into a folder that contains it (a link loop): remove the link \
                     or send the folder without it",
                    local.display()
                );
            }
            ancestry.push(id);
            walk(&local, &path, ancestry, files)?;
            ancestry.pop();
        } else {
            files.push(regular(&local, path, &metadata)?);
        }
    }
    Ok(())
}

fn regular(local: &Path, path: String, metadata: &std::fs::Metadata) -> anyhow::Result<LocalFile> {
    if !metadata.is_file() {
        bail!(
            "{} is not a regular file (a socket, pipe or device): only files and folders can be sent",
            local.display()
        );
    }
    let local = std::path::absolute(local)
        .with_context(|| format!("cannot resolve {}", local.display()))?;
    Ok(LocalFile {
        local,
        path,
        size: metadata.len(),
    })
}

/// The server's rules on paths, checked before anything is created.
fn check(files: &[LocalFile]) -> anyhow::Result<()> {
    if files.is_empty() {
        bail!("there is nothing to send: the folders given are empty");
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    for file in files {
        check_path(&file.path)?;
        if let Some(other) = seen.insert(file.path.to_lowercase(), &file.path) {
            bail!(
                "{other:?} and {:?} differ only in upper and lower case: a package cannot hold both \
                 (many computers could not save them side by side); rename one",
                file.path
            );
        }
    }
    Ok(())
}

/// One path against the rules of [`DeclaredFile::path`].
pub fn check_path(path: &str) -> anyhow::Result<()> {
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() > DeclaredFile::MAX_PATH_DEPTH {
        bail!(
            "{path:?} is {} folders deep; a package takes at most {} levels",
            segments.len(),
            DeclaredFile::MAX_PATH_DEPTH
        );
    }
    if path.len() > DeclaredFile::MAX_PATH_BYTES {
        bail!(
            "{path:?} is {} bytes long; a path in a package takes at most {} bytes",
            path.len(),
            DeclaredFile::MAX_PATH_BYTES
        );
    }
    for segment in segments {
        if segment.contains('\\') {
            bail!(
                "{path:?} has a backslash in a name, which Ferry does not accept in paths; rename it"
            );
        }
        if segment.chars().any(char::is_control) {
            bail!("{path:?} has a control character in a name; rename it");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_keep_their_name_and_layout() {
        let dir = tempfile::tempdir().unwrap();
        let photos = dir.path().join("photos");
        std::fs::create_dir_all(photos.join("2024/empty")).unwrap();
        std::fs::write(photos.join("b.jpg"), b"b").unwrap();
        std::fs::write(photos.join("2024/a.jpg"), b"aa").unwrap();
        std::fs::write(dir.path().join("note.txt"), b"").unwrap();
        let files = scan(&[photos, dir.path().join("note.txt")]).unwrap();
        let paths: Vec<_> = files.iter().map(|f| (f.path.as_str(), f.size)).collect();
        assert_eq!(
            paths,
            vec![
                ("photos/2024/a.jpg", 2),
                ("photos/b.jpg", 1),
                ("note.txt", 0)
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("top");
        std::fs::create_dir_all(top.join("sub")).unwrap();
        std::os::unix::fs::symlink(&top, top.join("sub/back")).unwrap();
        let error = scan(&[top]).unwrap_err().to_string();
        assert!(error.contains("link loop"), "{error}");
    }

    #[test]
    fn paths_the_server_would_refuse_are_refused_here() {
        assert!(check_path("a/b\\c").is_err());
        assert!(check_path("a/b\u{7}").is_err());
        assert!(check_path(&vec!["d"; 33].join("/")).is_err());
        assert!(check_path(&"x".repeat(1025)).is_err());
        assert!(check_path("ok/ünïcode.txt").is_ok());
        let dir = tempfile::tempdir().unwrap();
        assert!(scan(&[dir.path().to_owned()]).is_err(), "an empty folder");
    }
}
