//! Small-scale fading: the NTN-TDL models of TR 38.811 §6.9.2 (Tables 6.9.2-1…-4) and flat
//! Rayleigh/Rician fading, with a Jakes (Clarke) Doppler spectrum per tap from the terminal's
//! motion.
//!
//! * Delays: τ_n = τ_n,norm·DS (TR 38.901 §7.7.3 scaling); powers normalised to unit total.
//! * Rayleigh taps: a sum of M complex sinusoids, g(t) = M^−½·Σ_m exp(j(2π f_D cos α_m t + φ_m)),
//!   angles stratified α_m = (2πm + θ)/M with θ and φ_m uniform per realisation, so the
//!   ensemble autocorrelation is exactly J₀(2π f_D τ) (Clarke) and E|g|² = 1.
//! * LOS taps (TDL-C/D, flat Rician): constant amplitude, random initial phase, Doppler
//!   `los_doppler_ratio`·f_D (1 = terminal moving along the line of sight).
//! * The common satellite Doppler of §6.9.2 comes from [`super::propagation`] (true orbit) or,
//!   without an orbit, from [`TdlConfig::common_doppler`].
//!
//! Tap gains are evaluated on a grid of ≥ 32 points per Doppler period (exactly, per grid
//! point, as a function of time) and interpolated linearly; each tap's fractional delay uses
//! the windowed-sinc table of [`super::interp`]. The model adds a fixed latency of L samples
//! (the interpolator's half-length) so that a zero-delay tap stays causal. Everything is a
//! function of the sample index: block size never changes the output.

use super::fastmath::rotate_cycles;
use super::interp::{DelayLine, PHASES, dot, fast_floor, row_for};
use ntn_types::Hz;
use num_complex::Complex32;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The fading of one tap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TapKind {
    /// Rayleigh, Jakes spectrum.
    Rayleigh,
    /// Specular line of sight.
    Los,
}

/// One tap of a profile: normalised delay, power in dB, fading.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tap {
    /// Delay normalised to the delay spread.
    pub delay_norm: f64,
    /// Power, dB (before normalisation).
    pub power_db: f64,
    /// Fading.
    pub kind: TapKind,
}

const fn tap(delay_norm: f64, power_db: f64, kind: TapKind) -> Tap {
    Tap {
        delay_norm,
        power_db,
        kind,
    }
}

/// NTN-TDL-A, TR 38.811 Table 6.9.2-1.
pub const NTN_TDL_A: [Tap; 3] = [
    tap(0.0, 0.0, TapKind::Rayleigh),
    tap(1.0811, -4.675, TapKind::Rayleigh),
    tap(2.8416, -6.482, TapKind::Rayleigh),
];
/// NTN-TDL-B, TR 38.811 Table 6.9.2-2.
pub const NTN_TDL_B: [Tap; 4] = [
    tap(0.0, 0.0, TapKind::Rayleigh),
    tap(0.7249, -1.973, TapKind::Rayleigh),
    tap(0.7410, -4.332, TapKind::Rayleigh),
    tap(5.7392, -11.914, TapKind::Rayleigh),
];
/// NTN-TDL-C, TR 38.811 Table 6.9.2-3 (first tap: LOS + Rayleigh, K = 10.224 dB).
pub const NTN_TDL_C: [Tap; 3] = [
    tap(0.0, -0.394, TapKind::Los),
    tap(0.0, -10.618, TapKind::Rayleigh),
    tap(14.8124, -23.373, TapKind::Rayleigh),
];
/// NTN-TDL-D, TR 38.811 Table 6.9.2-4 (first tap: LOS + Rayleigh, K = 11.707 dB).
pub const NTN_TDL_D: [Tap; 4] = [
    tap(0.0, -0.284, TapKind::Los),
    tap(0.0, -11.991, TapKind::Rayleigh),
    tap(0.5596, -9.887, TapKind::Rayleigh),
    tap(7.3340, -16.771, TapKind::Rayleigh),
];

/// A fading profile.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FadingProfile {
    /// NTN-TDL-A (NLOS).
    TdlA,
    /// NTN-TDL-B (NLOS).
    TdlB,
    /// NTN-TDL-C (LOS).
    TdlC,
    /// NTN-TDL-D (LOS).
    TdlD,
    /// One Rayleigh tap.
    FlatRayleigh,
    /// One Rician tap with the given K factor, dB.
    FlatRician {
        /// K factor, dB.
        k_db: f64,
    },
}

