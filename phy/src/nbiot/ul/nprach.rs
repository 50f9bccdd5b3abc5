//! Narrowband physical random access channel, TS 36.211 §10.1.6 (frame structure type 1).
//!
//! A preamble repetition is `P` symbol groups, each a cyclic prefix of `T_CP` followed by `N`
//! identical single-tone symbols (`T_SEQ`), `G = P` groups contiguous in time
//! (Table 10.1.6.1-1). Group `i` sits on subcarrier
//! `n_sc^RA(i) = n_start + ñ_sc^RA(i)`, `n_start = N_scoffset + ⌊n_init/N_sc^RA⌋·N_sc^RA`,
//! with the pseudo-random hopping of §10.1.6.1, and carries (§10.1.6.2)
//! `s_i(t) = β·exp(j2π(n_sc^RA(i) + K·k0 + 1/2)·Δf_RA·(t − T_CP))`, `0 ≤ t < T_CP + T_SEQ`,
//! where `K·k0 = −24` for Δf_RA = 3.75 kHz and `−72` for 1.25 kHz.
//!
//! | format | G = P | N | T_CP | T_SEQ | Δf_RA | N_sc^RA |
//! |---|---|---|---|---|---|---|
//! | 0 | 4 | 5 | 2048 T_s | 5·8192 T_s | 3.75 kHz | 12 |
//! | 1 | 4 | 5 | 8192 T_s | 5·8192 T_s | 3.75 kHz | 12 |
//! | 2 | 6 | 3 | 24576 T_s | 3·24576 T_s | 1.25 kHz | 36 |
//!
//! G, P, N, Δf_RA and format 2's T_SEQ are read in the 36.211 text; the T_CP cells of
//! Table 10.1.6.1-1 are images in the public copy, so the T_CP values are those of the
//! MathWorks LTE Toolbox implementation of that table (they are the values that make the
//! symbol group 1.4 ms / 1.6 ms / 3.2 ms long).
//!
//! After `4·64` (formats 0, 1) or `16·6` (format 2) symbol groups a 40 ms gap is inserted
//! (FDD). The receiver ([`NprachDetector`]) correlates each symbol with every tone of the
//! configured band (one FFT per symbol), screens each start subcarrier by its non-coherent
//! energy, searches residual time of arrival and frequency offset jointly (see the detector),
//! and detects on the coherently combined energy against the noise of the unused tones.
//!
//! Estimation accuracy (figures in `tests/nbiot_nprach.rs`): with a single repetition and an
//! unknown frequency offset the ToA and frequency offset are strongly correlated through the
//! hop pattern (tones `k0, k0±1, k0±1±6, k0±6` at group times `0…3`), which about doubles the
//! ToA error over the known-frequency bound; repetitions decorrelate them.

use std::sync::Arc;

use num_complex::{Complex32, Complex64};
use rustfft::{Fft, FftPlanner};

use crate::error::{PhyError, check_finite_c32};
use crate::gold::GoldSequence;

use super::{TS_PER_SAMPLE, UL_SAMPLE_RATE_HZ};

/// NPRACH preamble format (frame structure type 1), Table 10.1.6.1-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NprachFormat {
    /// 3.75 kHz, T_CP = 66.7 µs.
    F0,
    /// 3.75 kHz, T_CP = 266.7 µs.
    F1,
    /// 1.25 kHz, T_CP = 800 µs (Rel-15).
    F2,
}

impl NprachFormat {
    /// Symbol groups per repetition `P` (= `G` for FDD).
    pub const fn p(self) -> usize {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => 4,
            NprachFormat::F2 => 6,
        }
    }
    /// Symbols per group `N`.
    pub const fn n(self) -> usize {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => 5,
            NprachFormat::F2 => 3,
        }
    }
    /// `T_CP` in `T_s`.
    pub const fn t_cp_ts(self) -> usize {
        match self {
            NprachFormat::F0 => 2048,
            NprachFormat::F1 => 8192,
            NprachFormat::F2 => 24576,
        }
    }
    /// Symbol length `T_SEQ/N` in `T_s`.
    pub const fn t_sym_ts(self) -> usize {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => 8192,
            NprachFormat::F2 => 24576,
        }
    }
    /// Subcarrier spacing `Δf_RA` in Hz (Table 10.1.6.2-1).
    pub const fn delta_f_ra_hz(self) -> f64 {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => 3750.0,
            NprachFormat::F2 => 1250.0,
        }
    }
    /// Hopping band `N_sc^RA`.
    pub const fn n_sc_ra(self) -> usize {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => 12,
            NprachFormat::F2 => 36,
        }
    }
    /// `K·k0`: with `k0 = −N_sc^UL/2` and `K = Δf/Δf_RA` this is `−24` (3.75 kHz) or `−72`.
    pub const fn k_k0(self) -> i64 {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => -24,
            NprachFormat::F2 => -72,
        }
    }
    /// NPRACH subcarriers in the 180 kHz carrier (`N_sc^UL` in units of `Δf_RA`).
    pub const fn carrier_subcarriers(self) -> usize {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => 48,
            NprachFormat::F2 => 144,
        }
    }
    /// Repetitions after which the 40 ms FDD gap is inserted (64 or 16).
    pub const fn reps_before_gap(self) -> usize {
        match self {
            NprachFormat::F0 | NprachFormat::F1 => 64,
            NprachFormat::F2 => 16,
        }
    }
    /// Samples of the cyclic prefix at 1.92 Msps.
    pub const fn cp_samples(self) -> usize {
        self.t_cp_ts() / TS_PER_SAMPLE
    }
    /// Samples of one symbol at 1.92 Msps.
    pub const fn sym_samples(self) -> usize {
        self.t_sym_ts() / TS_PER_SAMPLE
    }
    /// Samples of one symbol group (`T_CP + T_SEQ`).
    pub const fn group_samples(self) -> usize {
        self.cp_samples() + self.n() * self.sym_samples()
    }
}

