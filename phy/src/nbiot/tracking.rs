//! Carrier-frequency tracking on the NRS while Doppler drifts: the phase of the NRS channel
//! amplitude ([`super::chest::ChannelEstimate::amplitude`]) is unwrapped from subframe to
//! subframe and fitted, over a sliding window, by `φ(t) = φ0 + 2πf·t + πḟ·t²` (least squares),
//! giving the residual offset `f` at the latest measurement and its drift `ḟ`. The layer above
//! (NTN pre-compensation, the UE's NCO) consumes both.
//!
//! Unwrapping predicts each phase step from the current estimate, so measurements may be up
//! to `1/(2Δt)` Hz off the prediction (±500 Hz for NRS subframes 1 ms apart).

use std::collections::VecDeque;

use num_complex::Complex32;

use crate::error::PhyError;

/// Offset and drift estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrequencyEstimate {
    /// Residual carrier offset at the latest measurement (Hz).
    pub offset_hz: f64,
    /// Rate of change of the offset (Hz/s).
    pub drift_hz_per_s: f64,
    /// Number of measurements in the fit.
    pub points: usize,
}

/// Sliding-window NRS phase tracker.
#[derive(Debug, Clone)]
pub struct NrsFrequencyTracker {
    window: VecDeque<(f64, f64)>,
    capacity: usize,
    last: Option<(f64, f64)>,
    estimate: Option<FrequencyEstimate>,
}

impl NrsFrequencyTracker {
    /// A tracker fitting the last `capacity` measurements (at least 3).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(3);
        NrsFrequencyTracker {
            window: VecDeque::with_capacity(capacity),
            capacity,
            last: None,
            estimate: None,
        }
    }

    /// Forgets all measurements.
    pub fn reset(&mut self) {
        self.window.clear();
        self.last = None;
        self.estimate = None;
    }

    /// The latest estimate (after at least three measurements).
    pub fn estimate(&self) -> Option<FrequencyEstimate> {
        self.estimate
    }

    /// Adds the NRS amplitude measured at time `t_s` (seconds, increasing) and returns the
    /// updated estimate once three or more measurements are in the window.
    ///
    /// # Errors
    /// `NonFinite` for NaN/inf inputs or a zero amplitude; `OutOfRange` if `t_s` does not
    /// increase.
    pub fn update(
        &mut self,
        t_s: f64,
        amplitude: Complex32,
    ) -> Result<Option<FrequencyEstimate>, PhyError> {
        if !t_s.is_finite()
            || !amplitude.re.is_finite()
            || !amplitude.im.is_finite()
            || amplitude.norm() == 0.0
        {
            return Err(PhyError::NonFinite {
                what: "tracker measurement",
            });
        }
        let phase = f64::from(amplitude.arg());
        let unwrapped = match self.last {
            None => phase,
            Some((t0, p0)) => {
                if t_s <= t0 {
                    return Err(PhyError::OutOfRange {
                        what: "tracker time (not increasing)",
                        value: (t_s * 1e9) as i64,
                    });
                }
                let dt = t_s - t0;
                let f_pred = self.estimate.map_or(0.0, |e| e.offset_hz);
                let predicted = p0 + 2.0 * std::f64::consts::PI * f_pred * dt;
                let d = phase - predicted;
                let wrapped =
                    d - (d / (2.0 * std::f64::consts::PI)).round() * 2.0 * std::f64::consts::PI;
                predicted + wrapped
            }
        };
        self.last = Some((t_s, unwrapped));
        if self.window.len() == self.capacity {
            self.window.pop_front();
        }
        self.window.push_back((t_s, unwrapped));
        if self.window.len() >= 3 {
            self.estimate = self.fit();
        }
        Ok(self.estimate)
    }

    /// Least-squares quadratic fit of phase vs time, referenced to the latest time.
    fn fit(&self) -> Option<FrequencyEstimate> {
        let (t_ref, _) = *self.window.back()?;
        // normal equations for φ = c0 + c1·τ + c2·τ², τ = t − t_ref
        let mut s = [0.0f64; 5];
        let mut b = [0.0f64; 3];
        for &(t, p) in &self.window {
            let tau = t - t_ref;
            let mut pw = 1.0;
            for (i, si) in s.iter_mut().enumerate() {
                *si += pw;
                if i < 3 {
                    b[i] += pw * p;
                }
                pw *= tau;
            }
        }
        let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]];
        let c = solve3(m, b)?;
        let two_pi = 2.0 * std::f64::consts::PI;
        Some(FrequencyEstimate {
            offset_hz: c[1] / two_pi,
            drift_hz_per_s: 2.0 * c[2] / two_pi,
            points: self.window.len(),
        })
    }
}

/// Solves a 3×3 system by Cramer's rule; `None` if singular.
fn solve3(m: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |a: [[f64; 3]; 3]| {
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
    };
    let d = det(m);
    if d.abs() < 1e-300 || !d.is_finite() {
        return None;
    }
    let mut out = [0.0; 3];
    for (col, o) in out.iter_mut().enumerate() {
        let mut mc = m;
        for row in 0..3 {
            mc[row][col] = b[row];
        }
        *o = det(mc) / d;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_quadratic_phase() {
        let mut tr = NrsFrequencyTracker::new(50);
        // f(t) = 120 + 600 t Hz → φ = 2π(120 t + 300 t²)
        let mut last = None;
        for i in 0..100 {
            let t = i as f64 * 1e-3;
            let ph = 2.0 * std::f64::consts::PI * (120.0 * t + 300.0 * t * t) + 0.7;
            last = tr.update(t, Complex32::from_polar(0.3, ph as f32)).unwrap();
        }
        let e = last.unwrap();
        assert!((e.offset_hz - (120.0 + 600.0 * 0.099)).abs() < 0.5, "{e:?}");
        assert!((e.drift_hz_per_s - 600.0).abs() < 5.0, "{e:?}");
        assert!(tr.update(0.05, Complex32::new(1.0, 0.0)).is_err());
        assert!(tr.update(1.0, Complex32::new(f32::NAN, 0.0)).is_err());
    }
}
