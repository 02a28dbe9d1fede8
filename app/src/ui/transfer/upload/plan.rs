//! How a file is cut up: into contiguous parts uploaded in parallel (tus concatenation) when it is
//! big enough, and each part into chunks of at most the spec's chunk size, one PATCH each.

use std::ops::Range;

/// A file is split only when it holds more than this many chunks; smaller files go as one upload.
const MIN_CHUNKS_TO_SPLIT: u64 = 2;

/// The byte ranges of a file's parts, in file order. One range (the whole file, possibly empty)
/// means a plain upload; several mean partial uploads joined by a final concatenation.
pub fn part_ranges(size: u64, chunk_size: u64, parallel: u32) -> Vec<Range<u64>> {
    let chunk_size = chunk_size.max(1);
    let chunks = size.div_ceil(chunk_size);
    if parallel <= 1 || size <= MIN_CHUNKS_TO_SPLIT * chunk_size {
        return std::iter::once(0..size).collect();
    }
    let chunks_per_part = chunks.div_ceil(u64::from(parallel));
    let part_size = chunks_per_part * chunk_size;
    (0..size.div_ceil(part_size))
        .map(|i| i * part_size..((i + 1) * part_size).min(size))
        .collect()
}

/// The next chunk of `part` to send when the server holds `offset` bytes of it (relative to the
/// part's start), as absolute file positions; `None` when the part is complete.
pub fn next_chunk(part: &Range<u64>, offset: u64, chunk_size: u64) -> Option<Range<u64>> {
    let start = part.start + offset;
    (start < part.end).then(|| start..(start + chunk_size.max(1)).min(part.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1_000_000;

    #[test]
    fn small_and_empty_files_are_one_plain_upload() {
        assert_eq!(part_ranges(0, 8 * MB, 4), vec![0..0]);
        assert_eq!(part_ranges(5, 8 * MB, 4), vec![0..5]);
        assert_eq!(part_ranges(16 * MB, 8 * MB, 4), vec![0..16 * MB]);
        assert_eq!(part_ranges(100 * MB, 8 * MB, 1), vec![0..100 * MB]);
    }

    #[test]
    fn big_files_split_into_contiguous_chunk_aligned_parts() {
        let size = 100 * MB + 3;
        let parts = part_ranges(size, 8 * MB, 4);
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0].start, 0);
        assert_eq!(parts.last().map(|p| p.end), Some(size));
        for pair in parts.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert_eq!(pair[0].end % (8 * MB), 0);
        }
    }

    #[test]
    fn never_more_parts_than_chunks() {
        // 3 chunks, 8 streams: 3 parts of one chunk each.
        let parts = part_ranges(17 * MB, 8 * MB, 8);
        assert_eq!(parts, vec![0..8 * MB, 8 * MB..16 * MB, 16 * MB..17 * MB]);
    }

    #[test]
    fn chunks_walk_a_part_from_the_server_offset() {
        let part = 10..35;
        assert_eq!(next_chunk(&part, 0, 10), Some(10..20));
        assert_eq!(next_chunk(&part, 20, 10), Some(30..35));
        assert_eq!(next_chunk(&part, 25, 10), None);
        assert_eq!(next_chunk(&(0..0), 0, 10), None);
    }
}