/// Samples of the 40 ms gap at 1.92 Msps.
pub const GAP_SAMPLES: usize = 40 * 1920;

/// An NPRACH resource configuration (the parts the PHY needs), §10.1.6.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NprachConfig {
    /// Preamble format.
    pub format: NprachFormat,
    /// `N_scoffset^NPRACH`, first subcarrier of the resource (in `Δf_RA` units).
    pub subcarrier_offset: usize,
    /// `N_sc^NPRACH`, subcarriers of the resource (a multiple of `N_sc^RA`).
    pub num_subcarriers: usize,
    /// `N_rep^NPRACH` ∈ {1, 2, 4, …, 128}.
    pub repetitions: usize,
    /// `N_ID^Ncell` (0…503), the hopping `c_init`.
    pub cell_id: u16,
}

impl NprachConfig {
    /// Validates the configuration.
    ///
    /// # Errors
    /// `OutOfRange` if `N_scoffset + N_sc^NPRACH > N_sc^UL` (invalid per §10.1.6.1), the number
    /// of subcarriers is not a positive multiple of `N_sc^RA`, the repetitions are not a power
    /// of two in 1…128, or the cell id exceeds 503.
    pub fn validate(&self) -> Result<(), PhyError> {
        let f = self.format;
        if self.num_subcarriers == 0 || !self.num_subcarriers.is_multiple_of(f.n_sc_ra()) {
            return Err(PhyError::OutOfRange {
                what: "nprach num_subcarriers (multiple of N_sc^RA)",
                value: self.num_subcarriers as i64,
            });
        }
        if self.subcarrier_offset + self.num_subcarriers > f.carrier_subcarriers() {
            return Err(PhyError::OutOfRange {
                what: "nprach subcarrier_offset + num_subcarriers > N_sc^UL",
                value: (self.subcarrier_offset + self.num_subcarriers) as i64,
            });
        }
        if !(self.repetitions.is_power_of_two() && self.repetitions <= 128) {
            return Err(PhyError::OutOfRange {
                what: "nprach repetitions",
                value: self.repetitions as i64,
            });
        }
        if self.cell_id > 503 {
            return Err(PhyError::OutOfRange {
                what: "cell id",
                value: i64::from(self.cell_id),
            });
        }
        Ok(())
    }

    /// Total symbol groups `P·N_rep`.
    pub fn num_groups(&self) -> usize {
        self.format.p() * self.repetitions
    }

    /// First sample of symbol group `i` relative to the preamble start (gaps included).
    pub fn group_start(&self, i: usize) -> usize {
        let f = self.format;
        let per_gap = f.reps_before_gap() * f.p();
        i * f.group_samples() + (i / per_gap) * GAP_SAMPLES
    }

    /// Length in samples of the whole preamble transmission (all repetitions and gaps).
    pub fn total_samples(&self) -> usize {
        let g = self.num_groups();
        self.group_start(g - 1) + self.format.group_samples()
    }

    /// Writes the hopped subcarriers `n_sc^RA(i)` of all `P·N_rep` groups for `n_init`.
    ///
    /// # Errors
    /// `OutOfRange` for an invalid configuration or `n_init ≥ N_sc^NPRACH`; `Length` if
    /// `out.len() != P·N_rep`.
    pub fn subcarriers(&self, n_init: usize, out: &mut [usize]) -> Result<(), PhyError> {
        self.validate()?;
        if n_init >= self.num_subcarriers {
            return Err(PhyError::OutOfRange {
                what: "nprach n_init",
                value: n_init as i64,
            });
        }
        crate::error::check_len("nprach subcarriers", self.num_groups(), out.len())?;
        let f = self.format;
        let nra = f.n_sc_ra();
        let p = f.p();
        let n_start = self.subcarrier_offset + (n_init / nra) * nra;
        // f(t) for t = 0…N_rep−1 (f(−1) = 0): needs c(1)…c(10t+9).
        let mut g = GoldSequence::new(u32::from(self.cell_id));
        let mut c = vec![0u8; 10 * self.repetitions + 10];
        g.fill(&mut c);
        let mut f_prev = 0usize;
        let mut f_t = vec![0usize; self.repetitions];
        for (t, ft) in f_t.iter_mut().enumerate() {
            let mut sum = 0usize;
            for (j, &cn) in c[10 * t + 1..=10 * t + 9].iter().enumerate() {
                sum += usize::from(cn) << j;
            }
            *ft = (f_prev + sum % (nra - 1) + 1) % nra;
            f_prev = *ft;
        }
        let n0 = n_init % nra;
        let mut prev = n0;
        for (i, o) in out.iter_mut().enumerate() {
            let n = if i == 0 {
                n0
            } else if i % p == 0 {
                (n0 + f_t[i / p]) % nra
            } else {
                hop(f, i % p, prev)
            };
            *o = n_start + n;
            prev = n;
        }
        Ok(())
    }
}

