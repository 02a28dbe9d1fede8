//! Limits that the server enforces and the web app explains.

/// Files per package unless an admin changes it (the seed product's rule).
pub const DEFAULT_MAX_FILES_PER_PACKAGE: u32 = 10;
/// Longest username accepted.
pub const MAX_USERNAME_LEN: usize = 64;
/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longest password accepted; longer ones are refused, never truncated.
pub const MAX_PASSWORD_LEN: usize = 256;
