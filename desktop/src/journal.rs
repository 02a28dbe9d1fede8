//! What the client remembers about unfinished transfers, so that a kill at any moment loses
//! nothing: one append-only journal per transfer under the user's data directory
//! (`transfers/send-42-….jsonl`), one JSON entry a line, each line synced to disk before the step
//! it announces. The first line says what the transfer is; later lines record the tus upload URLs
//! of big files and the `.part` files of downloads. A line torn by a crash is ignored. A transfer
//! being worked on is locked (`flock`), so two processes never run the same one; the journal is
//! deleted when the transfer ends.
//!
//! What is not here is asked again: the server keeps each upload's offset and says which files are
//! complete, and a download's progress is the length of its `.part` file.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// A local file of a send, and where it goes in the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalFile {
    pub local: PathBuf,
    /// `/`-separated, ending in the name (`photos/2024/a.jpg`).
    pub path: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendHeader {
    pub server: String,
    pub package_id: i64,
    pub title: String,
    pub files: Vec<LocalFile>,
    /// Parallel parts per big file (`send --parts`); 1: one upload per file.
    #[serde(default = "SendHeader::one_part")]
    pub parts: u32,
}

impl SendHeader {
    fn one_part() -> u32 {
        1
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceiveHeader {
    pub server: String,
    pub package_id: i64,
    pub title: String,
    /// Absolute.
    pub dir: PathBuf,
}

/// One line of a journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum Entry {
    Send(SendHeader),
    Receive(ReceiveHeader),
    /// A tus upload of part `index` (bytes `start..end`) of file number `file` of a send.
    Part {
        file: usize,
        index: usize,
        start: u64,
        end: u64,
        url: String,
    },
    /// The `.part` file of a download, claimed before it is created.
    Partial {
        file_id: i64,
        part: PathBuf,
    },
    /// A download verified and in place.
    Saved {
        file_id: i64,
        path: PathBuf,
    },
}

/// Which way a transfer goes, and its package.
#[derive(Debug, Clone)]
pub enum Header {
    Send(SendHeader),
    Receive(ReceiveHeader),
}

impl Header {
    pub fn server(&self) -> &str {
        match self {
            Header::Send(h) => &h.server,
            Header::Receive(h) => &h.server,
        }
    }

    pub fn package_id(&self) -> i64 {
        match self {
            Header::Send(h) => h.package_id,
            Header::Receive(h) => h.package_id,
        }
    }

    /// `send-42` or `receive-42`: how `status` names it and `cancel` takes it.
    pub fn transfer_id(&self) -> String {
        match self {
            Header::Send(h) => format!("send-{}", h.package_id),
            Header::Receive(h) => format!("receive-{}", h.package_id),
        }
    }

    fn entry(&self) -> Entry {
        match self {
            Header::Send(h) => Entry::Send(h.clone()),
            Header::Receive(h) => Entry::Receive(h.clone()),
        }
    }
}

/// An open, locked journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    pub header: Header,
    /// Every entry after the header, as read at opening and appended since.
    pub entries: Vec<Entry>,
}

/// Where the journals live.
pub fn transfers_dir() -> anyhow::Result<PathBuf> {
    Ok(crate::credentials::project_dirs()?
        .data_dir()
        .join("transfers"))
}

fn file_name(header: &Header) -> String {
    let digest = sha2::Sha256::digest(header.server().as_bytes());
    format!(
        "{}-{}.jsonl",
        header.transfer_id(),
        &hex::encode(digest)[..8]
    )
}

/// Best effort: makes a rename or a new file in `dir` durable (where the platform allows).
pub fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

impl Journal {
    /// Starts the journal of a new transfer (refused if that transfer already has one).
    pub fn create(header: Header) -> anyhow::Result<Self> {
        let dir = transfers_dir()?;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(file_name(&header));
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .with_context(|| {
                format!(
                    "{} is already under way on this computer: see `ferry-desktop status`",
                    header.transfer_id()
                )
            })?;
        file.try_lock()
            .map_err(|_| anyhow::anyhow!("{} is locked", path.display()))?;
        let mut journal = Self {
            path,
            file,
            header: header.clone(),
            entries: Vec::new(),
        };
        journal.write(&header.entry())?;
        sync_dir(&dir);
        Ok(journal)
    }

