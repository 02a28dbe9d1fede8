//! An S3 part: how large each part of an upload is, and the memory one is gathered in.
//!
//! A part is gathered in an anonymous memory mapping of its own, the body's pieces copied in as
//! they arrive (and released at once), and handed to the store whole, as one piece: no second copy
//! is made on the way out, and the mapping goes back to the system the moment the store has it.
//! Only the pages written are ever resident, so the last, shorter part of an append costs what it
//! holds. Gathered in the allocator's heap instead, freed parts stay resident where the next ones do
//! not fit: ten concurrent uploads of 100 MiB in 16 MiB parts kept 232 MiB above the idle process,
//! against 172 MiB in mappings (`bench/upload.sh --storage s3`).

use std::io;

use bytes::Bytes;
use memmap2::MmapMut;

/// S3's largest part number.
pub(super) const MAX_PARTS: usize = 10_000;

/// Every this many parts, an upload's parts grow by the node's part size (see [`part_size`]).
const PARTS_PER_STEP: usize = 1_000;

/// The size of part `index` (from 0) for a node with parts of `base` bytes: `base` for the first
/// 1,000 parts, `2 × base` for the next 1,000, `3 × base` for the next, and so on. Small parts
/// keep memory low, and S3's 10,000 parts still hold 55,000 base parts (430 GiB of 8 MiB).
pub(super) fn part_size(base: usize, index: usize) -> usize {
    base.saturating_mul(1 + index / PARTS_PER_STEP)
}

/// One size for every part of an object of `total` bytes written in one go: `base`, or larger when
/// S3's 10,000 parts of `base` would not hold it.
pub(super) fn even_part_size(base: usize, total: u64) -> usize {
    let needed = usize::try_from(total.div_ceil(MAX_PARTS as u64)).unwrap_or(usize::MAX);
    base.max(needed)
}

/// The bytes of one part, gathered up to its size.
pub(super) struct PartBuffer {
    memory: MmapMut,
    len: usize,
}

impl PartBuffer {
    /// An empty part of `size` bytes (address space only, until written).
    pub fn new(size: usize) -> io::Result<Self> {
        Ok(Self {
            memory: MmapMut::map_anon(size)?,
            len: 0,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn is_full(&self) -> bool {
        self.len == self.memory.len()
    }

    /// Copies as much of `bytes` as fits; how much that was.
    pub fn fill(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.memory.len() - self.len);
        self.memory[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        n
    }

    /// The gathered bytes, without a copy; the memory is released when the last clone is dropped.
    pub fn freeze(self) -> Bytes {
        let mut bytes = Bytes::from_owner(self.memory);
        bytes.truncate(self.len);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_grow_so_that_s3s_part_limit_holds_a_large_file() {
        const MIB: usize = 1 << 20;
        assert_eq!(part_size(8 * MIB, 0), 8 * MIB);
        assert_eq!(part_size(8 * MIB, 999), 8 * MIB);
        assert_eq!(part_size(8 * MIB, 1000), 16 * MIB);
        let held: u64 = (0..MAX_PARTS)
            .map(|index| part_size(8 * MIB, index) as u64)
            .sum();
        assert!(held >= 400 << 30, "{held}");
        assert!(
            part_size(8 * MIB, MAX_PARTS - 1) <= 5 << 30,
            "S3's largest part"
        );
    }

    #[test]
    fn a_part_fills_to_its_size_and_keeps_the_bytes_in_order() {
        let mut part = PartBuffer::new(10).expect("mapping");
        assert_eq!(part.fill(b"abcd"), 4);
        assert_eq!(part.fill(b"efghijkl"), 6, "only what fits");
        assert!(part.is_full());
        assert_eq!(part.fill(b"m"), 0);
        assert_eq!(part.freeze(), Bytes::from_static(b"abcdefghij"));
        let mut short = PartBuffer::new(10).expect("mapping");
        short.fill(b"xyz");
        assert_eq!(
            (short.len(), short.freeze()),
            (3, Bytes::from_static(b"xyz"))
        );
    }
}
