//! The byte layout of a package's ZIP archive, computed from its entries alone (name, size, CRC-32,
//! time), so the archive's exact length is known before its first byte and any byte of it can be
//! made without reading the files before it.
//!
//! The archive is a sequence of [`Piece`]s: for each entry its local header then its data (stored,
//! method 0, no data descriptor: the CRC is known up front), then one central directory record per
//! entry, then the [`Piece::Tail`] (ZIP64 end of central directory record and locator when needed,
//! and the end of central directory record). Headers and records are made on demand
//! ([`Layout::bytes`]), one at a time: for a huge package the directory is never held whole. Names
//! are UTF-8 (general purpose flag bit 11). ZIP64 fields are used exactly where a value does not
//! fit: an entry's sizes (≥ 4 GiB − 1), its offset, the entry count (≥ 65,535), the directory's
//! size or offset; an entry that needs any of them declares version 4.5, the others 2.0.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Bumped whenever the bytes made for the same entries change (it is part of the `ETag`).
pub const LAYOUT_VERSION: u32 = 1;

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's name (a relative path with `/`), UTF-8, at most 65,535 bytes.
    pub name: String,
    pub size: u64,
    pub crc32: u32,
    pub modified: DosTime,
}

/// An MS-DOS date and time, as ZIP headers store them (two-second steps, 1980 to 2107).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DosTime {
    pub time: u16,
    pub date: u16,
}

impl DosTime {
    /// `at` (UTC), clamped to the years a DOS date can hold.
    pub fn from_utc(at: DateTime<Utc>) -> Self {
        let year = at.year().clamp(1980, 2107);
        if year != at.year() {
            let month_day = if year == 1980 { (1, 1) } else { (12, 31) };
            let time = if year == 1980 {
                0
            } else {
                (23 << 11) | (59 << 5) | 29
            };
            return Self {
                time,
                date: dos_date(year, month_day.0, month_day.1),
            };
        }
        let time = (at.hour() << 11) | (at.minute() << 5) | (at.second() / 2);
        Self {
            time: u16::try_from(time).unwrap_or_default(),
            date: dos_date(year, at.month(), at.day()),
        }
    }
}

fn dos_date(year: i32, month: u32, day: u32) -> u16 {
    let years = u32::try_from(year - 1980).unwrap_or_default();
    u16::try_from((years << 9) | (month << 5) | day).unwrap_or_default()
}

/// A part of the archive, in archive order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// Entry `i`'s local file header.
    Header(usize),
    /// Entry `i`'s bytes (empty for an empty file).
    Data(usize),
    /// Entry `i`'s central directory record.
    Central(usize),
    /// The ZIP64 end records (when needed) and the end of central directory record.
    Tail,
}

/// Where each entry and record goes.
#[derive(Debug, Clone)]
pub struct Layout {
    entries: Vec<Placed>,
    central_start: u64,
    central_size: u64,
    tail_len: u64,
}

#[derive(Debug, Clone)]
struct Placed {
    entry: Entry,
    /// Offset of the local header.
    offset: u64,
    /// Offset of the central directory record.
    central: u64,
}

const LOCAL_HEADER: u64 = 30;
const CENTRAL_RECORD: u64 = 46;
const END_RECORD: u64 = 22;
const ZIP64_END_RECORD: u64 = 56;
const ZIP64_LOCATOR: u64 = 20;
/// A 32-bit field holding this (or more) is in the ZIP64 extra field or record instead.
const MAX32: u64 = 0xFFFF_FFFF;
const MAX16: u64 = 0xFFFF;
const UTF8_NAMES: u16 = 1 << 11;
/// Unix (3), so the permissions in the external attributes are read.
const MADE_BY_UNIX: u16 = 3 << 8;
/// A regular file, `rw-r--r--`.
const FILE_MODE: u32 = 0o100_644 << 16;

/// Why entries cannot make an archive.
#[derive(Debug, thiserror::Error)]
#[error("entry name longer than 65,535 bytes: {0:?}")]
pub struct NameTooLong(pub String);

impl Entry {
    fn zip64_sizes(&self) -> bool {
        self.size >= MAX32
    }

    fn name_len(&self) -> u64 {
        self.name.len() as u64
    }

