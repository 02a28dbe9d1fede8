//! How a file is cut up: into contiguous parts uploaded in parallel (tus concatenation) when it is
//! big, and each part into chunks of at most the spec's chunk size, one PATCH each. The same rules
//! as the web app's engine, so both clients load the gateway alike.

use std::ops::Range;

/// A file is split only when it holds more than this many chunks; smaller files go as one upload.
const MIN_CHUNKS_TO_SPLIT: u64 = 2;

/// The byte ranges of a file's parts, in file order. One range (the whole file, possibly empty)
/// means a plain upload; several mean partial uploads joined by a final concatenation.
pub fn part_ranges(size: u64, chunk_size: u64, parallel: u32) -> Vec<Range<u64>> {
    let chunk_size = chunk_size.max(1);
    if parallel <= 1 || size <= MIN_CHUNKS_TO_SPLIT * chunk_size {
        return std::iter::once(0..size).collect();
    }
    let chunks = size.div_ceil(chunk_size);
    let part_size = chunks.div_ceil(u64::from(parallel)) * chunk_size;
    (0..size.div_ceil(part_size))
        .map(|i| i * part_size..((i + 1) * part_size).min(size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    #[test]
    fn small_files_are_one_upload_and_big_ones_split_on_chunk_boundaries() {
        assert_eq!(part_ranges(0, 8 * MB, 4), vec![0..0]);
        assert_eq!(part_ranges(16 * MB, 8 * MB, 4), vec![0..16 * MB]);
        let parts = part_ranges(64 * MB, 8 * MB, 4);
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[3], 48 * MB..64 * MB);
        assert_eq!(part_ranges(17 * MB, 8 * MB, 8).len(), 3);
    }
}
