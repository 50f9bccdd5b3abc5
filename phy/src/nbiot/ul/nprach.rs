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
//! configured band, estimates the residual frequency offset from the symbol-to-symbol phase
//! (then refines it across groups), the residual time of arrival from the phase slope over
//! the hopped tones, and detects on the coherently combined energy against the noise of the
//! unused tones.

use num_complex::Complex32;

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

/// Cell-side NPRACH detector for one configured resource, planned once.
#[derive(Debug, Clone)]
pub struct NprachDetector {
    cfg: NprachConfig,
    threshold: f32,
    /// `ref[k][u]`: conjugate reference of band tone `k` over the analysis window.
    reference: Vec<Vec<Complex32>>,
    /// Per group, per symbol, per band tone correlation `Y_{i,m}(k)`.
    y: Vec<Complex32>,
    tones: Vec<usize>,
    win_off: usize,
}

/// Default detection threshold (see the false-alarm test; about 0.1 % per attempt in noise).
pub const DEFAULT_THRESHOLD: f32 = 22.0;

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
        // Analysis window: N symbols starting half a CP into the group, so residual timing
        // errors of ±T_CP/2 stay inside the group.
        let win_off = f.cp_samples() / 2;
        let wlen = f.n() * f.sym_samples();
        let reference = (0..cfg.num_subcarriers)
            .map(|k| {
                let freq = subcarrier_frequency_hz(f, cfg.subcarrier_offset + k);
                (0..wlen)
                    .map(|u| {
                        let tg = (win_off + u) as f64 / fs - f.cp_samples() as f64 / fs;
                        let ph = (2.0 * std::f64::consts::PI * freq * tg)
                            .rem_euclid(2.0 * std::f64::consts::PI);
                        Complex32::new(ph.cos() as f32, -ph.sin() as f32)
                    })
                    .collect()
            })
            .collect();
        Ok(NprachDetector {
            y: vec![Complex32::default(); cfg.num_groups() * f.n() * cfg.num_subcarriers],
            tones: vec![0; cfg.num_groups()],
            threshold,
            reference,
            win_off,
            cfg,
        })
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
        // Y_{i,m}(k) = Σ_u r · conj(ref_k), per symbol.
        for i in 0..ng {
            let g0 = self.cfg.group_start(i) + self.win_off;
            for m in 0..nsym {
                let seg = &rx[g0 + m * ls..g0 + (m + 1) * ls];
                for k in 0..nk {
                    let rf = &self.reference[k][m * ls..(m + 1) * ls];
                    self.y[(i * nsym + m) * nk + k] = dot(seg, rf);
                }
            }
        }
        let total_energy: f64 = self.y.iter().map(|v| f64::from(v.norm_sqr())).sum();
        let fs = UL_SAMPLE_RATE_HZ;
        let t_sym = ls as f64 / fs;
        let dfra = f.delta_f_ra_hz();
        let nra = f.n_sc_ra();
        for n_init in 0..nk {
            let mut tones = std::mem::take(&mut self.tones);
            self.cfg.subcarriers(n_init, &mut tones)?;
            let ks: Vec<usize> = tones
                .iter()
                .map(|&t| t - self.cfg.subcarrier_offset)
                .collect();
            self.tones = tones;
            // Noise per symbol from every other tone of the band.
            let mut cand_energy = 0f64;
            for (i, &k) in ks.iter().enumerate() {
                for m in 0..nsym {
                    cand_energy += f64::from(self.y[(i * nsym + m) * nk + k].norm_sqr());
                }
            }
            let n_other = (ng * nsym * (nk - 1)) as f64;
            let sigma2_sym = ((total_energy - cand_energy) / n_other).max(1e-30);
            // Coarse frequency: symbol-to-symbol phase, unambiguous within ±1/(2 T_sym).
            let mut z = num_complex::Complex64::new(0.0, 0.0);
            for (i, &k) in ks.iter().enumerate() {
                for m in 0..nsym - 1 {
                    let a = self.y[(i * nsym + m) * nk + k];
                    let b = self.y[(i * nsym + m + 1) * nk + k];
                    let p = a.conj() * b;
                    z += num_complex::Complex64::new(f64::from(p.re), f64::from(p.im));
                }
            }
            let mut eps = z.arg() / (2.0 * std::f64::consts::PI * t_sym);
            let mut tau;
            // τ by a grid over the tone phase slope (parabolic interpolation), then a joint
            // weighted least-squares fit of the residual group phases
            // `φ_i ≈ φ0 − 2π·k_i·Δf_RA·δτ + 2π·δε·t_i` (τ and ε are coupled through the
            // hopping pattern, so they are refined together), twice.
            let yg = self.group_sums(&ks, eps);
            let (t_hat, _) = tau_search(&yg, &ks, dfra, f, nra, f.p());
            tau = t_hat;
            // ε from consecutive contiguous groups after removing τ (unambiguous within
            // ±1/(2·T_group), and accurate enough to make the repetitions coherent).
            let mut zz = num_complex::Complex64::new(0.0, 0.0);
            for i in 0..ng.saturating_sub(1) {
                if self.cfg.group_start(i + 1) - self.cfg.group_start(i) != f.group_samples() {
                    continue;
                }
                let xa = yg[i] * rot(2.0 * std::f64::consts::PI * ks[i] as f64 * dfra * tau);
                let xb =
                    yg[i + 1] * rot(2.0 * std::f64::consts::PI * ks[i + 1] as f64 * dfra * tau);
                zz += xa.conj() * xb;
            }
            eps += zz.arg() / (2.0 * std::f64::consts::PI * f.group_samples() as f64 / fs);
            for _pass in 0..2 {
                let yg = self.group_sums(&ks, eps);
                let x: Vec<num_complex::Complex64> = yg
                    .iter()
                    .zip(&ks)
                    .map(|(y, &k)| y * rot(2.0 * std::f64::consts::PI * k as f64 * dfra * tau))
                    .collect();
                let sum: num_complex::Complex64 = x.iter().sum();
                let times: Vec<f64> = (0..ng).map(|i| self.group_time(i)).collect();
                if let Some((d_tau, d_eps)) = ls_phase_fit(&x, sum, &ks, &times, dfra) {
                    tau += d_tau;
                    eps += d_eps;
                }
            }
            let yg = self.group_sums(&ks, eps);
            let metric = yg
                .iter()
                .zip(&ks)
                .map(|(y, &k)| y * rot(2.0 * std::f64::consts::PI * k as f64 * dfra * tau))
                .sum::<num_complex::Complex64>()
                .norm_sqr();
            let stat = metric / (ng as f64 * nsym as f64 * sigma2_sym);
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

    /// Centre time of group `i`'s analysis window, seconds from the preamble start.
    fn group_time(&self, i: usize) -> f64 {
        let f = self.cfg.format;
        (self.cfg.group_start(i) + self.win_off) as f64 / UL_SAMPLE_RATE_HZ
            + 0.5 * (f.n() * f.sym_samples()) as f64 / UL_SAMPLE_RATE_HZ
    }

    /// `Y_i = Σ_m Y_{i,m}(k_i)·e^{−j2πε t_m}`, the per-group coherent sums at the candidate's
    /// tones with the frequency offset removed (t_m relative to the group's window).
    fn group_sums(&self, ks: &[usize], eps: f64) -> Vec<num_complex::Complex64> {
        let f = self.cfg.format;
        let nsym = f.n();
        let nk = self.cfg.num_subcarriers;
        let fs = UL_SAMPLE_RATE_HZ;
        ks.iter()
            .enumerate()
            .map(|(i, &k)| {
                let t0 = (self.cfg.group_start(i) + self.win_off) as f64 / fs;
                let mut acc = num_complex::Complex64::new(0.0, 0.0);
                for m in 0..nsym {
                    let tm = t0 + (m as f64 + 0.5) * f.sym_samples() as f64 / fs;
                    let v = self.y[(i * nsym + m) * nk + k];
                    acc += num_complex::Complex64::new(f64::from(v.re), f64::from(v.im))
                        * rot(-2.0 * std::f64::consts::PI * eps * tm);
                }
                acc
            })
            .collect()
    }
}

