//! Exponential backoff between attempts: 0.5 s doubling to 30 s, with jitter so that many streams
//! failing together do not come back together; given up after about five minutes of failures.

use std::time::Duration;

const FIRST: Duration = Duration::from_millis(500);
const LONGEST: Duration = Duration::from_secs(30);
/// Attempts after the first before giving up: 0.5+1+2+4+8+16+30×8 ≈ 5 minutes.
const RETRIES: u32 = 14;

/// The waits of one operation's retries.
#[derive(Debug, Default)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// Waits before the next attempt; `false` when it is time to give up.
    pub async fn wait(&mut self) -> bool {
        match self.next_delay() {
            Some(delay) => {
                tokio::time::sleep(delay).await;
                true
            }
            None => false,
        }
    }

    /// Starts over after progress: the next failure waits the shortest time again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    fn next_delay(&mut self) -> Option<Duration> {
        if self.attempt >= RETRIES {
            return None;
        }
        let base = FIRST.saturating_mul(1 << self.attempt.min(10)).min(LONGEST);
        self.attempt += 1;
        // Up to a quarter more, from the clock's low bits: enough to spread retries apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let jitter = base.mul_f64(f64::from(nanos % 1000) / 4000.0);
        Some(base + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_a_ceiling_then_give_up() {
        let mut backoff = Backoff::default();
        let delays: Vec<Duration> = std::iter::from_fn(|| backoff.next_delay()).collect();
        assert_eq!(delays.len(), RETRIES as usize);
        assert!(delays[0] >= FIRST && delays[0] < FIRST * 2);
        assert!(delays[1] >= FIRST * 2);
        assert!(delays.iter().all(|d| *d <= LONGEST + LONGEST / 4));
        backoff.reset();
        assert!(backoff.next_delay().is_some_and(|d| d < FIRST * 2));
    }
}
