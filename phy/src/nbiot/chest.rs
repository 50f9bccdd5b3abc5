//! NRS channel estimation (pilots of 36.211 §10.2.6).
//!
//! Model per port `p`: `H_p(k, l) = A_p·e^{j(α(k − 5.5) + β(l − 9))}` — a flat channel whose
//! phase slopes come from a residual timing offset (α, rad per subcarrier) and a residual
//! frequency offset (β, rad per symbol). (α, β) are found jointly by a maximum-likelihood grid
//! search over all least-squares pilots of the requested ports (α within ±0.35 rad, i.e. a
//! timing error within about ±7 samples at 1.92 Msps; β within ±0.1 rad, a residual offset
//! within about ±220 Hz), `A_p` by averaging the de-rotated pilots, and the noise variance
//! from the residuals. This suits the flat 180 kHz NB-IoT carrier.

use num_complex::Complex32;

use super::nrs::{NrsPilot, nrs_pilots};
use super::{NcellId, NrsPorts};
use crate::error::{PhyError, check_finite_c32, check_len};
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid, SYMBOLS_PER_SUBFRAME};

/// Search range of the per-subcarrier phase slope (±0.35 rad ≈ ±7 samples of timing error).
const ALPHA_MAX_RAD: f32 = 0.35;
/// Grid steps over the α range.
const ALPHA_STEPS: usize = 70;
/// Search range of the per-symbol phase slope (±0.1 rad ≈ ±220 Hz of residual offset).
const BETA_MAX_RAD: f32 = 0.1;
/// Grid steps over the β range.
const BETA_STEPS: usize = 40;

/// Slopes are kept only if they add more than this many noise variances of fitted energy.
const SLOPE_SIGNIFICANCE: f32 = 3.0;

/// Channel estimate of one subframe: per port and RE, plus the noise variance per RE.
#[derive(Debug, Clone)]
pub struct ChannelEstimate {
    ports: NrsPorts,
    h: [ResourceGrid; 2],
    noise_var: f32,
    amp: [Complex32; 2],
    /// Estimated phase slope per subcarrier (rad).
    pub slope_per_subcarrier_rad: f32,
    /// Estimated phase slope per OFDM symbol (rad).
    pub slope_per_symbol_rad: f32,
}

impl ChannelEstimate {
    /// Ports this estimate covers.
    pub fn ports(&self) -> NrsPorts {
        self.ports
    }

    /// `H` of `port` (0 or 1) at `(k, l)`.
    ///
    /// # Panics
    /// If `port` exceeds the estimated ports or `(k, l)` is outside the subframe.
    pub fn h(&self, port: usize, k: usize, l: usize) -> Complex32 {
        assert!(
            port < self.ports.count(),
            "channel estimate has no port {port}"
        );
        self.h[port].get(k, l)
    }

    /// Noise variance per RE (`E|n|²`).
    pub fn noise_var(&self) -> f32 {
        self.noise_var
    }

    /// The complex amplitude `A_p` of `port`: the channel at the centre of the carrier
    /// (k = 5.5) and at symbol 9 of the subframe, free of the timing slope — its phase from
    /// subframe to subframe measures the carrier offset (see [`super::tracking`]).
    ///
    /// # Panics
    /// If `port` exceeds the estimated ports.
    pub fn amplitude(&self, port: usize) -> Complex32 {
        assert!(
            port < self.ports.count(),
            "channel estimate has no port {port}"
        );
        self.amp[port]
    }

    /// Mean `|A_p|²` over the ports (signal power per RE per port).
    pub fn signal_power(&self) -> f32 {
        let n = self.ports.count();
        (0..n).map(|p| self.h[p].get(0, 0).norm_sqr()).sum::<f32>() / n as f32
    }
}

/// Coarse step of the slope search, in fine grid steps.
const COARSE: usize = 5;

/// NRS channel estimator; the pilot list buffer and the slope phase tables are built once.
#[derive(Debug, Clone)]
pub struct NrsChannelEstimator {
    pilots: Vec<NrsPilot>,
    /// Pilot lists already generated, by (cell, subframe, ports) (the Gold sequences are the
    /// expensive part of an estimate).
    pilot_cache: Vec<((u16, u32, usize), Vec<NrsPilot>)>,
    ls: Vec<Complex32>,
    /// `e^{−jα(k−5.5)}` for every α of the grid and `k = 0…11`.
    alpha_rot: Vec<[Complex32; NBIOT_SUBCARRIERS]>,
    /// `e^{−jβ(l−9)}` for every β of the grid and `l = 0…13`.
    beta_rot: Vec<[Complex32; SYMBOLS_PER_SUBFRAME]>,
}

impl Default for NrsChannelEstimator {
    fn default() -> Self {
        Self::new()
    }
}