    fn header_len(&self) -> u64 {
        LOCAL_HEADER + self.name_len() + if self.zip64_sizes() { 20 } else { 0 }
    }
}

impl Placed {
    fn zip64_offset(&self) -> bool {
        self.offset >= MAX32
    }

    /// The values that go into the central record's ZIP64 extra field, in the order required.
    fn central_extra(&self) -> Vec<u64> {
        let mut values = Vec::new();
        if self.entry.zip64_sizes() {
            values.extend([self.entry.size, self.entry.size]);
        }
        if self.zip64_offset() {
            values.push(self.offset);
        }
        values
    }

    fn central_len(&self) -> u64 {
        let extra = self.central_extra().len() as u64;
        CENTRAL_RECORD + self.entry.name_len() + if extra > 0 { 4 + 8 * extra } else { 0 }
    }

    fn version_needed(&self) -> u16 {
        if self.entry.zip64_sizes() || self.zip64_offset() {
            45
        } else {
            20
        }
    }
}

impl Layout {
    /// The layout of `entries`, in this order.
    pub fn new(entries: Vec<Entry>) -> Result<Self, NameTooLong> {
        let mut placed = Vec::with_capacity(entries.len());
        let mut offset = 0u64;
        for entry in entries {
            if entry.name_len() > MAX16 {
                return Err(NameTooLong(entry.name));
            }
            let next = offset + entry.header_len() + entry.size;
            placed.push(Placed {
                entry,
                offset,
                central: 0,
            });
            offset = next;
        }
        let central_start = offset;
        for one in &mut placed {
            one.central = offset;
            offset += one.central_len();
        }
        let mut layout = Self {
            entries: placed,
            central_start,
            central_size: offset - central_start,
            tail_len: 0,
        };
        layout.tail_len = END_RECORD
            + if layout.zip64_end() {
                ZIP64_END_RECORD + ZIP64_LOCATOR
            } else {
                0
            };
        Ok(layout)
    }

    /// The archive's length in bytes.
    pub fn len(&self) -> u64 {
        self.central_start + self.central_size + self.tail_len
    }

    /// Never true: even an archive of nothing has its end record.
    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// Whether the end of the archive needs the ZIP64 records.
    fn zip64_end(&self) -> bool {
        self.entries.len() as u64 >= MAX16
            || self.central_size >= MAX32
            || self.central_start >= MAX32
    }

    /// Where `piece` starts and how long it is.
    pub fn span(&self, piece: Piece) -> (u64, u64) {
        match piece {
            Piece::Header(i) => (self.entries[i].offset, self.entries[i].entry.header_len()),
            Piece::Data(i) => {
                let placed = &self.entries[i];
                (placed.offset + placed.entry.header_len(), placed.entry.size)
            }
            Piece::Central(i) => (self.entries[i].central, self.entries[i].central_len()),
            Piece::Tail => (self.central_start + self.central_size, self.tail_len),
        }
    }

    /// The piece after `piece`, if any.
    pub fn next(&self, piece: Piece) -> Option<Piece> {
        let count = self.entries.len();
        match piece {
            Piece::Header(i) => Some(Piece::Data(i)),
            Piece::Data(i) if i + 1 < count => Some(Piece::Header(i + 1)),
            Piece::Data(_) if count > 0 => Some(Piece::Central(0)),
            Piece::Data(_) => Some(Piece::Tail),
            Piece::Central(i) if i + 1 < count => Some(Piece::Central(i + 1)),
            Piece::Central(_) => Some(Piece::Tail),
            Piece::Tail => None,
        }
    }

    /// The first piece holding byte `pos` (an empty piece holds none), `None` past the end.
    pub fn locate(&self, pos: u64) -> Option<Piece> {
        if pos >= self.len() {
            return None;
        }
        if pos >= self.central_start + self.central_size {
            return Some(Piece::Tail);
        }
        if pos >= self.central_start {
            let i = self.entries.partition_point(|p| p.central <= pos) - 1;
            return Some(Piece::Central(i));
        }
        let i = self.entries.partition_point(|p| p.offset <= pos) - 1;
        let (start, len) = self.span(Piece::Header(i));
        Some(if pos < start + len {
            Piece::Header(i)
        } else {
            Piece::Data(i)
        })
    }

