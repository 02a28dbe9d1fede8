//! The data dir holds the database, every stored file, the token key and the TLS key: it is private
//! to the user Ferry runs as. Ferry creates what it writes there without group or other access
//! (0700 directories, 0600 files) whatever the service's umask, and warns at start-up when an
//! existing data dir is open to others (it leaves the operator's own permissions alone).

use std::path::Path;

use anyhow::Context;

/// Makes what this process creates private (see [`restrict_new_files`]), then creates `dir` or,
/// when it exists, warns if others may read it.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    restrict_new_files();
    let existed = dir.is_dir();
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "invalid setting data_dir (env FERRY_DATA_DIR): cannot create {}",
            dir.display()
        )
    })?;
    if existed {
        warn_if_open(dir);
    }
    Ok(())
}

/// Makes every file and directory this process creates from now on private to its user (umask
/// 077). `ferry` calls it first thing, before logging creates its files.
#[cfg(target_os = "linux")]
pub fn restrict_new_files() {
    use rustix::fs::Mode;
    rustix::process::umask(Mode::from_raw_mode(0o077));
}

#[cfg(not(target_os = "linux"))]
pub fn restrict_new_files() {}

fn warn_if_open(dir: &Path) {
    if let Some(mode) = open_mode(dir) {
        tracing::warn!(
            data_dir = %dir.display(),
            mode = format!("{mode:o}"),
            "the data dir is open to other users of this machine (it holds the database and every \
             stored file): run `chmod -R go-rwx {}`",
            dir.display()
        );
    }
}

/// The permission bits of `dir` when they give its group or others any access.
#[cfg(unix)]
fn open_mode(dir: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn open_mode(_dir: &Path) -> Option<u32> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::open_mode;

    #[test]
    fn a_dir_others_may_read_is_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let set = |mode| {
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode))
                .expect("chmod")
        };
        set(0o755);
        assert_eq!(open_mode(dir.path()), Some(0o755));
        set(0o750);
        assert_eq!(open_mode(dir.path()), Some(0o750));
        set(0o700);
        assert_eq!(open_mode(dir.path()), None);
    }
}