impl FadingProfile {
    /// The taps.
    pub fn taps(&self) -> Vec<Tap> {
        match *self {
            FadingProfile::TdlA => NTN_TDL_A.to_vec(),
            FadingProfile::TdlB => NTN_TDL_B.to_vec(),
            FadingProfile::TdlC => NTN_TDL_C.to_vec(),
            FadingProfile::TdlD => NTN_TDL_D.to_vec(),
            FadingProfile::FlatRayleigh => vec![tap(0.0, 0.0, TapKind::Rayleigh)],
            FadingProfile::FlatRician { k_db } => vec![
                tap(0.0, 0.0, TapKind::Los),
                tap(0.0, -k_db, TapKind::Rayleigh),
            ],
        }
    }
}

/// Construction parameters of a [`Tdl`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TdlConfig {
    /// Profile.
    pub profile: FadingProfile,
    /// Delay spread DS, seconds (TR 38.811 §6.9.2 scaling).
    pub delay_spread_s: f64,
    /// Maximum Doppler from the terminal's motion f_D = v/λ.
    pub max_doppler: Hz,
    /// Ratio of the LOS tap's Doppler to f_D (cos of the angle between motion and LOS).
    pub los_doppler_ratio: f64,
    /// Common frequency shift applied to all taps (the satellite Doppler when no orbit drives
    /// the channel; 0 otherwise).
    pub common_doppler: Hz,
    /// Sample rate.
    pub sample_rate: Hz,
    /// Sinusoids per Rayleigh tap.
    pub sinusoids: usize,
    /// Interpolator half-length L for the tap delays.
    pub interp_half_length: usize,
    /// Seed of this realisation.
    pub seed: u64,
}

impl TdlConfig {
    /// Defaults: TDL-C, DS 100 ns, 3 km/h at 2 GHz (5.56 Hz), LOS ratio 1, no common Doppler,
    /// 32 sinusoids, L = 4.
    pub fn new(profile: FadingProfile, sample_rate: Hz, seed: u64) -> Self {
        TdlConfig {
            profile,
            delay_spread_s: 100e-9,
            max_doppler: Hz(3.0 / 3.6 * 2e9 / 299_792_458.0),
            los_doppler_ratio: 1.0,
            common_doppler: Hz(0.0),
            sample_rate,
            sinusoids: 32,
            interp_half_length: 4,
            seed,
        }
    }
}

/// Why a TDL cannot be built or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TdlError {
    /// A parameter is out of range.
    #[error("bad fading parameter: {0}")]
    BadParameter(&'static str),
    /// `process` was called with a start that does not follow the previous block.
    #[error("block starts at sample {got}, expected {expected}")]
    Discontinuous {
        /// The next sample expected.
        expected: u64,
        /// The start given.
        got: u64,
    },
}

#[derive(Clone, Debug)]
struct TapState {
    amplitude: f64,
    kind: TapKind,
    /// Per sinusoid: Doppler in cycles per sample, initial phase in cycles.
    tones: Vec<(f64, f64)>,
    /// Fractional-delay FIR over the combined lags (index = lag).
    fir: Vec<f32>,
}

/// A tapped-delay-line fading channel.
#[derive(Clone, Debug)]
pub struct Tdl {
    cfg: TdlConfig,
    taps: Vec<TapState>,
    /// Number of lags K of the combined FIR.
    lags: usize,
    /// Grid spacing of the gain evaluation, samples.
    grid: u64,
    grid_index: Option<u64>,
    /// The combined coefficients of the grid point after `grid_index` (its far end).
    far: Option<(u64, Vec<Complex32>)>,
    /// Combined coefficients at the grid point and their per-sample slope, real and imaginary
    /// parts apart, in reverse lag order (index K−1−k) to match the history window.
    coef: [Vec<f32>; 2],
    slope: [Vec<f32>; 2],
    /// The coefficients of the current sample (scratch).
    cur: [Vec<f32>; 2],
    gains: Vec<Complex32>,
    line: DelayLine,
    /// Scratch for the common-Doppler phase, cycles.
    phase: Vec<f32>,
    common_cycles_per_sample: f64,
    next: Option<u64>,
}

