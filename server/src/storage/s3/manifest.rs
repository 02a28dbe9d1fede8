//! An upload's state, kept in the bucket beside its bytes as `uploads/<id>/manifest.json` (so any
//! node process, after a restart or on another instance, resumes it): the S3 multipart upload id,
//! the parts the store acknowledged (ETag and size, in order), the *tail* (the last bytes of the
//! upload, too short for a part, kept as a small object of their own) and a *checkpoint*: the state
//! when the last append began, so that an append that is not acknowledged after all (its checksum
//! failed, the gateway could not record it) can be cut off again. Parts already handed to a
//! multipart upload cannot be read back, so cutting back is allowed into the tail or to the
//! checkpoint (and into its tail), which is where the gateway ever cuts back to.

use serde::{Deserialize, Serialize};

/// A part the store acknowledged; its part number is its index + 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Part {
    pub etag: String,
    pub size: u64,
}

/// The first `len` bytes of the object `key` (under the upload's prefix) continue the upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Tail {
    pub key: String,
    pub len: u64,
}

/// What an upload was when its last append began.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Checkpoint {
    /// How many of `parts` it had.
    pub parts: usize,
    pub tail: Option<Tail>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Manifest {
    /// The multipart upload, created with the first part.
    pub multipart: Option<String>,
    pub parts: Vec<Part>,
    pub tail: Option<Tail>,
    pub checkpoint: Checkpoint,
    /// Set once the bytes were joined into the upload's data object: its size.
    pub completed: Option<u64>,
}

impl Manifest {
    /// Bytes in acknowledged parts.
    pub fn parts_len(&self) -> u64 {
        self.parts.iter().map(|p| p.size).sum()
    }

    /// Bytes stored.
    pub fn len(&self) -> u64 {
        self.parts_len() + self.tail.as_ref().map_or(0, |t| t.len)
    }

    /// Cuts the upload back to `len` bytes; an error (a sentence) when those bytes are no longer
    /// reachable or were never there.
    pub fn rewind(&mut self, len: u64) -> Result<(), String> {
        let stored = self.len();
        if len > stored {
            return Err(format!(
                "the upload holds {stored} bytes, fewer than its offset {len}"
            ));
        }
        if len == stored {
            return Ok(());
        }
        let in_parts = self.parts_len();
        if len >= in_parts {
            self.tail = cut(self.tail.take(), len - in_parts);
            return Ok(());
        }
        let kept = self.checkpoint.parts.min(self.parts.len());
        let before: u64 = self.parts[..kept].iter().map(|p| p.size).sum();
        let checkpoint_tail = self.checkpoint.tail.as_ref().map_or(0, |t| t.len);
        if len < before || len > before + checkpoint_tail {
            return Err(format!(
                "the upload cannot go back to byte {len}: only to {before}..={} (where its last \
                 append began) or later",
                before + checkpoint_tail
            ));
        }
        self.parts.truncate(kept);
        self.tail = cut(self.checkpoint.tail.clone(), len - before);
        Ok(())
    }

    /// Starts an append at `offset`: cuts back to it, and remembers that state as the checkpoint.
    pub fn begin_append(&mut self, offset: u64) -> Result<(), String> {
        self.rewind(offset)?;
        self.checkpoint = Checkpoint {
            parts: self.parts.len(),
            tail: self.tail.clone(),
        };
        Ok(())
    }

    /// Whether the tail object `key` is still needed.
    pub fn references(&self, key: &str) -> bool {
        let is = |t: &Option<Tail>| t.as_ref().is_some_and(|t| t.key == key);
        is(&self.tail) || is(&self.checkpoint.tail)
    }
}

fn cut(tail: Option<Tail>, len: u64) -> Option<Tail> {
    tail.filter(|_| len > 0).map(|t| Tail { key: t.key, len })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(size: u64) -> Part {
        Part {
            etag: format!("e{size}"),
            size,
        }
    }

    fn tail(key: &str, len: u64) -> Option<Tail> {
        Some(Tail {
            key: key.into(),
            len,
        })
    }

    #[test]
    fn cuts_back_into_the_tail_or_to_the_last_append() {
        let mut m = Manifest::default();
        m.begin_append(0).expect("empty");
        m.tail = tail("t1", 3);
        m.begin_append(3).expect("at the end");
        assert_eq!(m.checkpoint.tail, tail("t1", 3));
        m.parts = vec![part(10)];
        m.tail = tail("t2", 4);
        assert_eq!(m.len(), 14);
        m.rewind(12).expect("into the tail");
        assert_eq!((m.parts.len(), m.tail.clone()), (1, tail("t2", 2)));
        assert!(
            m.rewind(5).is_err(),
            "inside a part, before the checkpoint's end"
        );
        m.rewind(2).expect("into the checkpoint's tail");
        assert_eq!((m.parts.len(), m.tail.clone()), (0, tail("t1", 2)));
        assert!(m.rewind(3).is_err(), "never forward");
        m.rewind(0).expect("to the start");
        assert_eq!((m.len(), m.tail.clone()), (0, None));
        assert!(m.references("t1") && !m.references("t2"));
    }
}
