//! `--limit-rate`: one token bucket shared by every stream of the process, so the cap holds for
//! the whole transfer however many files and parts move at once.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Parses `10M`, `512k`, `1G` or plain bytes per second (K, M, G are powers of 1024).
pub fn parse_rate(raw: &str) -> Result<u64, String> {
    let raw = raw.trim();
    let (digits, unit) = match raw
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
    {
        Some((at, _)) => raw.split_at(at),
        None => (raw, ""),
    };
    let number: f64 = digits
        .parse()
        .map_err(|_| format!("{raw:?} is not a rate: write bytes per second, like 500K or 10M"))?;
    let factor = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("B")
        .trim_end_matches("I")
    {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("{raw:?}: the unit must be K, M or G (like 10M)")),
    };
    let rate = (number * factor).round();
    if rate < 1.0 {
        return Err("the rate must be at least 1 byte per second".into());
    }
    Ok(rate as u64)
}

/// A token bucket of at most one second's worth of bytes.
#[derive(Debug)]
pub struct RateLimit {
    per_second: u64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    pub fn new(per_second: u64) -> Self {
        Self {
            per_second,
            state: Mutex::new(Bucket {
                tokens: 0.0,
                at: Instant::now(),
            }),
        }
    }

    /// Waits until `bytes` may go.
    pub async fn take(&self, bytes: usize) {
        let wait = {
            let Ok(mut bucket) = self.state.lock() else {
                return;
            };
            let now = Instant::now();
            let rate = self.per_second as f64;
            let refill = now.duration_since(bucket.at).as_secs_f64() * rate;
            bucket.tokens = (bucket.tokens + refill).min(rate);
            bucket.at = now;
            bucket.tokens -= bytes as f64;
            if bucket.tokens >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-bucket.tokens / rate)
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_take_binary_units() {
        assert_eq!(parse_rate("100"), Ok(100));
        assert_eq!(parse_rate("10M"), Ok(10 << 20));
        assert_eq!(parse_rate("512k"), Ok(512 << 10));
        assert_eq!(parse_rate("1.5G"), Ok(3 << 29));
        assert_eq!(parse_rate("2MiB"), Ok(2 << 20));
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("10X").is_err());
        assert!(parse_rate("0").is_err());
    }
}
