//! The data dir is private to the user Ferry runs as: after a real `ferry serve` (started with the
//! test runner's umask, usually 022) has created its database, keys and a stored file, nothing under its data
//! dir gives the group or others any access.

use std::{os::unix::fs::PermissionsExt, path::Path};

use crate::{
    crash::process::{free_addr, start},
    crash::support::{assert_published, finish, new_upload, test_bytes},
};

/// Every path under `dir` (itself included) whose mode gives the group or others any access.
fn open_to_others(dir: &Path) -> Vec<String> {
    let mut open = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(path) = pending.pop() {
        let metadata = std::fs::symlink_metadata(&path).unwrap();
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            open.push(format!("{} {mode:o}", path.display()));
        }
        if metadata.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        }
    }
    open
}

#[tokio::test]
async fn what_ferry_writes_in_its_data_dir_is_private() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let (web, gateway) = (free_addr(), free_addr());
    let _server = start(&data, web, gateway, None).await;
    let bytes = test_bytes(300_000);
    let upload = new_upload(web, gateway, bytes.len()).await;
    finish(gateway, &upload, 0, &bytes).await;
    assert_published(&data, &bytes);

    let open = open_to_others(&data);
    assert!(open.is_empty(), "readable by others: {open:#?}");
}