    /// The bytes of a generated piece (a header, a record or the tail); `None` for data.
    pub fn bytes(&self, piece: Piece) -> Option<Vec<u8>> {
        match piece {
            Piece::Header(i) => Some(self.local_header(&self.entries[i])),
            Piece::Data(_) => None,
            Piece::Central(i) => Some(self.central_record(&self.entries[i])),
            Piece::Tail => Some(self.tail()),
        }
    }

    fn local_header(&self, placed: &Placed) -> Vec<u8> {
        let entry = &placed.entry;
        let mut out = Writer::with_capacity(entry.header_len());
        out.u32(0x0403_4b50);
        out.u16(placed.version_needed());
        out.u16(UTF8_NAMES);
        out.u16(0); // stored
        out.u16(entry.modified.time);
        out.u16(entry.modified.date);
        out.u32(entry.crc32);
        let size = clamp32(entry.size);
        out.u32(size); // compressed
        out.u32(size); // uncompressed
        out.u16(clamp16(entry.name_len()));
        out.u16(if entry.zip64_sizes() { 20 } else { 0 });
        out.bytes(entry.name.as_bytes());
        if entry.zip64_sizes() {
            out.u16(0x0001);
            out.u16(16);
            out.u64(entry.size); // uncompressed
            out.u64(entry.size); // compressed
        }
        out.0
    }

    fn central_record(&self, placed: &Placed) -> Vec<u8> {
        let entry = &placed.entry;
        let extra = placed.central_extra();
        let mut out = Writer::with_capacity(placed.central_len());
        out.u32(0x0201_4b50);
        out.u16(MADE_BY_UNIX | placed.version_needed());
        out.u16(placed.version_needed());
        out.u16(UTF8_NAMES);
        out.u16(0);
        out.u16(entry.modified.time);
        out.u16(entry.modified.date);
        out.u32(entry.crc32);
        let size = clamp32(entry.size);
        out.u32(size);
        out.u32(size);
        out.u16(clamp16(entry.name_len()));
        out.u16(if extra.is_empty() {
            0
        } else {
            clamp16(4 + 8 * extra.len() as u64)
        });
        out.u16(0); // comment
        out.u16(0); // disk
        out.u16(0); // internal attributes
        out.u32(FILE_MODE);
        out.u32(clamp32(placed.offset));
        out.bytes(entry.name.as_bytes());
        if !extra.is_empty() {
            out.u16(0x0001);
            out.u16(clamp16(8 * extra.len() as u64));
            for value in extra {
                out.u64(value);
            }
        }
        out.0
    }

    fn tail(&self) -> Vec<u8> {
        let count = self.entries.len() as u64;
        let mut out = Writer::with_capacity(self.tail_len);
        if self.zip64_end() {
            let record_at = self.central_start + self.central_size;
            out.u32(0x0606_4b50);
            out.u64(ZIP64_END_RECORD - 12);
            out.u16(MADE_BY_UNIX | 45);
            out.u16(45);
            out.u32(0); // this disk
            out.u32(0); // the directory's disk
            out.u64(count);
            out.u64(count);
            out.u64(self.central_size);
            out.u64(self.central_start);
            out.u32(0x0706_4b50);
            out.u32(0);
            out.u64(record_at);
            out.u32(1); // disks
        }
        out.u32(0x0605_4b50);
        out.u16(0);
        out.u16(0);
        out.u16(clamp16(count));
        out.u16(clamp16(count));
        out.u32(clamp32(self.central_size));
        out.u32(clamp32(self.central_start));
        out.u16(0); // comment
        out.0
    }
}

/// `value`, or all ones when it does not fit (the ZIP64 marker).
fn clamp32(value: u64) -> u32 {
    u32::try_from(value.min(MAX32)).unwrap_or(u32::MAX)
}

fn clamp16(value: u64) -> u16 {
    u16::try_from(value.min(MAX16)).unwrap_or(u16::MAX)
}

/// Little-endian fields.
struct Writer(Vec<u8>);

impl Writer {
    fn with_capacity(len: u64) -> Self {
        Self(Vec::with_capacity(usize::try_from(len).unwrap_or_default()))
    }
    fn u16(&mut self, value: u16) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn bytes(&mut self, value: &[u8]) {
        self.0.extend_from_slice(value);
    }
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