/// The within-repetition hop of §10.1.6.1 for group phase `r = i mod P`, `r > 0`.
fn hop(f: NprachFormat, r: usize, prev: usize) -> usize {
    match f {
        NprachFormat::F0 | NprachFormat::F1 => match r {
            1 | 3 => {
                if prev.is_multiple_of(2) {
                    prev + 1
                } else {
                    prev - 1
                }
            }
            _ => {
                if prev < 6 {
                    prev + 6
                } else {
                    prev - 6
                }
            }
        },
        NprachFormat::F2 => match r {
            1 | 5 => {
                if prev.is_multiple_of(2) {
                    prev + 1
                } else {
                    prev - 1
                }
            }
            2 | 4 => {
                if (prev / 3).is_multiple_of(2) {
                    prev + 3
                } else {
                    prev - 3
                }
            }
            _ => {
                if prev < 18 {
                    prev + 18
                } else {
                    prev - 18
                }
            }
        },
    }
}

/// Baseband frequency (Hz) of NPRACH subcarrier `n_sc` (§10.1.6.2):
/// `(n_sc + K·k0 + 1/2)·Δf_RA`.
pub fn subcarrier_frequency_hz(format: NprachFormat, n_sc: usize) -> f64 {
    (n_sc as f64 + format.k_k0() as f64 + 0.5) * format.delta_f_ra_hz()
}

/// UE-side NPRACH transmitter.
#[derive(Debug, Clone)]
pub struct NprachTx {
    cfg: NprachConfig,
    tones: Vec<usize>,
}

