//! How long to wait before retrying after the network or the gateway failed: 1 s, 2 s, 4 s …
//! doubling up to 30 s. Retries never give up while the browser is online.

use std::time::Duration;

const FIRST: Duration = Duration::from_secs(1);
const LONGEST: Duration = Duration::from_secs(30);

/// The wait before retry number `failures` (0 for the first retry after one failure).
pub fn retry_delay(failures: u32) -> Duration {
    FIRST
        .checked_mul(1_u32.checked_shl(failures).unwrap_or(u32::MAX))
        .map_or(LONGEST, |delay| delay.min(LONGEST))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_at_thirty_seconds() {
        let secs: Vec<u64> = (0..8).map(|n| retry_delay(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(retry_delay(40), LONGEST);
        assert_eq!(retry_delay(u32::MAX), LONGEST);
    }
}
