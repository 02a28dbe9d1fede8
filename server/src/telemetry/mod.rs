//! Logging: human-readable lines on stderr filtered by `FERRY_LOG`, and the gateway's events also in
//! its own file, rotated daily.

use anyhow::Context;
use file_rotate::{
    ContentLimit, FileRotate, TimeFrequency,
    compression::Compression,
    suffix::{AppendTimestamp, FileLimit},
};
use tracing::level_filters::LevelFilter;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{
    EnvFilter, Layer,
    field::RecordFields,
    filter::Targets,
    fmt::{
        FormatFields,
        format::{DefaultFields, Writer},
    },
    layer::SubscriberExt,
    util::SubscriberInitExt,
};

use crate::config::Config;

pub mod http;

/// The target of the gateway's events: they also go to the gateway log file.
pub const GATEWAY_TARGET: &str = "ferry_server::gateway";

/// Rotated gateway logs kept besides the current one.
const GATEWAY_LOG_DAYS_KEPT: usize = 30;

/// Keeps the gateway log writer flushing; drop it last.
pub struct LogGuard {
    _gateway: WorkerGuard,
}

/// Installs the global subscriber. Call once, early in `main`.
pub fn init(config: &Config) -> anyhow::Result<LogGuard> {
    let (subscriber, guard) = subscriber(config)?;
    subscriber
        .try_init()
        .context("a logger was already installed")?;
    Ok(guard)
}

/// The subscriber [`init`] installs, not installed: for a caller that may only scope it to its own
/// thread (`tracing::subscriber::set_default`), as a test sharing its process with others must.
pub fn subscriber(
    config: &Config,
) -> anyhow::Result<(impl tracing::Subscriber + Send + Sync + 'static, LogGuard)> {
    let path = &config.gateway_log;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "invalid setting gateway_log (env FERRY_GATEWAY_LOG): cannot create {}",
                dir.display()
            )
        })?;
    }
    let file = FileRotate::new(
        path,
        AppendTimestamp::default(FileLimit::MaxFiles(GATEWAY_LOG_DAYS_KEPT)),
        ContentLimit::Time(TimeFrequency::Daily),
        Compression::None,
        #[cfg(unix)]
        None,
    );
    let (writer, guard) = tracing_appender::non_blocking(file);

    // Colours only for a person at a terminal: a log file or journald gets plain text to search.
    let console = tracing_subscriber::fmt::layer()
        .with_ansi(stderr_is_terminal())
        .with_writer(std::io::stderr)
        .with_filter(
            EnvFilter::try_new(&config.log).context("invalid setting log (env FERRY_LOG)")?,
        );
    let gateway_file = tracing_subscriber::fmt::layer()
        .fmt_fields(PlainFields::default())
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(Targets::new().with_target(GATEWAY_TARGET, LevelFilter::INFO));
    let subscriber = tracing_subscriber::registry()
        .with(console)
        .with(gateway_file);
    Ok((subscriber, LogGuard { _gateway: guard }))
}

/// Installs a subscriber for `ferry node`: lines on stderr filtered by `filter` (no gateway file).
pub fn init_console(filter: &str) -> anyhow::Result<()> {
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(stderr_is_terminal())
                .with_writer(std::io::stderr)
                .with_filter(
                    EnvFilter::try_new(filter).context("invalid setting log (env FERRY_LOG)")?,
                ),
        )
        .try_init()
        .context("a logger was already installed")
}

/// Span fields formatted for the log file. A type of its own, because formatted span fields are
/// cached per formatter type: sharing the console's would copy its colour codes into the file.
#[derive(Default)]
struct PlainFields(DefaultFields);

impl<'writer> FormatFields<'writer> for PlainFields {
    fn format_fields<R: RecordFields>(
        &self,
        writer: Writer<'writer>,
        fields: R,
    ) -> std::fmt::Result {
        self.0.format_fields(writer, fields)
    }
}

fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}