/// Weighted least-squares fit of `arg(x_i·conj(sum)) ≈ a + b·k_i + c·t_i` with weights
/// `|x_i|²`; returns `(δτ, δε) = (−b/(2πΔf_RA), c/(2π))`, or `None` if singular.
fn ls_phase_fit(
    x: &[num_complex::Complex64],
    sum: num_complex::Complex64,
    ks: &[usize],
    times: &[f64],
    dfra: f64,
) -> Option<(f64, f64)> {
    let w: Vec<f64> = x.iter().map(|v| v.norm_sqr()).collect();
    let sw: f64 = w.iter().sum();
    if sw <= 0.0 {
        return None;
    }
    let kbar = w.iter().zip(ks).map(|(w, &k)| w * k as f64).sum::<f64>() / sw;
    let tbar = w.iter().zip(times).map(|(w, t)| w * t).sum::<f64>() / sw;
    let (mut skk, mut stt, mut skt, mut skp, mut stp) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        let ph = (x[i] * sum.conj()).arg();
        let dk = ks[i] as f64 - kbar;
        let dt = times[i] - tbar;
        skk += w[i] * dk * dk;
        stt += w[i] * dt * dt;
        skt += w[i] * dk * dt;
        skp += w[i] * dk * ph;
        stp += w[i] * dt * ph;
    }
    let det = skk * stt - skt * skt;
    if det.abs() < 1e-12 * (skk * stt).max(1e-300) {
        // Tones and times collinear (cannot separate): fit τ only.
        if skk <= 0.0 {
            return None;
        }
        return Some((-(skp / skk) / (2.0 * std::f64::consts::PI * dfra), 0.0));
    }
    let b = (skp * stt - stp * skt) / det;
    let c = (stp * skk - skp * skt) / det;
    Some((
        -b / (2.0 * std::f64::consts::PI * dfra),
        c / (2.0 * std::f64::consts::PI),
    ))
}

