//! Speed and time left: a moving average over the last few seconds of progress, and how the
//! figures read on the page ("12.3 MB of 40.0 MB · 8.1 MB/s · 4 s left").

use std::collections::VecDeque;

use crate::ui::format::human_size;

/// The speed is averaged over this much recent time (milliseconds).
const WINDOW_MS: f64 = 5_000.0;
/// No speed is shown until progress has been watched for this long.
const MIN_SPAN_MS: f64 = 750.0;

/// Bytes done over time, for one file or for the whole package.
#[derive(Debug, Default, Clone)]
pub struct SpeedMeter {
    /// (time in ms, bytes done), oldest first; one sample may predate the window, as its start.
    samples: VecDeque<(f64, u64)>,
}

impl SpeedMeter {
    /// Notes that `bytes` are done at `now_ms`. A count that goes back (a failed chunk's bytes are
    /// sent again) starts a new average.
    pub fn record(&mut self, now_ms: f64, bytes: u64) {
        if self.samples.back().is_some_and(|&(_, last)| bytes < last) {
            self.samples.clear();
        }
        self.samples.push_back((now_ms, bytes));
        while self
            .samples
            .get(1)
            .is_some_and(|&(time, _)| time <= now_ms - WINDOW_MS)
        {
            self.samples.pop_front();
        }
    }

    /// Bytes per second over the window up to `now_ms`, once there is enough to tell.
    pub fn speed(&self, now_ms: f64) -> Option<f64> {
        let &(first_time, first_bytes) = self.samples.front()?;
        let &(_, last_bytes) = self.samples.back()?;
        let span = now_ms - first_time;
        (span >= MIN_SPAN_MS).then(|| (last_bytes - first_bytes) as f64 * 1000.0 / span)
    }
}

/// Seconds until `remaining` bytes are done at `speed` bytes per second.
pub fn seconds_left(remaining: u64, speed: Option<f64>) -> Option<u64> {
    let speed = speed.filter(|speed| *speed > 0.0)?;
    Some((remaining as f64 / speed).ceil() as u64)
}

/// "4 s left", "3 min left", "1 h 5 min left".
pub fn time_left_words(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s left"),
        60..3600 => format!("{} min left", seconds.div_ceil(60)),
        _ => {
            let minutes = seconds.div_ceil(60);
            format!("{} h {} min left", minutes / 60, minutes % 60)
        }
    }
}

/// "12.3 MB of 40.0 MB", then the speed and time left when known.
pub fn progress_words(done: u64, size: u64, speed: Option<f64>) -> String {
    let mut words = format!("{} of {}", human_size(done), human_size(size));
    if done < size
        && let Some(speed) = speed
    {
        words.push_str(&format!(" · {}/s", human_size(speed as u64)));
        if let Some(left) = seconds_left(size - done, Some(speed)) {
            words.push_str(" · ");
            words.push_str(&time_left_words(left));
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_is_averaged_over_the_recent_window() {
        let mut meter = SpeedMeter::default();
        meter.record(0.0, 0);
        assert_eq!(meter.speed(100.0), None);
        // 1 MB/s for ten seconds, then 4 MB/s for five.
        for second in 1..=10_u32 {
            meter.record(f64::from(second) * 1000.0, u64::from(second) * 1_000_000);
        }
        assert_eq!(meter.speed(10_000.0), Some(1_000_000.0));
        for second in 11..=15_u32 {
            meter.record(
                f64::from(second) * 1000.0,
                10_000_000 + u64::from(second - 10) * 4_000_000,
            );
        }
        assert_eq!(meter.speed(15_000.0), Some(4_000_000.0));
    }

    #[test]
    fn a_stall_slows_the_average_and_a_rewind_restarts_it() {
        let mut meter = SpeedMeter::default();
        meter.record(0.0, 0);
        meter.record(1000.0, 2_000_000);
        meter.record(2000.0, 2_000_000);
        assert_eq!(meter.speed(2000.0), Some(1_000_000.0));
        meter.record(2500.0, 1_000_000);
        assert_eq!(meter.speed(2500.0), None);
    }

    #[test]
    fn time_left_reads_naturally() {
        assert_eq!(seconds_left(10_000_000, Some(2_500_000.0)), Some(4));
        assert_eq!(seconds_left(1, Some(0.0)), None);
        assert_eq!(seconds_left(1, None), None);
        assert_eq!(time_left_words(4), "4 s left");
        assert_eq!(time_left_words(61), "2 min left");
        assert_eq!(time_left_words(3900), "1 h 5 min left");
    }

    #[test]
    fn progress_line_has_bytes_speed_and_time_left() {
        assert_eq!(
            progress_words(12_300_000, 40_000_000, Some(8_100_000.0)),
            "12.3 MB of 40.0 MB · 8.1 MB/s · 4 s left"
        );
        assert_eq!(progress_words(0, 40_000_000, None), "0 B of 40.0 MB");
        assert_eq!(
            progress_words(40_000_000, 40_000_000, Some(1.0)),
            "40.0 MB of 40.0 MB"
        );
    }
}