impl Tdl {
    /// Draw a realisation.
    pub fn new(cfg: TdlConfig) -> Result<Self, TdlError> {
        let fs = cfg.sample_rate.hz();
        if !(fs.is_finite() && fs > 0.0) {
            return Err(TdlError::BadParameter("sample rate must be positive"));
        }
        if !(cfg.delay_spread_s.is_finite() && cfg.delay_spread_s >= 0.0) {
            return Err(TdlError::BadParameter("delay spread must be ≥ 0"));
        }
        let fd = cfg.max_doppler.hz();
        if !(fd.is_finite() && fd >= 0.0 && fd < fs / 4.0) {
            return Err(TdlError::BadParameter("max Doppler must be in [0, fs/4)"));
        }
        if cfg.sinusoids == 0 || cfg.sinusoids > 4096 {
            return Err(TdlError::BadParameter("sinusoids must be 1…4096"));
        }
        if !cfg.common_doppler.hz().is_finite() || !cfg.los_doppler_ratio.is_finite() {
            return Err(TdlError::BadParameter("Doppler must be finite"));
        }
        let profile = cfg.profile.taps();
        let total: f64 = profile.iter().map(|t| 10f64.powf(t.power_db / 10.0)).sum();
        let half = cfg.interp_half_length.max(1);
        let max_delay_samples = profile
            .iter()
            .map(|t| t.delay_norm * cfg.delay_spread_s * fs)
            .fold(0.0, f64::max);
        if max_delay_samples > 1e6 {
            return Err(TdlError::BadParameter(
                "delay spread too long for the sample rate",
            ));
        }
        // K lags, padded to a multiple of 8 (the dot-product lane count) with zero taps.
        let lags = (2 * half + max_delay_samples.ceil() as usize).div_ceil(8) * 8;
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let m = cfg.sinusoids;
        let fd_cps = fd / fs;
        let mut taps = Vec::with_capacity(profile.len());
        for t in &profile {
            let d = t.delay_norm * cfg.delay_spread_s * fs;
            let i_rel = (-d).floor();
            let mu = -d - i_rel;
            // Rounded to the table's 1/4096-sample delay grid, like the orbit path.
            let mu_q = (mu * PHASES as f64).round() / PHASES as f64;
            let row = row_for(half, mu_q);
            let mut fir = vec![0f32; lags];
            for (j, &h) in row.iter().enumerate() {
                // μ_q may round up to 1: that row is the next sample's μ = 0 row, same lags.
                // x[n + i_rel + (j − L + 1) − L] ↔ lag 2L − 1 − i_rel − j.
                let lag = (2 * half - 1) as i64 - i_rel as i64 - j as i64;
                if let Some(slot) = usize::try_from(lag).ok().filter(|&l| l < lags) {
                    fir[slot] += h;
                }
            }
            let tones = match t.kind {
                TapKind::Rayleigh => {
                    let theta = rng.random::<f64>() * std::f64::consts::TAU;
                    (0..m)
                        .map(|k| {
                            let alpha = (std::f64::consts::TAU * k as f64 + theta) / m as f64;
                            (fd_cps * alpha.cos(), rng.random::<f64>())
                        })
                        .collect()
                }
                TapKind::Los => vec![(fd_cps * cfg.los_doppler_ratio, rng.random::<f64>())],
            };
            let norm = match t.kind {
                TapKind::Rayleigh => 1.0 / (m as f64).sqrt(),
                TapKind::Los => 1.0,
            };
            taps.push(TapState {
                amplitude: (10f64.powf(t.power_db / 10.0) / total).sqrt() * norm,
                kind: t.kind,
                tones,
                fir,
            });
        }
        // ≥ 32 grid points per Doppler period (|f| ≤ f_D·max(1, LOS ratio)), at most 256
        // samples apart.
        let f_max = fd * cfg.los_doppler_ratio.abs().max(1.0);
        let grid = if f_max > 0.0 {
            ((fs / (32.0 * f_max)).floor() as u64).clamp(1, 256)
        } else {
            256
        };
        let zeros = || [vec![0f32; lags], vec![0f32; lags]];
        Ok(Tdl {
            taps,
            lags,
            grid,
            grid_index: None,
            far: None,
            coef: zeros(),
            slope: zeros(),
            cur: zeros(),
            gains: Vec::new(),
            line: DelayLine::new(lags),
            phase: vec![0.0; 256],
            common_cycles_per_sample: cfg.common_doppler.hz() / fs,
            next: None,
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &TdlConfig {
        &self.cfg
    }

    /// The fixed latency the model adds, samples.
    pub fn latency_samples(&self) -> usize {
        self.cfg.interp_half_length.max(1)
    }

    /// The complex gain of every profile tap at sample `n` (exact, not interpolated), in
    /// profile order.
    pub fn tap_gains(&self, n: u64, out: &mut Vec<Complex32>) {
        out.clear();
        for t in &self.taps {
            let mut re = 0.0;
            let mut im = 0.0;
            for &(f_cps, phi) in &t.tones {
                // Cycles, reduced before the product grows: f·n mod 1 via the fraction of n·f.
                let c = (f_cps * n as f64 + phi).fract();
                let (s, co) = (std::f64::consts::TAU * c).sin_cos();
                re += co;
                im += s;
            }
            out.push(Complex32::new(
                (re * t.amplitude) as f32,
                (im * t.amplitude) as f32,
            ));
        }
    }

    fn combined(&mut self, n: u64) -> Vec<Complex32> {
        let mut gains = std::mem::take(&mut self.gains);
        self.tap_gains(n, &mut gains);
        let mut c = vec![Complex32::new(0.0, 0.0); self.lags];
        for (t, g) in self.taps.iter().zip(&gains) {
            for (k, &h) in t.fir.iter().enumerate() {
                if h != 0.0 {
                    c[self.lags - 1 - k] += g * h;
                }
            }
        }
        self.gains = gains;
        c
    }

    fn enter_grid(&mut self, g: u64) {
        if self.grid_index == Some(g) {
            return;
        }
        // Walking forward, this grid point's coefficients are the last one's far end.
        let a = match self.far.take() {
            Some((n, c)) if n == g => c,
            _ => self.combined(g * self.grid),
        };
        let b = self.combined((g + 1) * self.grid);
        let inv = 1.0 / self.grid as f32;
        for k in 0..self.lags {
            let d = (b[k] - a[k]) * inv;
            self.coef[0][k] = a[k].re;
            self.coef[1][k] = a[k].im;
            self.slope[0][k] = d.re;
            self.slope[1][k] = d.im;
        }
        self.far = Some((g + 1, b));
        self.grid_index = Some(g);
    }

    /// Apply the fading to `buf` in place; `buf[0]` is sample `t0`. Blocks must follow each
    /// other without gaps.
    pub fn process_in_place(&mut self, t0: u64, buf: &mut [Complex32]) -> Result<(), TdlError> {
        if let Some(expected) = self.next
            && expected != t0
        {
            return Err(TdlError::Discontinuous { expected, got: t0 });
        }
        self.fade(t0, buf);
        Ok(())
    }

    /// Apply the fading to a burst `buf` starting at sample `t0` that follows silence: the
    /// fading process goes on as the function of the sample index it is, the history is
    /// zero. For receptions processed apart (the sample-level engine's), where
    /// [`Self::process_in_place`] would refuse the gap. Prepend [`Self::span_samples`] of the
    /// signal before `t0` to `buf` where it is not silence.
    pub fn process_burst(&mut self, t0: u64, buf: &mut [Complex32]) {
        self.line.clear();
        self.fade(t0, buf);
    }

    /// Samples of history an output sample depends on (the combined FIR's length: the
    /// interpolators and the longest tap delay).
    pub fn span_samples(&self) -> usize {
        self.lags
    }

    fn fade(&mut self, t0: u64, buf: &mut [Complex32]) {
        let k = self.lags;
        let mut i = 0;
        while i < buf.len() {
            let n0 = t0 + i as u64;
            let g = n0 / self.grid;
            self.enter_grid(g);
            let end = (((g + 1) * self.grid - t0) as usize).min(buf.len());
            let base = g * self.grid;
            for (j, sample) in buf.iter_mut().enumerate().take(end).skip(i) {
                let n = t0 + j as u64;
                self.line.push(n, *sample);
                let frac = (n - base) as i32 as f32;
                let [cr, ci] = &mut self.cur;
                for (((c, a), s), (d, b)) in cr
                    .iter_mut()
                    .zip(&self.coef[0])
                    .zip(&self.slope[0])
                    .zip(ci.iter_mut().zip(&self.coef[1]).zip(&self.slope[1]))
                    .map(|(((c, a), s), ((d, b), t))| (((c, a), s), (d, (b, t))))
                {
                    *c = a + s * frac;
                    *d = b.0 + b.1 * frac;
                }
                let (xr, xi) = self.line.window(n as i64 - k as i64 + 1, k);
                *sample = Complex32::new(dot(xr, cr) - dot(xi, ci), dot(xr, ci) + dot(xi, cr));
            }
            if self.common_cycles_per_sample != 0.0 {
                // The grid step is ≤ 256 samples, the scratch's length.
                for (j, ph) in self.phase[..end - i].iter_mut().enumerate() {
                    let c = self.common_cycles_per_sample * (t0 + (i + j) as u64) as f64;
                    *ph = (c - fast_floor(c)) as f32;
                }
                rotate_cycles(&mut buf[i..end], &self.phase[..end - i]);
            }
            i = end;
        }
        self.next = Some(t0 + buf.len() as u64);
    }

    /// Whether a tap is LOS (for tests and reports).
    pub fn tap_kinds(&self) -> Vec<TapKind> {
        self.taps.iter().map(|t| t.kind).collect()
    }
}
