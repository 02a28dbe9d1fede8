//! The layout's arithmetic: pieces tile the archive exactly, every byte is found in its piece, and
//! ZIP64 fields appear exactly at their thresholds. (Real unzip tools read whole archives in the
//! integration tests, `server/tests/it/zip.rs`.)

use super::*;

fn entry(name: &str, size: u64) -> Entry {
    Entry {
        name: name.into(),
        size,
        crc32: 0x1234_5678,
        modified: DosTime { time: 0, date: 33 },
    }
}

/// Every piece in order, checking that each starts where the last ended.
fn pieces(layout: &Layout) -> Vec<(Piece, u64, u64)> {
    let mut out = Vec::new();
    let mut piece = Some(if layout.entry_count() == 0 {
        Piece::Tail
    } else {
        Piece::Header(0)
    });
    let mut at = 0;
    while let Some(one) = piece {
        let (start, len) = layout.span(one);
        assert_eq!(start, at, "{one:?} starts where the last piece ended");
        if let Some(bytes) = layout.bytes(one) {
            assert_eq!(
                bytes.len() as u64,
                len,
                "{one:?}'s bytes are as long as its span"
            );
        }
        out.push((one, start, len));
        at += len;
        piece = layout.next(one);
    }
    assert_eq!(at, layout.len());
    out
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

#[test]
fn an_empty_archive_is_its_end_record() {
    let layout = Layout::new(vec![]).unwrap();
    assert_eq!(layout.len(), 22);
    let mut expected = vec![0x50, 0x4b, 0x05, 0x06];
    expected.extend([0; 18]);
    assert_eq!(layout.bytes(Piece::Tail).unwrap(), expected);
    assert_eq!(pieces(&layout).len(), 1);
}

#[test]
fn pieces_tile_the_archive_and_every_byte_is_located() {
    let layout = Layout::new(vec![
        entry("a.txt", 5),
        entry("empty", 0),
        entry("dir/ünï.bin", 40),
    ])
    .unwrap();
    let all = pieces(&layout);
    assert_eq!(all.len(), 3 * 3 + 1);
    let header = 30 + 5;
    assert_eq!(all[1], (Piece::Data(0), header, 5));
    for pos in 0..layout.len() {
        let found = layout.locate(pos).unwrap();
        let (start, len) = layout.span(found);
        assert!(start <= pos && pos < start + len, "{pos} in {found:?}");
    }
    assert_eq!(layout.locate(layout.len()), None);
}

#[test]
fn headers_say_stored_utf8_and_the_crc() {
    let layout = Layout::new(vec![entry("é.txt", 7)]).unwrap();
    let header = layout.bytes(Piece::Header(0)).unwrap();
    assert_eq!(u32_at(&header, 0), 0x0403_4b50);
    assert_eq!(u16_at(&header, 4), 20, "version needed");
    assert_eq!(u16_at(&header, 6), 1 << 11, "UTF-8 names");
    assert_eq!(u16_at(&header, 8), 0, "stored");
    assert_eq!(u32_at(&header, 14), 0x1234_5678);
    assert_eq!(u32_at(&header, 18), 7);
    assert_eq!(u32_at(&header, 22), 7);
    assert_eq!(&header[30..], "é.txt".as_bytes());
    let central = layout.bytes(Piece::Central(0)).unwrap();
    assert_eq!(u32_at(&central, 0), 0x0201_4b50);
    assert_eq!(u32_at(&central, 42), 0, "local header offset");
    let tail = layout.bytes(Piece::Tail).unwrap();
    assert_eq!(u16_at(&tail, 10), 1, "one entry");
    assert_eq!(u32_at(&tail, 16), 30 + 6 + 7, "directory offset");
}

#[test]
fn zip64_sizes_from_four_gib_minus_one() {
    let below = Layout::new(vec![entry("a", 0xFFFF_FFFE)]).unwrap();
    assert_eq!(below.span(Piece::Header(0)).1, 31);
    assert_eq!(below.span(Piece::Central(0)).1, 47);
    // Its size fits in 32 bits, but the directory after it starts past them.
    assert_eq!(below.span(Piece::Tail).1, 98);
    let small = Layout::new(vec![entry("a", 0xFFFF_0000)]).unwrap();
    assert_eq!(small.span(Piece::Tail).1, 22);

    let at = Layout::new(vec![entry("a", 0xFFFF_FFFF), entry("b", 1)]).unwrap();
    pieces(&at);
    let header = at.bytes(Piece::Header(0)).unwrap();
    assert_eq!(header.len(), 31 + 20);
    assert_eq!(u16_at(&header, 4), 45);
    assert_eq!(u32_at(&header, 18), u32::MAX);
    assert_eq!(u16_at(&header, 31), 0x0001);
    assert_eq!(u16_at(&header, 33), 16);
    let central = at.bytes(Piece::Central(0)).unwrap();
    assert_eq!(central.len(), 47 + 4 + 16);
    // The second entry starts past 4 GiB: its offset goes to the extra field.
    let second = at.bytes(Piece::Central(1)).unwrap();
    assert_eq!(second.len(), 47 + 4 + 8);
    assert_eq!(u32_at(&second, 42), u32::MAX);
    let offset = u64::from_le_bytes(second[51..59].try_into().unwrap());
    assert_eq!(offset, at.span(Piece::Header(1)).0);
    // The directory starts past 4 GiB too: the ZIP64 end records are there.
    assert_eq!(at.span(Piece::Tail).1, 56 + 20 + 22);
    let tail = at.bytes(Piece::Tail).unwrap();
    assert_eq!(u32_at(&tail, 0), 0x0606_4b50);
    assert_eq!(u32_at(&tail, 56), 0x0706_4b50);
    assert_eq!(u32_at(&tail, 76), 0x0605_4b50);
    assert_eq!(u32_at(&tail, 76 + 16), u32::MAX);
}

#[test]
fn zip64_end_records_from_65535_entries() {
    let many = |n: usize| Layout::new((0..n).map(|i| entry(&i.to_string(), 0)).collect());
    assert_eq!(many(65_534).unwrap().span(Piece::Tail).1, 22);
    let layout = many(65_535).unwrap();
    assert_eq!(layout.span(Piece::Tail).1, 98);
    let tail = layout.bytes(Piece::Tail).unwrap();
    assert_eq!(
        u64::from_le_bytes(tail[32..40].try_into().unwrap()),
        65_535,
        "the ZIP64 record counts them"
    );
    assert_eq!(u16_at(&tail, 76 + 10), u16::MAX);
}

#[test]
fn names_longer_than_a_header_field_are_refused() {
    assert!(Layout::new(vec![entry(&"x".repeat(65_536), 0)]).is_err());
    assert!(Layout::new(vec![entry(&"x".repeat(65_535), 0)]).is_ok());
}

#[test]
fn dos_times_keep_two_second_steps_and_clamp_the_years() {
    let at = |text: &str| DosTime::from_utc(text.parse().unwrap());
    let time = at("2026-12-06T13:45:31Z");
    assert_eq!(time.time, (13 << 11) | (45 << 5) | 15);
    assert_eq!(time.date, (46 << 9) | (12 << 5) | 6);
    assert_eq!(at("1970-01-01T00:00:00Z").date, (1 << 5) | 1);
    assert_eq!(at("2200-01-01T00:00:00Z").date, (127 << 9) | (12 << 5) | 31);
}