impl NrsChannelEstimator {
    /// A new estimator.
    pub fn new() -> Self {
        let alpha =
            |ia: usize| -ALPHA_MAX_RAD + 2.0 * ALPHA_MAX_RAD * ia as f32 / ALPHA_STEPS as f32;
        let beta = |ib: usize| -BETA_MAX_RAD + 2.0 * BETA_MAX_RAD * ib as f32 / BETA_STEPS as f32;
        NrsChannelEstimator {
            pilots: Vec::with_capacity(16),
            pilot_cache: Vec::with_capacity(20),
            ls: Vec::with_capacity(16),
            alpha_rot: (0..=ALPHA_STEPS)
                .map(|ia| {
                    std::array::from_fn(|k| {
                        Complex32::from_polar(1.0, -alpha(ia) * (k as f32 - 5.5))
                    })
                })
                .collect(),
            beta_rot: (0..=BETA_STEPS)
                .map(|ib| {
                    std::array::from_fn(|l| {
                        Complex32::from_polar(1.0, -beta(ib) * (l as f32 - 9.0))
                    })
                })
                .collect(),
        }
    }

    /// `Σ_p |Σ_i LS_i·e^{−j(α(k_i−5.5)+β(l_i−9))}|²` for grid indices `(ia, ib)`.
    fn metric(&self, ia: usize, ib: usize) -> f32 {
        let a = &self.alpha_rot[ia];
        let b = &self.beta_rot[ib];
        let mut acc = [Complex32::default(); 2];
        for (p, h) in self.pilots.iter().zip(&self.ls) {
            acc[p.port] += h * (a[p.k] * b[p.l]);
        }
        acc[0].norm_sqr() + acc[1].norm_sqr()
    }

