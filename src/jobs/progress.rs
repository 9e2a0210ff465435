//! Rate and time-remaining estimates from recent progress samples.
//!
//! The samples live in the job row, so every instance that reads the row
//! computes the same rate, whichever process did the work.

use serde::{Deserialize, Serialize};

/// Samples older than this are dropped from the rate window.
const WINDOW_MILLIS: i64 = 30_000;

/// Most samples kept, enough for one a second over the window.
const MAX_SAMPLES: usize = 32;

/// The estimate stays empty until this share of the rows is done.
const MIN_FRACTION_FOR_ESTIMATE: f64 = 0.10;

/// One observation: milliseconds since the Unix epoch and rows done.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Sample(pub i64, pub i64);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RateWindow(Vec<Sample>);

impl RateWindow {
    pub fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "[]".to_string())
    }

    /// Adds a sample and drops the ones that fell out of the window.
    pub fn push(&mut self, sample: Sample) {
        self.0.push(sample);
        let newest = sample.0;
        self.0.retain(|s| newest - s.0 <= WINDOW_MILLIS);
        if self.0.len() > MAX_SAMPLES {
            let excess = self.0.len() - MAX_SAMPLES;
            self.0.drain(..excess);
        }
    }

    /// Returns rows per second across the window, once it spans time.
    pub fn rows_per_second(&self) -> Option<f64> {
        let (first, last) = (self.0.first()?, self.0.last()?);
        let millis = last.0 - first.0;
        if millis <= 0 {
            return None;
        }
        Some((last.1 - first.1) as f64 * 1000.0 / millis as f64)
    }
}

/// Returns the seconds left at `rate`, or `None` before 10% is done or
/// while the rate is unknown.
pub fn estimate_seconds_remaining(
    current: i64,
    total: Option<i64>,
    rate: Option<f64>,
) -> Option<i64> {
    let total = total.filter(|t| *t > 0)?;
    let rate = rate.filter(|r| *r > 0.0)?;
    if (current as f64) < total as f64 * MIN_FRACTION_FOR_ESTIMATE {
        return None;
    }
    let remaining = (total - current).max(0) as f64;
    Some((remaining / rate).ceil() as i64)
}

/// Returns the whole-number percentage done, 0 to 100.
pub fn percentage(current: i64, total: Option<i64>) -> i64 {
    match total {
        Some(total) if total > 0 => (current.clamp(0, total) * 100) / total,
        Some(_) => 100,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_uses_window_span() {
        let mut window = RateWindow::default();
        window.push(Sample(0, 0));
        window.push(Sample(2_000, 10_000));
        assert_eq!(window.rows_per_second(), Some(5_000.0));
    }

    #[test]
    fn old_samples_leave_window() {
        let mut window = RateWindow::default();
        window.push(Sample(0, 0));
        window.push(Sample(40_000, 1_000));
        window.push(Sample(41_000, 2_000));
        assert_eq!(window.rows_per_second(), Some(1_000.0));
    }

    #[test]
    fn estimate_empty_before_ten_percent() {
        assert_eq!(
            estimate_seconds_remaining(9_999, Some(100_000), Some(1_000.0)),
            None
        );
        assert_eq!(
            estimate_seconds_remaining(10_000, Some(100_000), Some(1_000.0)),
            Some(90)
        );
    }

    #[test]
    fn estimate_empty_without_rate() {
        assert_eq!(estimate_seconds_remaining(50, Some(100), None), None);
    }

    #[test]
    fn percentage_clamped() {
        assert_eq!(percentage(45_000, Some(100_000)), 45);
        assert_eq!(percentage(5, Some(0)), 100);
        assert_eq!(percentage(200, Some(100)), 100);
        assert_eq!(percentage(3, None), 0);
    }
}
