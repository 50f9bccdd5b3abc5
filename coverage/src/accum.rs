//! Per-cell accumulators. Every field is an integer count or a maximum, so that partial
//! results over disjoint time windows merge **exactly** (no floating-point sums whose value
//! would depend on how the window was split): elevations are summed in integer
//! micro-degrees; outages are kept as run lengths in samples.

use serde::{Deserialize, Serialize};

/// What one sample contributes to a cell when at least one satellite is visible: the
/// geometry of the best server (the visible satellite of highest elevation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BestServer {
    /// Elevation, degrees.
    pub elevation_deg: f64,
    /// |downlink Doppler| at the configured carrier, Hz.
    pub abs_doppler_hz: f64,
    /// One-way delay (slant range / c), s.
    pub delay_s: f64,
    /// C/N histogram bin, when a link budget is configured.
    pub cn_bin: Option<usize>,
}

/// The running state of one cell over a contiguous range of samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellAccum {
    /// Samples with at least one satellite above the mask.
    pub covered: u32,
    /// Whether any sample so far was covered.
    pub seen_cover: bool,
    /// Uncovered samples before the first covered one (valid once `seen_cover`).
    pub lead_gap: u32,
    /// Uncovered samples since the last covered one (all samples while `!seen_cover`).
    pub trail_gap: u32,
    /// Outages bounded by covered samples on both sides: how many.
    pub interior_gaps: u32,
    /// Outages bounded on both sides: total samples.
    pub interior_gap_samples: u64,
    /// Outages bounded on both sides: the longest, samples.
    pub longest_interior_gap: u32,
    /// Sum over samples of the visible-satellite count.
    pub visible_sum: u64,
    /// Sum over covered samples of the best server's elevation, rounded to 1e−6 degree.
    pub elevation_sum_udeg: i64,
    /// Highest best-server elevation, degrees (−∞ when never covered).
    pub max_elevation_deg: f64,
    /// Largest |Doppler| of the best server, Hz (−∞ when never covered).
    pub max_abs_doppler_hz: f64,
    /// Largest one-way delay of the best server, s (−∞ when never covered).
    pub max_delay_s: f64,
}

impl Default for CellAccum {
    fn default() -> Self {
        CellAccum {
            covered: 0,
            seen_cover: false,
            lead_gap: 0,
            trail_gap: 0,
            interior_gaps: 0,
            interior_gap_samples: 0,
            longest_interior_gap: 0,
            visible_sum: 0,
            elevation_sum_udeg: 0,
            max_elevation_deg: f64::NEG_INFINITY,
            max_abs_doppler_hz: f64::NEG_INFINITY,
            max_delay_s: f64::NEG_INFINITY,
        }
    }
}

impl CellAccum {
    /// Add one sample: `visible` satellites above the mask, `best` the best server (`Some`
    /// exactly when `visible > 0`).
    #[inline]
    pub fn record(&mut self, visible: u32, best: Option<&BestServer>) {
        self.visible_sum += visible as u64;
        match best {
            Some(b) => {
                self.covered += 1;
                if !self.seen_cover {
                    self.seen_cover = true;
                    self.lead_gap = self.trail_gap;
                } else if self.trail_gap > 0 {
                    self.close_interior_gap(self.trail_gap as u64);
                }
                self.trail_gap = 0;
                self.elevation_sum_udeg += udeg(b.elevation_deg);
                self.max_elevation_deg = self.max_elevation_deg.max(b.elevation_deg);
                self.max_abs_doppler_hz = self.max_abs_doppler_hz.max(b.abs_doppler_hz);
                self.max_delay_s = self.max_delay_s.max(b.delay_s);
            }
            None => self.trail_gap += 1,
        }
    }

    fn close_interior_gap(&mut self, samples: u64) {
        self.interior_gaps += 1;
        self.interior_gap_samples += samples;
        // A gap never exceeds the window length, which fits u32 (checked at set-up).
        self.longest_interior_gap = self.longest_interior_gap.max(samples as u32);
    }

