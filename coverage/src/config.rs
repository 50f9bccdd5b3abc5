//! What a run computes: time window, elevation mask, carrier, optional link budget, and the
//! histogram layouts. Validated once, before any work.

use crate::error::CoverageError;
use crate::link::LinkParams;
use ntn_orbit::{EarthOrientation, UtcTime};
use serde::{Deserialize, Serialize};

/// The sampled time window: samples at `start + k·step` for `k = 0 … n−1`, with
/// `n = ⌊duration / step⌋` (the end is exclusive), so a sample stands for the step that
/// follows it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// First sample, UTC.
    pub start: UtcTime,
    /// Window length, seconds.
    pub duration_s: f64,
    /// Sampling step, seconds (rounded to the nanosecond).
    pub step_s: f64,
}

impl TimeWindow {
    /// Check the window and return (step in ns, number of samples).
    pub fn steps(&self) -> Result<(i64, u32), CoverageError> {
        let step_s = self.step_s;
        let bad_step = |reason: &str| CoverageError::InvalidStep {
            step_s,
            reason: reason.to_owned(),
        };
        if !step_s.is_finite() || step_s <= 0.0 {
            return Err(bad_step("it must be a positive number of seconds"));
        }
        if !self.duration_s.is_finite() || self.duration_s <= 0.0 {
            return Err(CoverageError::InvalidWindow(format!(
                "duration {} s must be a positive number of seconds",
                self.duration_s
            )));
        }
        if self.duration_s > 366.0 * 86_400.0 {
            return Err(CoverageError::InvalidWindow(format!(
                "duration {} s is longer than a year",
                self.duration_s
            )));
        }
        let step_ns = (step_s * 1e9).round();
        if step_ns < 1.0 {
            return Err(bad_step("it rounds to zero nanoseconds"));
        }
        if step_s > self.duration_s {
            return Err(bad_step("it is longer than the window"));
        }
        let duration_ns = (self.duration_s * 1e9).round();
        let n = (duration_ns / step_ns).floor();
        if n > u32::MAX as f64 / 2.0 {
            return Err(bad_step("the window holds more than 2^31 samples"));
        }
        // Both values were range-checked above, so the casts are exact.
        Ok((step_ns as i64, n as u32))
    }
}

/// Everything a run needs besides the constellation and the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageConfig {
    /// The sampled window.
    pub window: TimeWindow,
    /// Minimum elevation for a satellite to count as visible, degrees, in [0, 90).
    pub mask_deg: f64,
    /// Downlink carrier for Doppler (and for path loss when `link` is set), Hz.
    pub carrier_hz: f64,
    /// Link parameters for the best-server C/N; `None` skips C/N.
    pub link: Option<LinkParams>,
    /// Bins of the visible-satellite-count histogram: counts 0 … bins−2 each have a bin, the
    /// last bin holds "bins−1 or more".
    pub visible_bins: u32,
    /// C/N histogram: lowest bin edge, dB.
    pub cn_min_db: f64,
    /// C/N histogram: bin width, dB.
    pub cn_bin_db: f64,
    /// C/N histogram: number of bins; values below the lowest edge go to the first bin,
    /// values above the top edge to the last.
    pub cn_bins: u32,
    /// Earth orientation for TEME → ECEF (zero by default).
    pub eop: EarthOrientation,
}

impl CoverageConfig {
    /// A configuration with the default histograms (0…47+ satellites; C/N −20…+40 dB in
    /// 0.5 dB bins), carrier 2 GHz (S-band MSS), no link budget.
    pub fn new(window: TimeWindow, mask_deg: f64) -> Self {
        CoverageConfig {
            window,
            mask_deg,
            carrier_hz: 2.0e9,
            link: None,
            visible_bins: 48,
            cn_min_db: -20.0,
            cn_bin_db: 0.5,
            cn_bins: 120,
            eop: EarthOrientation::default(),
        }
    }

    /// Check every field; the first problem is returned.
    pub fn validate(&self) -> Result<(), CoverageError> {
        self.window.steps()?;
        if !(self.mask_deg.is_finite() && (0.0..90.0).contains(&self.mask_deg)) {
            return Err(CoverageError::InvalidMask {
                mask_deg: self.mask_deg,
            });
        }
        ntn_types::validate::positive("carrier_hz", self.carrier_hz)?;
        if !(2..=4096).contains(&self.visible_bins) {
            return Err(CoverageError::InvalidGrid(format!(
                "visible-count histogram needs 2..4096 bins, not {}",
                self.visible_bins
            )));
        }
        if let Some(link) = &self.link {
            link.validate()?;
            if !(self.cn_min_db.is_finite()
                && self.cn_bin_db.is_finite()
                && self.cn_bin_db > 0.0
                && (1..=4096).contains(&self.cn_bins))
            {
                return Err(CoverageError::InvalidLink(format!(
                    "C/N histogram (min {} dB, bin {} dB, {} bins) is unusable",
                    self.cn_min_db, self.cn_bin_db, self.cn_bins
                )));
            }
        }
        Ok(())
    }

    /// Number of C/N bins actually kept (0 without link parameters).
    pub fn cn_bins_used(&self) -> usize {
        if self.link.is_some() {
            self.cn_bins as usize
        } else {
            0
        }
    }

    /// The C/N histogram bin of a value.
    pub fn cn_bin(&self, cn_db: f64) -> usize {
        let k = ((cn_db - self.cn_min_db) / self.cn_bin_db).floor();
        if k.is_nan() || k < 0.0 {
            0
        } else {
            (k as usize).min(self.cn_bins as usize - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(step_s: f64) -> TimeWindow {
        TimeWindow {
            start: UtcTime::J2000,
            duration_s: 6.0 * 3600.0,
            step_s,
        }
    }

    #[test]
    fn steps_and_errors() {
        assert_eq!(window(60.0).steps().unwrap(), (60_000_000_000, 360));
        assert_eq!(window(7.0).steps().unwrap().1, 3085);
        for bad in [0.0, -1.0, f64::NAN, 1e-12, 1e9] {
            let e = window(bad).steps().unwrap_err();
            assert!(matches!(e, CoverageError::InvalidStep { .. }), "{bad}: {e}");
        }
        let c = CoverageConfig::new(window(60.0), 90.0);
        assert!(matches!(
            c.validate(),
            Err(CoverageError::InvalidMask { mask_deg }) if mask_deg == 90.0
        ));
        assert!(CoverageConfig::new(window(60.0), 25.0).validate().is_ok());
        // Non-finite values name their key.
        let mut c = CoverageConfig::new(window(60.0), 25.0);
        c.carrier_hz = f64::NAN;
        assert!(matches!(c.validate(), Err(CoverageError::Invalid(v)) if v.key == "carrier_hz"));
        let mut c = CoverageConfig::new(window(60.0), 25.0);
        c.link = Some(LinkParams {
            g_over_t_db_per_k: f64::INFINITY,
            ..LinkParams::default()
        });
        assert!(matches!(
            c.validate(),
            Err(CoverageError::Invalid(v)) if v.key == "g_over_t_db_per_k"
        ));
    }

    #[test]
    fn cn_bins() {
        let mut c = CoverageConfig::new(window(60.0), 10.0);
        c.link = Some(LinkParams::default());
        assert_eq!(c.cn_bin(-100.0), 0);
        assert_eq!(c.cn_bin(-19.6), 0);
        assert_eq!(c.cn_bin(-19.5), 1);
        assert_eq!(c.cn_bin(0.5), 41);
        assert_eq!(c.cn_bin(1e9), 119);
        assert_eq!(c.cn_bins_used(), 120);
    }
}
