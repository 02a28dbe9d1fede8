//! SHA-256 and CRC-32 ([`WholeDigest`]) of each upload kept running across its appends, so publishing a one-part upload need
//! not read the file again. Only a cache: it lives in this process's memory, and whenever it cannot
//! vouch for exactly the bytes on disk (a restart, a truncation, an append that failed, another
//! instance wrote) it is dropped and the publish reads the file instead.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use super::{Published, digest::WholeDigest};

/// Running digests by upload id, each with the number of bytes it covers.
#[derive(Debug, Default, Clone)]
pub(crate) struct RunningDigests(Arc<Mutex<HashMap<String, (u64, WholeDigest)>>>);

impl RunningDigests {
    /// The digest to continue from for an append at `offset`: the stored one if it covers exactly
    /// `offset` bytes, a fresh one at offset 0, else none (the publish will read the file).
    pub(crate) fn take_for_append(&self, upload: &str, offset: u64) -> Option<WholeDigest> {
        let stored = self.lock().remove(upload);
        match stored {
            Some((covered, digest)) if covered == offset => Some(digest),
            _ if offset == 0 => Some(WholeDigest::default()),
            _ => None,
        }
    }

    /// Records a digest covering the first `covered` bytes (durable ones only).
    pub(crate) fn store(&self, upload: &str, covered: u64, digest: WholeDigest) {
        self.lock().insert(upload.to_owned(), (covered, digest));
    }

    /// Forgets an upload's digest (it was truncated or discarded).
    pub(crate) fn forget(&self, upload: &str) {
        self.lock().remove(upload);
    }

    /// The finished digests if they cover exactly `size` bytes.
    pub(crate) fn finish(&self, upload: &str, size: u64) -> Option<Published> {
        match self.lock().remove(upload) {
            Some((covered, digest)) if covered == size => Some(digest.published(size)),
            _ => None,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, WholeDigest)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continues_only_from_exactly_the_covered_offset() {
        let running = RunningDigests::default();
        let mut digest = running.take_for_append("u", 0).expect("fresh at 0");
        digest.update(b"hello ");
        running.store("u", 6, digest);
        assert!(
            running.take_for_append("u", 5).is_none(),
            "a gap or overlap drops it"
        );
        let mut digest = running.take_for_append("u", 0).expect("restart at 0");
        digest.update(b"hello ");
        running.store("u", 6, digest);
        let mut digest = running.take_for_append("u", 6).expect("continues");
        digest.update(b"world");
        running.store("u", 11, digest);
        assert_eq!(running.finish("u", 10), None, "must cover the whole file");
        let mut digest = running.take_for_append("u", 0).expect("fresh");
        digest.update(b"hello world");
        running.store("u", 11, digest);
        assert_eq!(
            running.finish("u", 11),
            Some(Published {
                size: 11,
                sha256: "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9".into(),
                crc32: 0x0d4a_1185,
            })
        );
    }
}