    /// Estimates the channel of `ports` from the NRS of subframe `subframe` (0…9) in `grid`.
    ///
    /// # Errors
    /// `Length` for a grid that is not 12 × 14; `NonFinite` on NaN/inf; `OutOfRange` if
    /// `subframe > 9`; `NotFound` if the pilots carry no energy.
    pub fn estimate(
        &mut self,
        grid: &ResourceGrid,
        cell: NcellId,
        subframe: u32,
        ports: NrsPorts,
    ) -> Result<ChannelEstimate, PhyError> {
        check_len("chest grid symbols", SYMBOLS_PER_SUBFRAME, grid.n_symbols())?;
        check_len(
            "chest grid subcarriers",
            NBIOT_SUBCARRIERS,
            grid.n_subcarriers(),
        )?;
        if subframe > 9 {
            return Err(PhyError::OutOfRange {
                what: "subframe",
                value: i64::from(subframe),
            });
        }
        check_finite_c32("chest grid", grid.as_slice())?;
        let key = (cell.get(), subframe, ports.count());
        if let Some((_, p)) = self.pilot_cache.iter().find(|(k, _)| *k == key) {
            self.pilots.clear();
            self.pilots.extend_from_slice(p);
        } else {
            nrs_pilots(cell, subframe, ports, &mut self.pilots);
            if self.pilot_cache.len() >= 20 {
                self.pilot_cache.remove(0);
            }
            self.pilot_cache.push((key, self.pilots.clone()));
        }
        self.ls.clear();
        for p in &self.pilots {
            self.ls.push(grid.get(p.k, p.l) * p.value.conj());
        }
        // Joint maximum-likelihood search of the two slopes over a grid:
        // maximise Σ_p |Σ_i LS_i·e^{−j(α(k_i−5.5)+β(l_i−9))}|², first on every COARSE-th grid
        // point, then on the fine grid around the best coarse point (the metric's lobes span
        // many coarse steps over these ranges), with the phases from the tables.
        let mut best_idx = (f32::NEG_INFINITY, 0usize, 0usize);
        for ia in (0..=ALPHA_STEPS).step_by(COARSE) {
            for ib in (0..=BETA_STEPS).step_by(COARSE) {
                let m = self.metric(ia, ib);
                if m > best_idx.0 {
                    best_idx = (m, ia, ib);
                }
            }
        }
        let (_, ca, cb) = best_idx;
        for ia in ca.saturating_sub(COARSE - 1)..=(ca + COARSE - 1).min(ALPHA_STEPS) {
            for ib in cb.saturating_sub(COARSE - 1)..=(cb + COARSE - 1).min(BETA_STEPS) {
                let m = self.metric(ia, ib);
                if m > best_idx.0 {
                    best_idx = (m, ia, ib);
                }
            }
        }
        let best = (
            best_idx.0,
            -ALPHA_MAX_RAD + 2.0 * ALPHA_MAX_RAD * best_idx.1 as f32 / ALPHA_STEPS as f32,
            -BETA_MAX_RAD + 2.0 * BETA_MAX_RAD * best_idx.2 as f32 / BETA_STEPS as f32,
        );
        // Keep the slopes only if they explain clearly more pilot energy than flat (0, 0):
        // at low pilot SNR the unconstrained maximum mostly fits noise. The energy gain of a
        // fit to noise alone is a few noise variances per port; the noise variance is taken
        // from the residual of the best fit (total pilot energy minus M/N).
        let n_pil = self.pilots.len() as f32;
        let m00 = {
            let mut acc = [Complex32::default(); 2];
            for (p, h) in self.pilots.iter().zip(&self.ls) {
                acc[p.port] += h;
            }
            acc[0].norm_sqr() + acc[1].norm_sqr()
        };
        let total: f32 = self.ls.iter().map(|h| h.norm_sqr()).sum();
        let per_port = n_pil / ports.count() as f32;
        let noise_fit =
            ((total - best.0 / per_port) / (n_pil - ports.count() as f32 - 2.0).max(1.0)).max(0.0);
        let (alpha, beta) = if (best.0 - m00) / per_port > SLOPE_SIGNIFICANCE * noise_fit {
            (best.1, best.2)
        } else {
            (0.0, 0.0)
        };
        // e^{j(α(k−5.5)+β(l−9))} = e^{jα(k−5.5)}·e^{jβ(l−9)}: 12 + 14 phasors instead of 168
        let pk: [Complex32; NBIOT_SUBCARRIERS] =
            std::array::from_fn(|k| Complex32::from_polar(1.0, alpha * (k as f32 - 5.5)));
        let pl: [Complex32; SYMBOLS_PER_SUBFRAME] =
            std::array::from_fn(|l| Complex32::from_polar(1.0, beta * (l as f32 - 9.0)));
        let phase = |k: usize, l: usize| pk[k] * pl[l];
        let mut amp = [Complex32::default(); 2];
        let mut cnt = [0usize; 2];
        for (p, h) in self.pilots.iter().zip(&self.ls) {
            amp[p.port] += h * phase(p.k, p.l).conj();
            cnt[p.port] += 1;
        }
        for (a, &c) in amp.iter_mut().zip(&cnt) {
            if c > 0 {
                *a /= c as f32;
            }
        }
        let mut resid = 0.0f32;
        for (p, h) in self.pilots.iter().zip(&self.ls) {
            resid += (h - amp[p.port] * phase(p.k, p.l)).norm_sqr();
        }
        let n = self.pilots.len() as f32;
        // unknowns: one complex amplitude per port and two shared slopes
        let dof = (2 * ports.count() + 2) as f32 / 2.0;
        let sig: f32 = amp[..ports.count()]
            .iter()
            .map(|a| a.norm_sqr())
            .sum::<f32>();
        if sig.is_nan() || sig <= 0.0 {
            return Err(PhyError::NotFound { what: "NRS energy" });
        }
        let noise_var = (resid / (n - dof).max(1.0)).max(sig * 1e-6);
        let mut h = [
            ResourceGrid::nbiot_subframe(),
            ResourceGrid::nbiot_subframe(),
        ];
        for (port, g) in h.iter_mut().enumerate().take(ports.count()) {
            for l in 0..SYMBOLS_PER_SUBFRAME {
                for k in 0..NBIOT_SUBCARRIERS {
                    g.set(k, l, amp[port] * phase(k, l));
                }
            }
        }
        Ok(ChannelEstimate {
            ports,
            h,
            noise_var,
            amp,
            slope_per_subcarrier_rad: alpha,
            slope_per_symbol_rad: beta,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nbiot::nrs::nrs_map;

    #[test]
    fn recovers_flat_channel_with_slopes() {
        let cell = NcellId::new(257).unwrap();
        let a = Complex32::from_polar(0.7, 1.1);
        let (alpha, beta) = (-0.2f32, 0.05f32);
        let mut tx = ResourceGrid::nbiot_subframe();
        nrs_map(&mut tx, cell, 0, 0);
        let mut rx = ResourceGrid::nbiot_subframe();
        for l in 0..14 {
            for k in 0..12 {
                let h = a * Complex32::from_polar(
                    1.0,
                    alpha * (k as f32 - 5.5) + beta * (l as f32 - 9.0),
                );
                rx.set(k, l, tx.get(k, l) * h);
            }
        }
        let est = NrsChannelEstimator::new()
            .estimate(&rx, cell, 0, NrsPorts::One)
            .unwrap();
        assert!((est.slope_per_subcarrier_rad - alpha).abs() < 1e-4);
        assert!((est.slope_per_symbol_rad - beta).abs() < 1e-4);
        assert!(
            (est.h(0, 3, 3) - a * Complex32::from_polar(1.0, alpha * -2.5 + beta * -6.0)).norm()
                < 1e-4
        );
        assert!((est.signal_power() - 0.49).abs() < 1e-3);
        let empty = ResourceGrid::nbiot_subframe();
        assert!(
            NrsChannelEstimator::new()
                .estimate(&empty, cell, 0, NrsPorts::One)
                .is_err()
        );
    }
}
