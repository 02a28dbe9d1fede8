//! What a person or a script sees while files move. On a terminal: a bar per file being moved and
//! one for the whole transfer, with bytes, speed and time left (indicatif; hidden when stderr is
//! not a terminal). With `--json`: one JSON object per line on stdout, each with an `event` field
//! (`start`, `file_start`, `file_resume` with the bytes a transfer goes on from, `progress` at most
//! once a second, `retry` when a request failed and is tried again, `file_done`, `file_failed`,
//! `message`, and the command's final `result`; or `error` with the exit code).

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::{Value, json};

/// Prints one JSON line on stdout.
pub fn print_json(value: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// Where progress goes for one command.
pub struct Reporter {
    json: bool,
    multi: MultiProgress,
    last_progress: Mutex<Instant>,
}

impl Reporter {
    pub fn new(json: bool) -> Arc<Self> {
        let multi = MultiProgress::new();
        if json {
            multi.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        Arc::new(Self {
            json,
            multi,
            last_progress: Mutex::new(Instant::now()),
        })
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// A JSON event (nothing on a terminal).
    pub fn event(&self, value: Value) {
        if self.json {
            print_json(&value);
        }
    }

    /// A sentence for people: above the bars, or a `message` event.
    pub fn note(&self, text: &str) {
        if self.json {
            print_json(&json!({"event": "message", "message": text}));
        } else if self.multi.is_hidden() {
            eprintln!("{text}");
        } else {
            let _ = self.multi.println(text);
        }
    }

    /// Starts a transfer of `files` files and `bytes` bytes; its bar counts every file's bytes.
    pub fn start(self: &Arc<Self>, transfer: &str, files: usize, bytes: u64) -> Arc<TransferBar> {
        self.event(json!({"event": "start", "transfer": transfer, "files": files, "bytes": bytes}));
        let bar = self.multi.add(ProgressBar::new(bytes));
        bar.set_style(style(
            "{prefix:.bold} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        ));
        bar.set_prefix(format!("{transfer} ({})", crate::commands::files(files)));
        bar.enable_steady_tick(Duration::from_millis(250));
        Arc::new(TransferBar {
            reporter: self.clone(),
            transfer: transfer.to_owned(),
            bar,
        })
    }

    fn progress_due(&self) -> bool {
        let Ok(mut last) = self.last_progress.lock() else {
            return false;
        };
        if last.elapsed() >= Duration::from_secs(1) {
            *last = Instant::now();
            true
        } else {
            false
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// The whole transfer's bar.
pub struct TransferBar {
    reporter: Arc<Reporter>,
    transfer: String,
    bar: ProgressBar,
}

impl TransferBar {
    /// One file's bar, shown while it moves.
    pub fn file(self: &Arc<Self>, file_id: i64, name: &str, size: u64) -> FileBar {
        self.reporter.event(json!({
            "event": "file_start", "transfer": self.transfer, "file_id": file_id, "path": name, "size": size,
        }));
        let bar = self
            .reporter
            .multi
            .insert_before(&self.bar, ProgressBar::new(size));
        bar.set_style(style(
            "  {prefix:40!} [{bar:20}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        ));
        bar.set_prefix(name.to_owned());
        FileBar {
            transfer: self.clone(),
            file_id,
            name: name.to_owned(),
            bar,
        }
    }

    /// Ends the transfer's bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    pub fn position(&self) -> u64 {
        self.bar.position()
    }
}

/// One file's progress.
#[derive(Clone)]
pub struct FileBar {
    transfer: Arc<TransferBar>,
    file_id: i64,
    name: String,
    bar: ProgressBar,
}

impl FileBar {
    /// `bytes` more moved.
    pub fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
        self.transfer.bar.inc(bytes);
        let reporter = &self.transfer.reporter;
        if reporter.json && reporter.progress_due() {
            print_json(&json!({
                "event": "progress", "transfer": self.transfer.transfer,
                "bytes": self.transfer.bar.position(), "total": self.transfer.bar.length(),
            }));
        }
    }

    /// The transfer goes on from `bytes` already on the server (upload) or on disk (download).
    pub fn resumed(&self, bytes: u64) {
        self.transfer.reporter.event(json!({
            "event": "file_resume", "transfer": self.transfer.transfer, "file_id": self.file_id,
            "path": self.name, "bytes": bytes,
        }));
    }

    /// A request failed and is tried again after a pause.
    pub fn retrying(&self, why: &dyn std::fmt::Display) {
        self.transfer.reporter.event(json!({
            "event": "retry", "transfer": self.transfer.transfer, "file_id": self.file_id,
            "path": self.name, "message": format!("{why:#}"),
        }));
    }

    /// Bytes of this file counted so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// `bytes` counted before must be moved again (a failed request).
    pub fn rewind(&self, bytes: u64) {
        self.bar
            .set_position(self.bar.position().saturating_sub(bytes));
        let total = &self.transfer.bar;
        total.set_position(total.position().saturating_sub(bytes));
    }

    /// The file is done; `saved_as` is where a download landed.
    pub fn done(self, saved_as: Option<&str>) {
        self.bar.finish_and_clear();
        let reporter = &self.transfer.reporter;
        reporter.event(json!({
            "event": "file_done", "transfer": self.transfer.transfer, "file_id": self.file_id,
            "path": self.name, "saved_as": saved_as,
        }));
        if !reporter.json && reporter.multi.is_hidden() {
            match saved_as {
                Some(saved) => eprintln!("{saved}"),
                None => eprintln!("{}", self.name),
            }
        }
    }

    /// The file could not be moved.
    pub fn failed(self, error: &anyhow::Error) {
        self.bar.abandon();
        let reporter = &self.transfer.reporter;
        if reporter.json {
            print_json(&json!({
                "event": "file_failed", "transfer": self.transfer.transfer, "file_id": self.file_id,
                "path": self.name, "message": format!("{error:#}"),
            }));
        } else {
            reporter.note(&format!("{}: {error:#}", self.name));
        }
    }
}