impl NprachTx {
    /// Plans a transmitter for a validated configuration.
    ///
    /// # Errors
    /// `OutOfRange` for an invalid configuration.
    pub fn new(cfg: NprachConfig) -> Result<Self, PhyError> {
        cfg.validate()?;
        Ok(NprachTx {
            tones: vec![0; cfg.num_groups()],
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &NprachConfig {
        &self.cfg
    }

    /// Writes the preamble for `n_init` into `out` (1.92 Msps, unit power, `β = 1`), zero
    /// outside the preamble.
    ///
    /// `out[n]` is `s(n/f_s − time_offset_s)·exp(j2π·freq_offset_hz·n/f_s)`: the UE applies
    /// its timing-advance pre-compensation by choosing the buffer's start sample for the
    /// integer part and passing the fractional remainder here as a negative `time_offset_s`
    /// (and its Doppler pre-compensation as `freq_offset_hz`, the negated Doppler). A channel
    /// model may use the same two inputs for its residual delay and frequency offset.
    ///
    /// # Errors
    /// `OutOfRange` for `n_init ≥ N_sc^NPRACH` or non-finite offsets.
    pub fn transmit(
        &mut self,
        n_init: usize,
        time_offset_s: f64,
        freq_offset_hz: f64,
        out: &mut [Complex32],
    ) -> Result<(), PhyError> {
        if !(time_offset_s.is_finite() && freq_offset_hz.is_finite()) {
            return Err(PhyError::OutOfRange {
                what: "nprach time/frequency offset",
                value: 0,
            });
        }
        self.cfg.subcarriers(n_init, &mut self.tones)?;
        let f = self.cfg.format;
        let fs = UL_SAMPLE_RATE_HZ;
        let gs = f.group_samples() as f64 / fs;
        let t_cp = f.cp_samples() as f64 / fs;
        let p = f.p();
        for (n, o) in out.iter_mut().enumerate() {
            let t_abs = n as f64 / fs;
            let t = t_abs - time_offset_s;
            *o = Complex32::new(0.0, 0.0);
            if t < 0.0 {
                continue;
            }
            // Locate the group: groups are contiguous except for the gaps.
            let gap_block = f.reps_before_gap() * p;
            let block_len = gap_block as f64 * gs + GAP_SAMPLES as f64 / fs;
            let blk = (t / block_len).floor();
            let tb = t - blk * block_len;
            let gi = (tb / gs).floor();
            if gi >= gap_block as f64 {
                continue; // inside a gap
            }
            let i = blk as usize * gap_block + gi as usize;
            if i >= self.tones.len() {
                continue;
            }
            let tg = tb - gi * gs;
            let freq = subcarrier_frequency_hz(f, self.tones[i]);
            let ph = 2.0 * std::f64::consts::PI * (freq * (tg - t_cp) + freq_offset_hz * t_abs);
            let ph = ph.rem_euclid(2.0 * std::f64::consts::PI);
            *o = Complex32::new(ph.cos() as f32, ph.sin() as f32);
        }
        Ok(())
    }
}

/// One detected preamble.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NprachDetection {
    /// The detected `n_init` (start subcarrier choice of the UE).
    pub n_init: usize,
    /// Residual time of arrival relative to the nominal start, seconds (positive = late).
    pub timing_s: f64,
    /// Residual frequency offset, Hz.
    pub freq_offset_hz: f64,
    /// Detection statistic (coherent energy over noise, ~Exp(1) per cell under noise only).
    pub metric: f32,
}

/// Cell-side NPRACH detector for one configured resource, planned once: every buffer and FFT
/// plan is made by [`NprachDetector::new`], so [`NprachDetector::detect`] does not allocate
/// (apart from growing the caller's output vector).
///
/// Per symbol: one FFT of the symbol (after a half-bin rotation, as the NPRACH tones sit at
/// `(n + 1/2)·Δf_RA`), the band's bins times a per-(symbol, tone) phase constant give the
/// correlation `Y_{i,m}(k)` with the reference tone over the analysis window. Per candidate
/// `n_init`: a non-coherent energy screen, then a joint search of the residual frequency
/// offset ε (grid over ±[`FREQ_SEARCH_HZ`]) and time of arrival τ (for each ε, one inverse FFT
/// over the hopped tones per repetition gives `|Σ_i Y_i(ε)·e^{j2πk_iΔf_RA·τ}|²` for all τ at
/// once; repetitions add non-coherently). Searching ε and τ jointly is what removes the grating
/// lobes of the hop pattern: the ±1-tone hops resolve τ over `1/Δf_RA` (266.7 µs / 800 µs, more
/// than the cyclic-prefix range), the ±6 (format 2: ±3, ±18) hops make it precise, and a
/// frequency error no longer tilts the group phases into a wrong lobe. The maximum is then
/// refined (ε from consecutive groups, then a joint weighted least-squares fit of the group
/// phases) and the detection statistic is the coherent energy over all groups.
#[derive(Clone)]
pub struct NprachDetector {
    cfg: NprachConfig,
    threshold: f32,
    fft: Arc<dyn Fft<f32>>,
    fft_buf: Vec<Complex32>,
    fft_scratch: Vec<Complex32>,
    /// `e^{−jπu/N}`: moves the half-bin tone grid onto FFT bins.
    half_bin: Vec<Complex32>,
    /// FFT bin of every band tone.
    bins: Vec<usize>,
    /// `[m·N_k + k]`: phase of band tone `k`'s reference at the start of window symbol `m`.
    phase: Vec<Complex32>,
    /// Per group, per symbol, per band tone correlation `Y_{i,m}(k)`.
    y: Vec<Complex32>,
    /// `[n_init·G + i]`: band tone of group `i` for every `n_init`.
    cand_tones: Vec<usize>,
    win_off: usize,
    /// ToA search half-range, seconds (≤ T_CP/2).
    toa_max_s: f64,
    /// Centre time of every window symbol `[i·N + m]`, seconds from the preamble start.
    sym_times: Vec<f64>,
    /// Inverse FFT over tones (ToA search) and its buffers.
    tau_fft: Arc<dyn Fft<f32>>,
    tau_buf: Vec<Complex32>,
    tau_scratch: Vec<Complex32>,
    tau_metric: Vec<f64>,
    /// Per-group coherent sums of the candidate being estimated.
    yg: Vec<Complex64>,
}

/// Default detection threshold on [`NprachDetection::metric`] (see the false-alarm
/// statistics in `tests/nbiot_nprach.rs`: ≤ 0.1 % per attempt in noise for every format).
pub const DEFAULT_THRESHOLD: f32 = 22.0;

/// Residual frequency offsets the detector searches: ±this (Hz). The UE pre-compensates the
/// Doppler, so what is left is a few hundred Hz (≈0.1 ppm at 2 GHz plus oscillator error).
pub const FREQ_SEARCH_HZ: f64 = 600.0;

/// Candidates whose non-coherent energy over the hopped tones is below the noise mean plus
/// this many standard deviations are not searched further.
const SCREEN_SIGMAS: f64 = 1.5;

impl std::fmt::Debug for NprachDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NprachDetector")
            .field("cfg", &self.cfg)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

impl NprachDetector {
    /// Plans a detector. `threshold` applies to [`NprachDetection::metric`].
    ///
    /// # Errors
    /// `OutOfRange` for an invalid configuration or a non-positive threshold.
    pub fn new(cfg: NprachConfig, threshold: f32) -> Result<Self, PhyError> {
        cfg.validate()?;
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(PhyError::OutOfRange {
                what: "nprach detection threshold",
                value: threshold as i64,
            });
        }
        let f = cfg.format;
        let fs = UL_SAMPLE_RATE_HZ;
        let n = f.sym_samples();
        let nk = cfg.num_subcarriers;
        let nsym = f.n();
        let ng = cfg.num_groups();
        // Analysis window: N symbols starting half a CP into the group, so residual timing
        // errors of ±T_CP/2 stay inside the group.
        let win_off = f.cp_samples() / 2;
        let mut planner = FftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(n);
        let half_bin = (0..n)
            .map(|u| {
                let ph = -std::f64::consts::PI * u as f64 / n as f64;
                Complex32::new(ph.cos() as f32, ph.sin() as f32)
            })
            .collect();
        // Tone (n_sc + K·k0 + 1/2)·Δf_RA = (b + 1/2)·fs/N with b = n_sc + K·k0.
        let bins = (0..nk)
            .map(|k| (cfg.subcarrier_offset + k) as i64 + f.k_k0())
            .map(|b| b.rem_euclid(n as i64) as usize)
            .collect();
        let mut phase = vec![Complex32::default(); nsym * nk];
        for m in 0..nsym {
            for k in 0..nk {
                let freq = subcarrier_frequency_hz(f, cfg.subcarrier_offset + k);
                let t0 = (win_off + m * n) as f64 / fs - f.cp_samples() as f64 / fs;
                let ph = (-2.0 * std::f64::consts::PI * freq * t0)
                    .rem_euclid(2.0 * std::f64::consts::PI);
                phase[m * nk + k] = Complex32::new(ph.cos() as f32, ph.sin() as f32);
            }
        }
        let mut cand_tones = vec![0usize; nk * ng];
        for (n_init, t) in cand_tones.chunks_exact_mut(ng).enumerate() {
            cfg.subcarriers(n_init, t)?;
            for v in t.iter_mut() {
                *v -= cfg.subcarrier_offset;
            }
        }
        let mut sym_times = vec![0f64; ng * nsym];
        for i in 0..ng {
            let t0 = (cfg.group_start(i) + win_off) as f64 / fs;
            for m in 0..nsym {
                sym_times[i * nsym + m] = t0 + (m as f64 + 0.5) * n as f64 / fs;
            }
        }
        // ToA search FFT over the N_sc^RA tones of one hopping block: ≥ 4× zero padding.
        let tlen = (4 * f.n_sc_ra()).next_power_of_two();
        let tau_fft = planner.plan_fft_inverse(tlen);
        Ok(NprachDetector {
            fft_scratch: vec![Complex32::default(); fft.get_inplace_scratch_len()],
            fft_buf: vec![Complex32::default(); n],
            fft,
            half_bin,
            bins,
            phase,
            y: vec![Complex32::default(); ng * nsym * nk],
            cand_tones,
            win_off,
            toa_max_s: f.cp_samples() as f64 / 2.0 / fs,
            sym_times,
            tau_scratch: vec![Complex32::default(); tau_fft.get_inplace_scratch_len()],
            tau_buf: vec![Complex32::default(); tlen],
            tau_metric: vec![0.0; tlen],
            tau_fft,
            yg: vec![Complex64::default(); ng],
            threshold,
            cfg,
        })
    }

    /// Restricts the time-of-arrival search to `±max_abs_s` (default and upper limit:
    /// ±T_CP/2, what the analysis window tolerates). In NTN the UE pre-compensates its timing
    /// advance, so the network can bound the residual; a narrower range removes the far
    /// ToA lobes of the hop pattern at low SNR.
    ///
    /// # Errors
    /// `OutOfRange` unless `0 < max_abs_s ≤ T_CP/2`.
    pub fn set_toa_search_s(&mut self, max_abs_s: f64) -> Result<(), PhyError> {
        let half_cp = self.cfg.format.cp_samples() as f64 / 2.0 / UL_SAMPLE_RATE_HZ;
        if !(max_abs_s > 0.0 && max_abs_s <= half_cp) {
            return Err(PhyError::OutOfRange {
                what: "nprach ToA search range (0 < range <= T_CP/2), ns",
                value: (max_abs_s * 1e9) as i64,
            });
        }
        self.toa_max_s = max_abs_s;
        Ok(())
    }

    /// Samples the detector needs: the preamble span from the nominal start.
    pub fn input_len(&self) -> usize {
        self.cfg.total_samples()
    }

    /// Searches `rx` (starting at the nominal preamble start, at least [`Self::input_len`]
    /// samples) for preambles of every `n_init` of the resource; pushes each detection above
    /// the threshold (one per start-subcarrier hopping pattern) into `out` (cleared first).
    ///
    /// # Errors
    /// `Length` if `rx` is too short; `NonFinite` on NaN/inf samples.
    pub fn detect(
        &mut self,
        rx: &[Complex32],
        out: &mut Vec<NprachDetection>,
    ) -> Result<(), PhyError> {
        out.clear();
        let need = self.input_len();
        if rx.len() < need {
            return Err(PhyError::Length {
                what: "nprach detector input",
                expected: need,
                got: rx.len(),
            });
        }
        check_finite_c32("nprach detector input", &rx[..need])?;
        let f = self.cfg.format;
        let nsym = f.n();
        let ls = f.sym_samples();
        let nk = self.cfg.num_subcarriers;
        let ng = self.cfg.num_groups();
        // Y_{i,m}(k): one FFT per symbol.
        for i in 0..ng {
            let g0 = self.cfg.group_start(i) + self.win_off;
            for m in 0..nsym {
                let seg = &rx[g0 + m * ls..g0 + (m + 1) * ls];
                for ((b, &s), &h) in self.fft_buf.iter_mut().zip(seg).zip(&self.half_bin) {
                    *b = s * h;
                }
                self.fft
                    .process_with_scratch(&mut self.fft_buf, &mut self.fft_scratch);
                let row = &mut self.y[(i * nsym + m) * nk..(i * nsym + m + 1) * nk];
                let ph = &self.phase[m * nk..(m + 1) * nk];
                for ((v, &b), &p) in row.iter_mut().zip(&self.bins).zip(ph) {
                    *v = self.fft_buf[b] * p;
                }
            }
        }
        let total_energy: f64 = self.y.iter().map(|v| f64::from(v.norm_sqr())).sum();
        let n_cells = (ng * nsym) as f64;
        for n_init in 0..nk {
            let ks = &self.cand_tones[n_init * ng..(n_init + 1) * ng];
            // Noise per symbol from every other tone of the band.
            let mut cand_energy = 0f64;
            for (i, &k) in ks.iter().enumerate() {
                for m in 0..nsym {
                    cand_energy += f64::from(self.y[(i * nsym + m) * nk + k].norm_sqr());
                }
            }
            let sigma2_sym =
                ((total_energy - cand_energy) / (n_cells * (nk - 1) as f64)).max(1e-30);
            // Screen: non-coherent energy (mean n_cells, std √n_cells under noise).
            if cand_energy / sigma2_sym < n_cells + SCREEN_SIGMAS * n_cells.sqrt() {
                continue;
            }
            let (tau, eps) = self.estimate(n_init);
            let ks = &self.cand_tones[n_init * ng..(n_init + 1) * ng];
            group_sums(&self.y, ks, eps, &self.sym_times, nsym, nk, &mut self.yg);
            let dfra = f.delta_f_ra_hz();
            let metric = self
                .yg
                .iter()
                .zip(ks)
                .map(|(y, &k)| y * rot(2.0 * std::f64::consts::PI * k as f64 * dfra * tau))
                .sum::<Complex64>()
                .norm_sqr();
            let stat = metric / (n_cells * sigma2_sym);
            if stat as f32 >= self.threshold {
                out.push(NprachDetection {
                    n_init,
                    timing_s: tau,
                    freq_offset_hz: eps,
                    metric: stat as f32,
                });
            }
        }
        // Keep the strongest detection per hopping pattern: a strong preamble also leaks into
        // candidates sharing some tones; report those only if nearly as strong.
        if let Some(best) = out
            .iter()
            .map(|d| d.metric)
            .fold(None, |m: Option<f32>, v| Some(m.map_or(v, |x| x.max(v))))
        {
            out.retain(|d| d.metric >= 0.25 * best);
        }
        Ok(())
    }

    /// Joint (τ, ε) estimate of candidate `n_init` from `self.y`.
    fn estimate(&mut self, n_init: usize) -> (f64, f64) {
        let f = self.cfg.format;
        let nsym = f.n();
        let nk = self.cfg.num_subcarriers;
        let ng = self.cfg.num_groups();
        let p = f.p();
        let dfra = f.delta_f_ra_hz();
        let tlen = self.tau_buf.len();
        let ks = &self.cand_tones[n_init * ng..(n_init + 1) * ng];
        // All tones of a candidate lie in one N_sc^RA block.
        let kbase = ks.iter().copied().min().unwrap_or(0);
        // τ bins inside the search range (at most ±T_CP/2: the window tolerates no more).
        let n_max = ((self.toa_max_s * dfra * tlen as f64).floor() as usize).min(tlen / 2);
        // ε grid: a quarter turn of phase drift over one repetition per step.
        let span_s = (p * f.group_samples()) as f64 / UL_SAMPLE_RATE_HZ;
        let step = 1.0 / (4.0 * span_s);
        let n_eps = (FREQ_SEARCH_HZ / step).ceil() as i64;
        let mut best = (f64::MIN, 0f64, 0usize);
        let mut best_side = (0f64, 0f64);
        for je in -n_eps..=n_eps {
            let eps = je as f64 * step;
            group_sums(&self.y, ks, eps, &self.sym_times, nsym, nk, &mut self.yg);
            self.tau_metric.fill(0.0);
            for (rep_y, rep_k) in self.yg.chunks(p).zip(ks.chunks(p)) {
                self.tau_buf.fill(Complex32::default());
                for (y, &k) in rep_y.iter().zip(rep_k) {
                    self.tau_buf[k - kbase] += Complex32::new(y.re as f32, y.im as f32);
                }
                self.tau_fft
                    .process_with_scratch(&mut self.tau_buf, &mut self.tau_scratch);
                for (mv, v) in self.tau_metric.iter_mut().zip(&self.tau_buf) {
                    *mv += f64::from(v.norm_sqr());
                }
            }
            for nb in (0..=n_max).chain(tlen - n_max..tlen) {
                let v = self.tau_metric[nb % tlen];
                if v > best.0 {
                    best = (v, eps, nb % tlen);
                    best_side = (
                        self.tau_metric[(nb + tlen - 1) % tlen],
                        self.tau_metric[(nb + 1) % tlen],
                    );
                }
            }
        }
        let (vm, vp) = best_side;
        let den = vm - 2.0 * best.0 + vp;
        let delta = if den < 0.0 {
            (0.5 * (vm - vp) / den).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        let nb = best.2 as f64 + delta;
        let nb = if nb > tlen as f64 / 2.0 {
            nb - tlen as f64
        } else {
            nb
        };
        let mut tau = nb / (tlen as f64 * dfra);
        let mut eps = best.1;
        // Repetitions were combined non-coherently above; ε from consecutive contiguous groups
        // after removing τ is coherent over all groups (unambiguous within ±1/(2·T_group)).
        if ng > p {
            group_sums(&self.y, ks, eps, &self.sym_times, nsym, nk, &mut self.yg);
            let mut zz = Complex64::new(0.0, 0.0);
            for i in 0..ng - 1 {
                if self.cfg.group_start(i + 1) - self.cfg.group_start(i) != f.group_samples() {
                    continue;
                }
                let xa = self.yg[i] * rot(2.0 * std::f64::consts::PI * ks[i] as f64 * dfra * tau);
                let xb = self.yg[i + 1]
                    * rot(2.0 * std::f64::consts::PI * ks[i + 1] as f64 * dfra * tau);
                zz += xa.conj() * xb;
            }
            eps += zz.arg()
                / (2.0 * std::f64::consts::PI * f.group_samples() as f64 / UL_SAMPLE_RATE_HZ);
        }
        // Newton steps on the symbol-level likelihood |Σ_{i,m} Y_{i,m}(k_i)·e^{jψ}|²: unlike a
        // fit of the group phases it uses the phase slope inside each group, which separates ε
        // from τ even within one repetition.
        let tau_step = 1.0 / (tlen as f64 * dfra);
        for _ in 0..4 {
            let Some((d_tau, d_eps)) =
                newton_step(&self.y, ks, &self.sym_times, nsym, nk, dfra, tau, eps)
            else {
                break;
            };
            tau += d_tau.clamp(-tau_step, tau_step);
            eps += d_eps.clamp(-step, step);
            if d_tau.abs() < 1e-9 && d_eps.abs() < 1e-3 {
                break;
            }
        }
        (tau.clamp(-self.toa_max_s, self.toa_max_s), eps)
    }
}

/// `Y_i = Σ_m Y_{i,m}(k_i)·e^{−j2πε t_{i,m}}`, the per-group coherent sums at the candidate's
/// tones with the frequency offset removed.
fn group_sums(
    y: &[Complex32],
    ks: &[usize],
    eps: f64,
    sym_times: &[f64],
    nsym: usize,
    nk: usize,
    out: &mut [Complex64],
) {
    for (i, (o, &k)) in out.iter_mut().zip(ks).enumerate() {
        let mut acc = Complex64::new(0.0, 0.0);
        for m in 0..nsym {
            let v = y[(i * nsym + m) * nk + k];
            acc += Complex64::new(f64::from(v.re), f64::from(v.im))
                * rot(-2.0 * std::f64::consts::PI * eps * sym_times[i * nsym + m]);
        }
        *o = acc;
    }
}

/// One Newton step towards the maximum of `M(τ, ε) = |z|²`,
/// `z = Σ_{i,m} Y_{i,m}(k_i)·e^{j(a_i·τ − b_{i,m}·ε)}`, `a_i = 2πk_iΔf_RA`, `b = 2πt_{i,m}`
/// (both centred on their means, which leaves `|z|` unchanged). Returns `(δτ, δε)`, or `None`
/// where the Hessian is not negative definite (not near a maximum).
#[allow(clippy::too_many_arguments)] // the detector's buffers and the current estimate
fn newton_step(
    y: &[Complex32],
    ks: &[usize],
    sym_times: &[f64],
    nsym: usize,
    nk: usize,
    dfra: f64,
    tau: f64,
    eps: f64,
) -> Option<(f64, f64)> {
    let two_pi = 2.0 * std::f64::consts::PI;
    let n = (ks.len() * nsym) as f64;
    let kbar = ks.iter().map(|&k| k as f64).sum::<f64>() / ks.len() as f64;
    let tbar = sym_times.iter().sum::<f64>() / n;
    // z and its derivatives: Σ a, Σ α a, Σ β a, Σ α² a, Σ β² a, Σ α β a.
    let mut s = [Complex64::new(0.0, 0.0); 6];
    for (i, &k) in ks.iter().enumerate() {
        let al = two_pi * (k as f64 - kbar) * dfra;
        for m in 0..nsym {
            let be = two_pi * (sym_times[i * nsym + m] - tbar);
            let v = y[(i * nsym + m) * nk + k];
            let a = Complex64::new(f64::from(v.re), f64::from(v.im)) * rot(al * tau - be * eps);
            s[0] += a;
            s[1] += a * al;
            s[2] += a * be;
            s[3] += a * (al * al);
            s[4] += a * (be * be);
            s[5] += a * (al * be);
        }
    }
    let j = Complex64::new(0.0, 1.0);
    let z = s[0];
    let zt = j * s[1];
    let ze = -j * s[2];
    let ztt = -s[3];
    let zee = -s[4];
    let zte = s[5];
    let g = [2.0 * (z.conj() * zt).re, 2.0 * (z.conj() * ze).re];
    let h_tt = 2.0 * (zt.norm_sqr() + (z.conj() * ztt).re);
    let h_ee = 2.0 * (ze.norm_sqr() + (z.conj() * zee).re);
    let h_te = 2.0 * ((zt.conj() * ze).re + (z.conj() * zte).re);
    let det = h_tt * h_ee - h_te * h_te;
    if !(h_tt < 0.0 && h_ee < 0.0 && det > 0.0) {
        return None;
    }
    // δ = −H⁻¹ g.
    let d_tau = -(h_ee * g[0] - h_te * g[1]) / det;
    let d_eps = -(-h_te * g[0] + h_tt * g[1]) / det;
    Some((d_tau, d_eps))
}

fn rot(ph: f64) -> Complex64 {
    Complex64::new(ph.cos(), ph.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(format: NprachFormat, reps: usize) -> NprachConfig {
        NprachConfig {
            format,
            subcarrier_offset: 0,
            num_subcarriers: format.n_sc_ra(),
            repetitions: reps,
            cell_id: 0,
        }
    }

    #[test]
    fn hopping_format0_matches_ntn_reference_7_6() {
        let c = cfg(NprachFormat::F0, 4);
        let mut t = vec![0usize; 16];
        c.subcarriers(0, &mut t).unwrap();
        assert_eq!(&t[..12], &[0, 1, 7, 6, 3, 2, 8, 9, 4, 5, 11, 10]);
    }

    #[test]
    fn hops_inside_repetitions_have_the_spec_sizes() {
        for (format, allowed) in [
            (NprachFormat::F0, vec![1usize, 6]),
            (NprachFormat::F2, vec![1, 3, 18]),
        ] {
            for cell in [0u16, 1, 77, 503] {
                let mut c = cfg(format, 8);
                c.cell_id = cell;
                let p = format.p();
                for n_init in 0..c.num_subcarriers {
                    let mut t = vec![0usize; c.num_groups()];
                    c.subcarriers(n_init, &mut t).unwrap();
                    for i in 1..t.len() {
                        let d = t[i].abs_diff(t[i - 1]);
                        if i % p != 0 {
                            assert!(allowed.contains(&d), "{format:?} i {i} hop {d}");
                        }
                        assert!(t[i] < c.num_subcarriers);
                    }
                    // Between repetitions f(t) ≠ f(t−1), so ñ(Pt) ≠ ñ(P(t−1)).
                    for r in 1..8 {
                        assert_ne!(t[r * p], t[(r - 1) * p]);
                    }
                }
            }
        }
    }

    #[test]
    fn durations_and_config_validation() {
        assert_eq!(NprachFormat::F0.group_samples(), 2688); // 1.4 ms
        assert_eq!(NprachFormat::F1.group_samples(), 3072); // 1.6 ms
        assert_eq!(NprachFormat::F2.group_samples(), 6144); // 3.2 ms
        let c = cfg(NprachFormat::F0, 128);
        assert_eq!(c.group_start(256), 256 * 2688 + GAP_SAMPLES);
        let mut bad = cfg(NprachFormat::F0, 1);
        bad.subcarrier_offset = 40;
        assert!(bad.validate().is_err());
        bad.subcarrier_offset = 36;
        assert!(bad.validate().is_ok());
        bad.repetitions = 3;
        assert!(bad.validate().is_err());
        let mut bad = cfg(NprachFormat::F2, 1);
        bad.num_subcarriers = 24;
        assert!(NprachTx::new(bad).is_err());
        assert!(NprachDetector::new(cfg(NprachFormat::F0, 1), -1.0).is_err());
        let mut det = NprachDetector::new(cfg(NprachFormat::F0, 1), 10.0).unwrap();
        assert!(det.set_toa_search_s(20e-6).is_ok());
        assert!(det.set_toa_search_s(34e-6).is_err()); // beyond T_CP/2 = 33.3 µs
        assert!(det.set_toa_search_s(0.0).is_err());
        assert!(det.set_toa_search_s(f64::NAN).is_err());
    }

    /// The FFT-based correlations equal the direct correlation with the reference tone over
    /// each window symbol (the definition), for every format.
    #[test]
    fn fft_correlation_matches_direct_correlation() {
        for format in [NprachFormat::F0, NprachFormat::F1, NprachFormat::F2] {
            let mut c = cfg(format, 1);
            c.subcarrier_offset = format.carrier_subcarriers() - format.n_sc_ra();
            let mut det = NprachDetector::new(c, 1.0).unwrap();
            let mut x = 7u32;
            let rx: Vec<Complex32> = (0..det.input_len())
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let a = (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let b = (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                    Complex32::new(a, b)
                })
                .collect();
            let mut out = Vec::new();
            det.detect(&rx, &mut out).unwrap();
            let fs = UL_SAMPLE_RATE_HZ;
            let (nsym, ls, nk) = (format.n(), format.sym_samples(), c.num_subcarriers);
            for i in 0..c.num_groups() {
                let g0 = c.group_start(i) + det.win_off;
                for m in 0..nsym {
                    for k in [0, nk / 2, nk - 1] {
                        let freq = subcarrier_frequency_hz(format, c.subcarrier_offset + k);
                        let mut acc = num_complex::Complex64::new(0.0, 0.0);
                        for u in 0..ls {
                            let t = (det.win_off + m * ls + u) as f64 / fs
                                - format.cp_samples() as f64 / fs;
                            let r = rx[g0 + m * ls + u];
                            let r = num_complex::Complex64::new(f64::from(r.re), f64::from(r.im));
                            acc += r * rot(-2.0 * std::f64::consts::PI * freq * t);
                        }
                        let got = det.y[(i * nsym + m) * nk + k];
                        let err = ((f64::from(got.re) - acc.re).powi(2)
                            + (f64::from(got.im) - acc.im).powi(2))
                        .sqrt();
                        assert!(
                            err < 1e-3 * (1.0 + acc.norm()),
                            "{format:?} i {i} m {m} k {k}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn transmitted_group_is_the_spec_tone() {
        let c = cfg(NprachFormat::F0, 1);
        let mut tx = NprachTx::new(c).unwrap();
        let mut s = vec![Complex32::default(); c.total_samples()];
        tx.transmit(0, 0.0, 0.0, &mut s).unwrap();
        // Group 0, tone 0: f = (0 − 24 + 0.5)·3750 Hz; phase 0 at t = T_CP (sample 128).
        assert!((s[128] - Complex32::new(1.0, 0.0)).norm() < 1e-5);
        let fr = subcarrier_frequency_hz(NprachFormat::F0, 0);
        let ph = 2.0 * std::f64::consts::PI * fr * 10.0 / 1.92e6;
        assert!((s[138] - Complex32::new(ph.cos() as f32, ph.sin() as f32)).norm() < 1e-4);
        assert!(s.iter().all(|v| (v.norm() - 1.0).abs() < 1e-5));
    }
}
