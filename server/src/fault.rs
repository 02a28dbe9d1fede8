//! Crash points for the crash tests: `FERRY_TEST_CRASH_AT=<step>` makes a debug build of `ferry`
//! abort (no unwinding, no destructors: as good as SIGKILL for what is on disk and in the
//! database) when it reaches the named step, so a test can kill it between two steps of
//! completing a file instead of at a random moment. The steps, in the order a file completes:
//!
//! - `completion:after_append`: the last chunk is durable on the node, nothing recorded yet;
//! - `completion:after_publish`: the file's object is published, the database not yet told;
//! - `completion:after_complete`: the file is complete (and the package maybe sent), the uploads'
//!   bytes still on the node;
//! - `completion:after_discard`: the first upload's bytes removed, that not yet recorded.
//!
//! Release builds compile [`crash_point`] to nothing: the variable is not even read.

/// Aborts the process if `FERRY_TEST_CRASH_AT` names `step` (debug builds only).
#[inline]
pub fn crash_point(step: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("FERRY_TEST_CRASH_AT").is_ok_and(|at| at == step) {
        eprintln!("FERRY_TEST_CRASH_AT={step}: aborting here");
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}