    /// The state over `self`'s samples followed immediately by `later`'s (exact: the same
    /// value as recording all samples in one pass).
    pub fn then(&self, later: &CellAccum) -> CellAccum {
        let mut out = CellAccum {
            covered: self.covered + later.covered,
            visible_sum: self.visible_sum + later.visible_sum,
            elevation_sum_udeg: self.elevation_sum_udeg + later.elevation_sum_udeg,
            max_elevation_deg: self.max_elevation_deg.max(later.max_elevation_deg),
            max_abs_doppler_hz: self.max_abs_doppler_hz.max(later.max_abs_doppler_hz),
            max_delay_s: self.max_delay_s.max(later.max_delay_s),
            interior_gaps: self.interior_gaps + later.interior_gaps,
            interior_gap_samples: self.interior_gap_samples + later.interior_gap_samples,
            longest_interior_gap: self.longest_interior_gap.max(later.longest_interior_gap),
            ..CellAccum::default()
        };
        match (self.seen_cover, later.seen_cover) {
            (false, false) => out.trail_gap = self.trail_gap + later.trail_gap,
            (false, true) => {
                out.seen_cover = true;
                out.lead_gap = self.trail_gap + later.lead_gap;
                out.trail_gap = later.trail_gap;
            }
            (true, false) => {
                out.seen_cover = true;
                out.lead_gap = self.lead_gap;
                out.trail_gap = self.trail_gap + later.trail_gap;
            }
            (true, true) => {
                out.seen_cover = true;
                out.lead_gap = self.lead_gap;
                out.trail_gap = later.trail_gap;
                let joined = self.trail_gap as u64 + later.lead_gap as u64;
                if joined > 0 {
                    out.close_interior_gap(joined);
                }
            }
        }
        out
    }

    /// Every outage of the window as (count, total samples, longest samples). Outages cut by
    /// the window's start or end count with the part inside the window.
    pub fn outages(&self) -> (u32, u64, u32) {
        if !self.seen_cover {
            return if self.trail_gap > 0 {
                (1, self.trail_gap as u64, self.trail_gap)
            } else {
                (0, 0, 0)
            };
        }
        let mut n = self.interior_gaps;
        let mut total = self.interior_gap_samples;
        let mut longest = self.longest_interior_gap;
        for edge in [self.lead_gap, self.trail_gap] {
            if edge > 0 {
                n += 1;
                total += edge as u64;
                longest = longest.max(edge);
            }
        }
        (n, total, longest)
    }
}

/// Degrees → integer micro-degrees (the quantum of the elevation sum).
#[inline]
pub fn udeg(deg: f64) -> i64 {
    (deg * 1e6).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(el: f64) -> BestServer {
        BestServer {
            elevation_deg: el,
            abs_doppler_hz: el * 10.0,
            delay_s: 1.0 / el,
            cn_bin: None,
        }
    }

    fn run(pattern: &[u32]) -> CellAccum {
        let mut a = CellAccum::default();
        for (k, &v) in pattern.iter().enumerate() {
            let best = b(10.0 + k as f64);
            a.record(v, (v > 0).then_some(&best));
        }
        a
    }

    #[test]
    fn outages_of_a_pattern() {
        // 0 0 | 1 2 | 0 0 0 | 1 | 0 | 3 | 0 0
        let p = [0, 0, 1, 2, 0, 0, 0, 1, 0, 3, 0, 0];
        let a = run(&p);
        assert_eq!(a.covered, 4);
        assert_eq!(a.visible_sum, 7);
        assert_eq!((a.lead_gap, a.trail_gap), (2, 2));
        assert_eq!((a.interior_gaps, a.interior_gap_samples), (2, 4));
        assert_eq!(a.outages(), (4, 8, 3));
        assert_eq!(a.max_elevation_deg, 19.0);
        assert_eq!(a.elevation_sum_udeg, (12 + 13 + 17 + 19) * 1_000_000);
        assert_eq!(run(&[0, 0, 0]).outages(), (1, 3, 3));
        assert_eq!(run(&[1, 1]).outages(), (0, 0, 0));
    }

    #[test]
    fn split_anywhere_merges_exactly() {
        let patterns: [&[u32]; 4] = [
            &[0, 0, 1, 2, 0, 0, 0, 1, 0, 3, 0, 0],
            &[0, 0, 0, 0, 0],
            &[1, 0, 1, 0, 1],
            &[2, 2, 0, 0, 2, 2, 0],
        ];
        for p in patterns {
            let whole = run(p);
            for cut in 0..=p.len() {
                // Re-run the second part with its own sample numbering: the elevations
                // depend on k, so build the two halves from the whole pattern's samples.
                let mut first = CellAccum::default();
                let mut second = CellAccum::default();
                for (k, &v) in p.iter().enumerate() {
                    let best = b(10.0 + k as f64);
                    let target = if k < cut { &mut first } else { &mut second };
                    target.record(v, (v > 0).then_some(&best));
                }
                assert_eq!(first.then(&second), whole, "{p:?} cut at {cut}");
            }
        }
    }
}