/// `Σ a_n·b_n` with eight independent partial sums (lets the compiler use packed SIMD; the
/// summation order differs from a plain loop only by rounding).
fn dot(a: &[Complex32], b: &[Complex32]) -> Complex32 {
    let mut re = [0f32; 8];
    let mut im = [0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for j in 0..8 {
            re[j] += x[j].re * y[j].re - x[j].im * y[j].im;
            im[j] += x[j].re * y[j].im + x[j].im * y[j].re;
        }
    }
    let mut acc = Complex32::new(re.iter().sum(), im.iter().sum());
    for (x, y) in ra.iter().zip(rb) {
        acc += x * y;
    }
    acc
}

fn rot(ph: f64) -> num_complex::Complex64 {
    num_complex::Complex64::new(ph.cos(), ph.sin())
}

/// Grid search of `Σ_r |Σ_{i∈rep r} Y_i e^{j2π k_i Δf τ}|²` (coherent inside a repetition of
/// `p` groups, non-coherent across repetitions, so a residual frequency error cannot spoil
/// it) over `τ ∈ [−T_CP/2, T_CP/2)`, then a parabolic refinement around the best grid point.
/// Returns `(τ, metric)`.
fn tau_search(
    yg: &[num_complex::Complex64],
    ks: &[usize],
    dfra: f64,
    f: NprachFormat,
    nra: usize,
    p: usize,
) -> (f64, f64) {
    let kmin = ks.iter().copied().min().unwrap_or(0);
    let kmax = ks.iter().copied().max().unwrap_or(0);
    let width = (kmax - kmin + 1).max(nra);
    // Per repetition, accumulate per tone so each τ costs N_sc operations per repetition.
    let reps = yg.len().div_ceil(p);
    let mut acc = vec![num_complex::Complex64::new(0.0, 0.0); reps * width];
    for (i, (y, &k)) in yg.iter().zip(ks).enumerate() {
        acc[(i / p) * width + (k - kmin)] += *y;
    }
    let eval = |tau: f64| -> f64 {
        let mut total = 0.0;
        // e^{j2π j Δf τ} by recurrence: one sin/cos per τ.
        let w = rot(2.0 * std::f64::consts::PI * dfra * tau);
        for rep in acc.chunks_exact(width) {
            let mut s = num_complex::Complex64::new(0.0, 0.0);
            let mut wj = num_complex::Complex64::new(1.0, 0.0);
            for a in rep {
                s += a * wj;
                wj *= w;
            }
            total += s.norm_sqr();
        }
        total
    };
    let half_cp = f.cp_samples() as f64 / 2.0 / UL_SAMPLE_RATE_HZ;
    // Step: an eighth of the inverse tone aperture.
    let step = 1.0 / (8.0 * nra as f64 * dfra);
    let n = (2.0 * half_cp / step).ceil() as usize;
    let mut best = (0usize, f64::MIN);
    for j in 0..=n {
        let v = eval(-half_cp + j as f64 * step);
        if v > best.1 {
            best = (j, v);
        }
    }
    let t0 = -half_cp + best.0 as f64 * step;
    let vm = eval(t0 - step);
    let vp = eval(t0 + step);
    let den = vm - 2.0 * best.1 + vp;
    let delta = if den < 0.0 {
        (0.5 * (vm - vp) / den).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let tau = t0 + delta * step;
    (tau, eval(tau).max(best.1))
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