    /// Opens an unfinished transfer's journal to continue it; `None` if another process holds it.
    pub fn open(path: &Path) -> anyhow::Result<Option<Self>> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        if file.try_lock().is_err() {
            return Ok(None);
        }
        let (header, entries) =
            read(&file).with_context(|| format!("{} is not a transfer journal", path.display()))?;
        Ok(Some(Self {
            path: path.to_owned(),
            file,
            header,
            entries,
        }))
    }

    /// Records `entry` durably.
    pub fn append(&mut self, entry: Entry) -> anyhow::Result<()> {
        self.write(&entry)?;
        self.entries.push(entry);
        Ok(())
    }

    fn write(&mut self, entry: &Entry) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(entry)?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// The transfer is over (done or cancelled): its journal goes.
    pub fn finish(self) -> anyhow::Result<()> {
        std::fs::remove_file(&self.path)
            .with_context(|| format!("cannot delete {}", self.path.display()))?;
        if let Some(dir) = self.path.parent() {
            sync_dir(dir);
        }
        Ok(())
    }
}

/// The header and the entries of a journal; a torn last line is skipped.
fn read(file: &File) -> anyhow::Result<(Header, Vec<Entry>)> {
    let mut lines = BufReader::new(file).lines();
    let first = lines.next().context("empty")??;
    let header = match serde_json::from_str::<Entry>(&first)? {
        Entry::Send(h) => Header::Send(h),
        Entry::Receive(h) => Header::Receive(h),
        _ => anyhow::bail!("the first line is not a transfer"),
    };
    let entries = lines
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect();
    Ok((header, entries))
}

/// An unfinished transfer found on disk.
#[derive(Debug)]
pub struct Unfinished {
    pub path: PathBuf,
    pub header: Header,
    /// Another process is working on it now.
    pub running: bool,
}

/// Every unfinished transfer, oldest first.
pub fn unfinished() -> anyhow::Result<Vec<Unfinished>> {
    let dir = transfers_dir()?;
    let listing = match std::fs::read_dir(&dir) {
        Ok(listing) => listing,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut found = Vec::new();
    for item in listing {
        let path = item?.path();
        if path.extension().is_none_or(|ext| ext != "jsonl") {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        let Ok((header, _)) = read(&file) else {
            continue;
        };
        let running = file.try_lock_shared().is_err();
        let modified = file.metadata().and_then(|m| m.modified()).ok();
        found.push((
            modified,
            Unfinished {
                path,
                header,
                running,
            },
        ));
    }
    found.sort_by_key(|(modified, _)| *modified);
    Ok(found.into_iter().map(|(_, u)| u).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_torn_by_a_crash_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("send-1.jsonl");
        let header = Entry::Send(SendHeader {
            server: "http://ferry".into(),
            package_id: 1,
            title: "t".into(),
            files: vec![LocalFile {
                local: "/tmp/a".into(),
                path: "a".into(),
                size: 3,
            }],
            parts: 1,
        });
        let part = Entry::Part {
            file: 0,
            index: 0,
            start: 0,
            end: 3,
            url: "http://gw/tus/abc".into(),
        };
        let mut text = String::new();
        for entry in [&header, &part] {
            text.push_str(&serde_json::to_string(entry).unwrap());
            text.push('\n');
        }
        text.push_str(r#"{"entry":"part","file":0,"ind"#);
        std::fs::write(&path, text).unwrap();
        let (read_header, entries) = read(&File::open(&path).unwrap()).unwrap();
        assert_eq!(read_header.transfer_id(), "send-1");
        assert_eq!(entries.len(), 1);
        assert!(matches!(&entries[0], Entry::Part { url, .. } if url == "http://gw/tus/abc"));
    }

    #[test]
    fn a_journal_without_parts_is_one_part_per_file() {
        let line = r#"{"entry":"send","server":"s","package_id":2,"title":"t","files":[]}"#;
        let Ok(Entry::Send(header)) = serde_json::from_str::<Entry>(line) else {
            panic!("a send header");
        };
        assert_eq!(header.parts, 1);
    }
}
