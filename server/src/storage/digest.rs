//! Running digests of the chunk checksum algorithms (tus `Upload-Checksum`).

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
