//! Running digests: the chunk checksum algorithms (tus `Upload-Checksum`), and a whole file's
//! digests ([`WholeDigest`]) computed as it is published.

use sha2::Digest;

use crate::storage::DigestKind;

/// A running digest of one of the chunk checksum algorithms.
pub(crate) enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl Hasher {
    pub(crate) fn new(kind: DigestKind) -> Self {
        match kind {
            DigestKind::Sha1 => Self::Sha1(sha1::Sha1::new()),
            DigestKind::Sha256 => Self::Sha256(sha2::Sha256::new()),
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha1(h) => h.update(bytes),
            Self::Sha256(h) => h.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
        }
    }
}

/// The digests of a whole published file, computed together in one pass over its bytes: SHA-256
/// (its identity and `ETag`) and CRC-32 (what a ZIP entry of it must declare up front, so that any
/// byte range of a package's archive can be made without reading the files before it).
#[derive(Clone, Default)]
pub(crate) struct WholeDigest {
    sha256: sha2::Sha256,
    crc32: crc32fast::Hasher,
}

impl std::fmt::Debug for WholeDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WholeDigest")
    }
}

impl WholeDigest {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        self.crc32.update(bytes);
    }

    /// What is published: `size` bytes with these digests.
    pub(crate) fn published(self, size: u64) -> crate::storage::Published {
        crate::storage::Published {
            size,
            sha256: hex::encode(self.sha256.finalize()),
            crc32: self.crc32.finalize(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WholeDigest;

    #[test]
    fn whole_digest_is_sha256_and_crc32_of_the_same_bytes() {
        let mut digest = WholeDigest::default();
        digest.update(b"hello ");
        digest.update(b"world");
        let published = digest.published(11);
        assert_eq!(
            published.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(published.crc32, 0x0d4a_1185);
        assert_eq!(WholeDigest::default().published(0).crc32, 0);
    }
}
