//! Who this process is among the instances serving one Ferry: the id its upload leases are held
//! under (`services::uploads::UploadLocks`). The id is kept in `<data dir>/instance` and owned
//! while the process runs through an exclusive lock (`flock`) on that file, which the kernel drops
//! when the process ends, however it ends. So a `ferry serve` restarted after a crash is the same
//! instance again and takes over the leases its predecessor left at once, instead of answering
//! 423 Locked until they expire; and two processes running at once never share an id.
//!
//! A second process on a data dir that is already in use gets an id of its own run, with a
//! warning, rather than refusing to start: it is exactly as safe (the ids differ), it is what every
//! process did before ids were kept, and only its own crash recovery is slower. The same happens
//! if the file cannot be locked or written at all (a read-only data dir).
//!
//! The id is also tied to the host it runs on: a data dir copied to another machine (a restored
//! backup, a volume cloned for a replica) is a new instance there, so two live processes that
//! each hold their own copy of the file still never share an id.

use std::{
    fs::{File, OpenOptions, TryLockError},
    io::{self, Read, Seek, SeekFrom, Write},
    path::Path,
    sync::Arc,
};

use rand::RngCore;
use sha2::{Digest, Sha256};

/// The file in the data dir that holds the seed of the instance id.
pub const INSTANCE_FILE: &str = "instance";

/// This process's instance id. Cheap to clone; the id stays this process's own while any clone
/// lives.
#[derive(Debug, Clone)]
pub struct InstanceId {
    id: Arc<str>,
    /// The locked `instance` file, kept open: the lock ends when the last clone is dropped. `None`
    /// for an id of this run only.
    _claim: Option<Arc<File>>,
}

impl InstanceId {
    /// The instance of `data_dir`, owned until the last clone of the returned value is dropped;
    /// an id of this run only (and a warning) if another process owns it or it cannot be locked.
    pub fn claim(data_dir: &Path) -> Self {
        let path = data_dir.join(INSTANCE_FILE);
        match claim_file(&path) {
            Ok(Some((file, seed))) => Self {
                id: derive_id(&host_name(), &seed).into(),
                _claim: Some(Arc::new(file)),
            },
            Ok(None) => {
                tracing::warn!(
                    file = %path.display(),
                    "another process runs on this data dir: this one is an instance of its own, and \
                     if it crashes its uploads resume only once their leases expire (give each \
                     process a data dir of its own)"
                );
                Self::random()
            }
            Err(error) => {
                tracing::warn!(
                    file = %path.display(), %error,
                    "cannot keep the instance id in the data dir: if this process crashes, its \
                     uploads resume only once their leases expire"
                );
                Self::random()
            }
        }
    }

    /// An id of this process's run only: another process never takes its leases over before
    /// they expire.
    pub fn random() -> Self {
        Self {
            id: random_hex().into(),
            _claim: None,
        }
    }

    /// The id, as leases name their holder (`<id>:<lock>`): hexadecimal, so it never holds a
    /// `LIKE` wildcard.
    pub fn as_str(&self) -> &str {
        &self.id
    }
}

/// Opens (creating) and locks the file, and reads its seed, writing a new one if it has none.
/// `None` when another open file holds the lock.
fn claim_file(path: &Path) -> io::Result<Option<(File, String)>> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(error)) => return Err(error),
    }
    let mut kept = String::new();
    file.read_to_string(&mut kept)?;
    if let Some(seed) = valid_seed(&kept) {
        return Ok(Some((file, seed.to_owned())));
    }
    // New, or left half written by a crash while it was first written: a new seed.
    let seed = random_hex();
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(format!("{seed}\n").as_bytes())?;
    file.sync_all()?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(Some((file, seed)))
}

/// The seed in the file's `contents`, if it holds one (16 bytes in hexadecimal).
fn valid_seed(contents: &str) -> Option<&str> {
    let seed = contents.trim();
    (seed.len() == 32 && seed.bytes().all(|b| b.is_ascii_hexdigit())).then_some(seed)
}

/// The instance id of `seed` on `host`.
fn derive_id(host: &str, seed: &str) -> String {
    let digest = Sha256::digest(format!("{host}\n{seed}"));
    hex::encode(&digest[..16])
}

/// This machine's name; empty if it cannot be read (the id is then still stable on this host).
fn host_name() -> String {
    hostname::get()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_dir_keeps_its_id_from_one_owner_to_the_next() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = InstanceId::claim(dir.path());
        let id = first.as_str().to_owned();
        drop(first);
        let again = InstanceId::claim(dir.path());
        assert_eq!(
            again.as_str(),
            id,
            "the same instance once the first let go"
        );
    }

    #[test]
    fn two_owners_at_once_never_share_an_id() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = InstanceId::claim(dir.path());
        let second = InstanceId::claim(dir.path());
        assert_ne!(first.as_str(), second.as_str());
        assert!(second._claim.is_none(), "the second holds no claim");
        let kept = first.as_str().to_owned();
        drop(second);
        drop(first);
        assert_eq!(
            InstanceId::claim(dir.path()).as_str(),
            kept,
            "the second did not replace the kept id"
        );
    }

    #[test]
    fn a_clone_keeps_the_claim() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = InstanceId::claim(dir.path());
        let clone = first.clone();
        drop(first);
        let second = InstanceId::claim(dir.path());
        assert_ne!(clone.as_str(), second.as_str());
    }

    #[test]
    fn a_damaged_file_gets_a_new_seed() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(INSTANCE_FILE), "not a seed").expect("writes");
        let claimed = InstanceId::claim(dir.path());
        assert!(claimed._claim.is_some());
        let kept = std::fs::read_to_string(dir.path().join(INSTANCE_FILE)).expect("reads");
        assert!(valid_seed(&kept).is_some(), "{kept:?}");
        assert_eq!(claimed.as_str(), derive_id(&host_name(), kept.trim()));
    }

    #[test]
    fn a_copied_data_dir_is_another_instance_on_another_host() {
        let seed = random_hex();
        assert_ne!(derive_id("one", &seed), derive_id("two", &seed));
        assert_eq!(derive_id("one", &seed), derive_id("one", &seed));
    }
}
