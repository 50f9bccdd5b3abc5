//! UE cell search without prior knowledge: NPSS timing and carrier offset over frequency
//! hypotheses, NSSS → cell identity and frame number modulo 8, then NPBCH.
//!
//! **NPSS** (36.211 §10.2.7.1): every OFDM symbol of the NPSS carries the same sequence (up to
//! the cover code S(l)), so one 128-sample correlation `x_h(t) = Σ r(t+n)·conj(p(n)e^{j2πf_h n/fs})`
//! per frequency hypothesis `f_h` serves all eleven symbols. The detector combines them
//! differentially, `D(τ) = Σ_i S_i S_{i+1}·conj(x(τ+o_i))·x(τ+o_{i+1})`, which removes the
//! unknown carrier phase and keeps the cover-code selectivity; `D` is accumulated over every
//! 10 ms period in the buffer. A 128-sample coherent window loses ≤ 0.5 dB within ±2.5 kHz, so
//! hypotheses 5 kHz apart cover ±55 kHz (raw LEO Doppler at 2 GHz plus oscillator error). The
//! phase of `D` is `2πf·137/fs`, which refines the offset to within the hypothesis cell.
//!
//! **Fine offset**: after removing the coarse offset, the NPSS of every frame is demodulated
//! and the residual offset found by a maximum-likelihood search (±600 Hz, 10 Hz steps) of
//! `Σ_frames |Σ_l c_l·e^{−j2πΔf·t_l}|²` over the eleven per-symbol NPSS correlations `c_l`.
//!
//! **NSSS** (§10.2.7.2): subframe 9 of each candidate frame is equalised with a flat channel
//! estimated on the NPSS and matched coherently over its 132 REs against all 504 identities ×
//! 4 frame variants; frames two apart are combined with the variant advancing by one.

use std::sync::Arc;

use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use super::cell::SAMPLES_PER_FRAME;
use super::npbch::{FrameHint, NPBCH_SUBFRAME, NpbchDecoded, NpbchDecoder};
use super::npss::{
    NPSS_COVER, NPSS_FIRST_SYMBOL, NPSS_LEN, NPSS_SUBFRAME, npss_base_sequence, npss_time_symbol,
};
use super::nsss::{NSSS_FIRST_SYMBOL, NSSS_LEN, NSSS_SUBFRAME, nsss_sequence_variant};
use super::{NUM_CELL_IDS, NcellId};
use crate::error::{PhyError, check_finite_c32};
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid, SYMBOLS_PER_SUBFRAME};
use crate::ofdm::{
    NBIOT_FFT_SIZE, NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME, useful_start,
};

/// Block length of the overlap-save correlator.
const CORR_FFT: usize = 1024;
/// New outputs per block.
const CORR_HOP: usize = CORR_FFT - NBIOT_FFT_SIZE + 1;
/// Span from the start of NPSS symbol 3's useful part to the end of symbol 13's.
const NPSS_SPAN: usize = useful_start(13) + NBIOT_FFT_SIZE - useful_start(NPSS_FIRST_SYMBOL);

/// NPSS search settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpssSearchConfig {
    /// Largest carrier offset searched, ± (Hz).
    pub max_offset_hz: f64,
    /// Spacing of the frequency hypotheses (Hz); ≤ 5 kHz keeps the loss under 0.5 dB.
    pub step_hz: f64,
    /// Detection threshold on the peak-to-mean ratio of `|D|` at the winning hypothesis.
    pub threshold: f32,
}

impl Default for NpssSearchConfig {
    fn default() -> Self {
        NpssSearchConfig {
            max_offset_hz: 55e3,
            step_hz: 5e3,
            threshold: 7.0,
        }
    }
}

/// An NPSS detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpssDetection {
    /// Sample index (within the searched buffer, 0…19199) of a radio-frame boundary.
    pub frame_start: usize,
    /// Estimated carrier offset of the received signal (Hz).
    pub offset_hz: f64,
    /// Peak-to-mean ratio of the detector (the detection statistic).
    pub peak_to_mean: f32,
    /// Number of 10 ms periods combined.
    pub periods: usize,
}

/// NPSS searcher: FFT plans, the reference spectra of all hypotheses and the work buffers are
/// built at construction for buffers of up to `max_len` samples.
pub struct NpssSearcher {
    cfg: NpssSearchConfig,
    max_len: usize,
    fft: Arc<dyn Fft<f32>>,
    ifft: Arc<dyn Fft<f32>>,
    scratch: Vec<Complex32>,
    hyps_hz: Vec<f64>,
    /// conj(FFT(q_h)) per hypothesis.
    refs: Vec<Vec<Complex32>>,
    blocks: Vec<Vec<Complex32>>,
    corr: Vec<Complex32>,
    work: Vec<Complex32>,
    d_acc: Vec<Complex32>,
    p137: Vec<Complex32>,
    p138: Vec<Complex32>,
}

impl std::fmt::Debug for NpssSearcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NpssSearcher")
            .field("cfg", &self.cfg)
            .field("max_len", &self.max_len)
            .finish_non_exhaustive()
    }
}

/// Offsets of the useful parts of NPSS symbols 3…13 relative to symbol 3.
fn npss_offsets() -> [usize; NPSS_LEN] {
    let mut o = [0usize; NPSS_LEN];
    for (i, v) in o.iter_mut().enumerate() {
        *v = useful_start(NPSS_FIRST_SYMBOL + i) - useful_start(NPSS_FIRST_SYMBOL);
    }
    o
}

impl NpssSearcher {
    /// Plans a searcher for buffers of up to `max_len` samples.
    pub fn new(cfg: NpssSearchConfig, max_len: usize) -> Self {
        let mut planner = FftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(CORR_FFT);
        let ifft = planner.plan_fft_inverse(CORR_FFT);
        let scratch = vec![
            Complex32::default();
            fft.get_inplace_scratch_len()
                .max(ifft.get_inplace_scratch_len())
        ];
        let n_h = (cfg.max_offset_hz / cfg.step_hz).floor() as i64;
        let hyps_hz: Vec<f64> = (-n_h..=n_h).map(|i| i as f64 * cfg.step_hz).collect();
        let p = npss_time_symbol();
        let mut refs = Vec::with_capacity(hyps_hz.len());
        let mut buf = vec![Complex32::default(); CORR_FFT];
        let mut sc = scratch.clone();
        for &f in &hyps_hz {
            buf.fill(Complex32::default());
            for (n, v) in p.iter().enumerate() {
                let ph = 2.0 * std::f64::consts::PI * f * n as f64 / NBIOT_SAMPLE_RATE_HZ;
                buf[n] = v * super::cis(ph);
            }
            fft.process_with_scratch(&mut buf, &mut sc);
            refs.push(buf.iter().map(|v| v.conj() / CORR_FFT as f32).collect());
        }
        let n_blocks = max_len.div_ceil(CORR_HOP) + 1;
        NpssSearcher {
            cfg,
            max_len,
            fft,
            ifft,
            scratch,
            hyps_hz,
            refs,
            blocks: vec![vec![Complex32::default(); CORR_FFT]; n_blocks],
            corr: vec![Complex32::default(); n_blocks * CORR_HOP],
            work: vec![Complex32::default(); CORR_FFT],
            d_acc: vec![Complex32::default(); SAMPLES_PER_FRAME],
            p137: vec![Complex32::default(); SAMPLES_PER_FRAME + NPSS_SPAN],
            p138: vec![Complex32::default(); SAMPLES_PER_FRAME + NPSS_SPAN],
        }
    }

    /// The frequency hypotheses searched (Hz).
    pub fn hypotheses_hz(&self) -> &[f64] {
        &self.hyps_hz
    }

    /// Searches `samples` (at least 19200 + 1500 samples, at most the planned length) for the
    /// NPSS.
    ///
    /// # Errors
    /// `Length`/`TooLong` for a buffer outside the planned range, `NonFinite` on NaN/inf,
    /// `NotFound` if no hypothesis passes the threshold.
    pub fn search(&mut self, samples: &[Complex32]) -> Result<NpssDetection, PhyError> {
        let len = samples.len();
        if len > self.max_len {
            return Err(PhyError::TooLong {
                what: "npss search buffer",
                max: self.max_len,
                got: len,
            });
        }
        if len < SAMPLES_PER_FRAME + NPSS_SPAN {
            return Err(PhyError::Length {
                what: "npss search buffer (minimum)",
                expected: SAMPLES_PER_FRAME + NPSS_SPAN,
                got: len,
            });
        }
        check_finite_c32("npss search samples", samples)?;
        // FFT of every input block, shared by all hypotheses
        let n_valid = len - NBIOT_FFT_SIZE + 1;
        let n_blocks = n_valid.div_ceil(CORR_HOP);
        for b in 0..n_blocks {
            let blk = &mut self.blocks[b];
            let t0 = b * CORR_HOP;
            for (i, v) in blk.iter_mut().enumerate() {
                *v = samples.get(t0 + i).copied().unwrap_or_default();
            }
            self.fft.process_with_scratch(blk, &mut self.scratch);
        }
        let offs = npss_offsets();
        let periods = (len - NPSS_SPAN) / SAMPLES_PER_FRAME;
        let mut best = (
            f32::NEG_INFINITY,
            0usize,
            0usize,
            Complex32::default(),
            0.0f32,
        );
        for h in 0..self.hyps_hz.len() {
            let f_h = self.hyps_hz[h];
            for b in 0..n_blocks {
                for ((w, x), r) in self.work.iter_mut().zip(&self.blocks[b]).zip(&self.refs[h]) {
                    *w = x * r;
                }
                self.ifft
                    .process_with_scratch(&mut self.work, &mut self.scratch);
                let t0 = b * CORR_HOP;
                self.corr[t0..t0 + CORR_HOP].copy_from_slice(&self.work[..CORR_HOP]);
            }
            // per-pair correction of the 138-sample spacing at the slot boundary
            let pair_fix: [Complex32; NPSS_LEN - 1] = std::array::from_fn(|i| {
                let extra = (offs[i + 1] - offs[i]) as f64 - 137.0;
                super::cis(-2.0 * std::f64::consts::PI * f_h * extra / NBIOT_SAMPLE_RATE_HZ)
            });
            // lag products P_Δ(t) = conj(x(t))·x(t+Δ), Δ = 137 and 138, for t < n_t (zero
            // beyond), computed once per frame period over the window that period reads, so
            // the buffers stay one frame long whatever the search length
            let n_t = len - NPSS_SPAN + 1;
            let w: [Complex32; NPSS_LEN - 1] =
                std::array::from_fn(|i| pair_fix[i] * (NPSS_COVER[i] * NPSS_COVER[i + 1]));
            let long: [bool; NPSS_LEN - 1] = std::array::from_fn(|i| offs[i + 1] - offs[i] == 138);
            self.d_acc.fill(Complex32::default());
            for m in 0..=periods {
                let base = m * SAMPLES_PER_FRAME;
                for (k, (p137, p138)) in self.p137.iter_mut().zip(&mut self.p138).enumerate() {
                    let t = base + k;
                    (*p137, *p138) = if t < n_t {
                        let a = self.corr[t].conj();
                        (a * self.corr[t + 137], a * self.corr[t + 138])
                    } else {
                        (Complex32::default(), Complex32::default())
                    };
                }
                for (tau, acc) in self.d_acc.iter_mut().enumerate() {
                    let t = base + tau;
                    if t >= n_t {
                        break;
                    }
                    let mut d = Complex32::default();
                    for i in 0..NPSS_LEN - 1 {
                        let p = if long[i] {
                            self.p138[tau + offs[i]]
                        } else {
                            self.p137[tau + offs[i]]
                        };
                        d += p * w[i];
                    }
                    *acc += d;
                }
            }
            let mut sum = 0.0f32;
            let mut peak = (0.0f32, 0usize);
            for (tau, d) in self.d_acc.iter().enumerate() {
                let m = d.norm();
                sum += m;
                if m > peak.0 {
                    peak = (m, tau);
                }
            }
            let mean = sum / SAMPLES_PER_FRAME as f32;
            if peak.0 > best.0 {
                best = (peak.0, h, peak.1, self.d_acc[peak.1], mean);
            }
        }
        let (peak, h, tau, d, mean) = best;
        let ratio = if mean > 0.0 { peak / mean } else { 0.0 };
        if ratio.is_nan() || ratio < self.cfg.threshold {
            return Err(PhyError::NotFound { what: "NPSS" });
        }
        // refine: phase of D = 2π f·137/fs (mod 2π), unwrapped around the hypothesis
        let f_h = self.hyps_hz[h];
        let span_hz = NBIOT_SAMPLE_RATE_HZ / 137.0;
        let f_frac = f64::from(d.arg()) / (2.0 * std::f64::consts::PI) * span_hz;
        let k = ((f_h - f_frac) / span_hz).round();
        let offset_hz = f_frac + k * span_hz;
        let sf5 = useful_start(NPSS_FIRST_SYMBOL) + NPSS_SUBFRAME * SAMPLES_PER_SUBFRAME;
        let frame_start = (tau + SAMPLES_PER_FRAME * 2 - sf5) % SAMPLES_PER_FRAME;
        Ok(NpssDetection {
            frame_start,
            offset_hz,
            peak_to_mean: ratio,
            periods: periods + 1,
        })
    }
}

/// Multiplies `samples` by `e^{−j2π·offset_hz·n/fs}` (removes a carrier offset), in place.
pub fn remove_offset(samples: &mut [Complex32], offset_hz: f64) {
    remove_offset_from(samples, offset_hz, 0);
}

/// [`remove_offset`] on a block of a longer recording whose first sample has index `first`:
/// `e^{−j2π·offset_hz·(first + n)/fs}`, so a recording corrected block by block gets the
/// same samples as corrected whole.
pub fn remove_offset_from(samples: &mut [Complex32], offset_hz: f64, first: u64) {
    let w = -2.0 * std::f64::consts::PI * offset_hz / NBIOT_SAMPLE_RATE_HZ;
    for (n, s) in samples.iter_mut().enumerate() {
        *s *= super::cis(w * (first + n as u64) as f64);
    }
}

/// Maximum-likelihood residual offset (Hz) from the NPSS of every frame in offset-corrected
/// `samples` whose frame boundaries are `frame_start + m·19200`: maximises
/// `Σ_m |Σ_l c_l·e^{−j2πΔf·t_l}|²` over `Δf ∈ [−max_hz, max_hz]` in `step_hz` steps.
///
/// # Errors
/// `NotFound` if no NPSS lies completely inside the buffer; `NonFinite` on NaN/inf.
pub fn npss_fine_offset(
    ofdm: &mut NbiotOfdm,
    samples: &[Complex32],
    frame_start: usize,
    max_hz: f64,
    step_hz: f64,
) -> Result<f64, PhyError> {
    let d = npss_base_sequence();
    let mut grid = ResourceGrid::nbiot_subframe();
    let mut cs: Vec<[Complex32; NPSS_LEN]> = Vec::new();
    let mut f = frame_start % SAMPLES_PER_FRAME;
    loop {
        let s5 = f + NPSS_SUBFRAME * SAMPLES_PER_SUBFRAME;
        if s5 + SAMPLES_PER_SUBFRAME > samples.len() {
            break;
        }
        ofdm.demodulate_subframe(&samples[s5..s5 + SAMPLES_PER_SUBFRAME], &mut grid)?;
        let c: [Complex32; NPSS_LEN] = std::array::from_fn(|i| {
            let sym = grid.symbol(NPSS_FIRST_SYMBOL + i);
            let mut acc = Complex32::default();
            for (y, dk) in sym.iter().zip(d.iter()) {
                acc += y * dk.conj();
            }
            acc * NPSS_COVER[i]
        });
        cs.push(c);
        f += SAMPLES_PER_FRAME;
    }
    if cs.is_empty() {
        return Err(PhyError::NotFound {
            what: "complete NPSS for the fine offset",
        });
    }
    let t: [f64; NPSS_LEN] = std::array::from_fn(|i| {
        (useful_start(NPSS_FIRST_SYMBOL + i) as f64 + 64.0) / NBIOT_SAMPLE_RATE_HZ
    });
    let n = (max_hz / step_hz).round() as i64;
    let mut best = (f32::NEG_INFINITY, 0.0f64);
    for i in -n..=n {
        let df = i as f64 * step_hz;
        let rot: [Complex32; NPSS_LEN] =
            std::array::from_fn(|l| super::cis(-2.0 * std::f64::consts::PI * df * t[l]));
        let mut m = 0.0f32;
        for c in &cs {
            let mut acc = Complex32::default();
            for (a, r) in c.iter().zip(rot.iter()) {
                acc += a * r;
            }
            m += acc.norm_sqr();
        }
        if m > best.0 {
            best = (m, df);
        }
    }
    Ok(best.1)
}

/// An NSSS detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NsssDetection {
    /// The cell identity.
    pub cell: NcellId,
    /// Sample index of the boundary of a frame that carries the NSSS (an even frame).
    pub even_frame_start: usize,
    /// `n_f mod 8` of that frame (from the θ_f variant).
    pub frame_mod8: u8,
    /// Best metric divided by the mean metric over all hypotheses.
    pub peak_to_mean: f32,
}

/// NSSS detector over all 504 identities × 4 frame variants; sequences are generated once.
pub struct NsssDetector {
    seqs: Vec<[Complex32; NSSS_LEN]>,
    ofdm: NbiotOfdm,
    grid: ResourceGrid,
    metrics: Vec<f32>,
}

impl std::fmt::Debug for NsssDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NsssDetector").finish_non_exhaustive()
    }
}

impl Default for NsssDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl NsssDetector {
    /// Generates the 2016 candidate sequences.
    pub fn new() -> Self {
        let mut seqs = Vec::with_capacity(4 * usize::from(NUM_CELL_IDS));
        for id in 0..NUM_CELL_IDS {
            for v in 0..4 {
                let mut d = [Complex32::default(); NSSS_LEN];
                // ids below 504 are valid by construction
                if let Ok(cell) = NcellId::new(id) {
                    nsss_sequence_variant(cell, v, &mut d);
                }
                seqs.push(d);
            }
        }
        NsssDetector {
            seqs,
            ofdm: NbiotOfdm::new(),
            grid: ResourceGrid::nbiot_subframe(),
            metrics: vec![0.0; 2 * 4 * usize::from(NUM_CELL_IDS)],
        }
    }

    /// Flat channel on the NPSS of the subframe starting at `start`: `A·e^{jα(k−5.5)}`.
    fn npss_channel(
        &mut self,
        samples: &[Complex32],
        start: usize,
    ) -> Result<[Complex32; 12], PhyError> {
        self.ofdm.demodulate_subframe(
            &samples[start..start + SAMPLES_PER_SUBFRAME],
            &mut self.grid,
        )?;
        let d = npss_base_sequence();
        let mut hk = [Complex32::default(); NPSS_LEN];
        for (i, &s) in NPSS_COVER.iter().enumerate() {
            let sym = self.grid.symbol(NPSS_FIRST_SYMBOL + i);
            for k in 0..NPSS_LEN {
                hk[k] += sym[k] * d[k].conj() * s;
            }
        }
        let mut acc = Complex32::default();
        for k in 0..NPSS_LEN - 1 {
            acc += hk[k + 1] * hk[k].conj();
        }
        let alpha = acc.arg();
        let mut a = Complex32::default();
        for (k, h) in hk.iter().enumerate() {
            a += h * Complex32::from_polar(1.0, -alpha * (k as f32 - 5.5));
        }
        Ok(std::array::from_fn(|k| {
            a * Complex32::from_polar(1.0, alpha * (k as f32 - 5.5))
        }))
    }

    /// Metric of every (cell, variant) for subframe 9 of the frame starting at `frame`,
    /// added into `metrics[parity]`.
    fn accumulate(
        &mut self,
        samples: &[Complex32],
        frame: usize,
        slot: usize,
        variant_shift: u32,
    ) -> Result<(), PhyError> {
        let h = self.npss_channel(samples, frame + NPSS_SUBFRAME * SAMPLES_PER_SUBFRAME)?;
        let s9 = frame + NSSS_SUBFRAME * SAMPLES_PER_SUBFRAME;
        self.ofdm
            .demodulate_subframe(&samples[s9..s9 + SAMPLES_PER_SUBFRAME], &mut self.grid)?;
        let mut z = [Complex32::default(); NSSS_LEN];
        for l in NSSS_FIRST_SYMBOL..SYMBOLS_PER_SUBFRAME {
            let sym = self.grid.symbol(l);
            for k in 0..NBIOT_SUBCARRIERS {
                z[(l - NSSS_FIRST_SYMBOL) * NBIOT_SUBCARRIERS + k] = sym[k] * h[k].conj();
            }
        }
        let n_cand = 4 * usize::from(NUM_CELL_IDS);
        for c in 0..n_cand {
            let id = c / 4;
            let v = c % 4;
            // this frame is `variant_shift` NSSS periods after the hypothesised first one
            let seq = &self.seqs[id * 4 + (v + variant_shift as usize) % 4];
            // coherent over the 132 REs (the fine offset has been removed)
            let mut acc = Complex32::default();
            for (a, b) in z.iter().zip(seq.iter()) {
                acc += a * b.conj();
            }
            self.metrics[slot * n_cand + c] += acc.norm_sqr();
        }
        Ok(())
    }

    /// Detects the NSSS in offset-corrected `samples` given a frame boundary `frame_start`
    /// (from the NPSS), trying both frame parities.
    ///
    /// # Errors
    /// `NotFound` if the buffer holds no complete frame or no candidate stands out;
    /// `NonFinite` on NaN/inf.
    pub fn detect(
        &mut self,
        samples: &[Complex32],
        frame_start: usize,
    ) -> Result<NsssDetection, PhyError> {
        self.metrics.fill(0.0);
        let n_cand = 4 * usize::from(NUM_CELL_IDS);
        let mut frames = Vec::new();
        let mut f = frame_start % SAMPLES_PER_FRAME;
        while f + SAMPLES_PER_FRAME <= samples.len() {
            frames.push(f);
            f += SAMPLES_PER_FRAME;
        }
        if frames.is_empty() {
            return Err(PhyError::NotFound {
                what: "complete frame for NSSS",
            });
        }
        for (j, &fr) in frames.iter().enumerate() {
            // parity slot p = j mod 2 hypothesises that frames with index ≡ p are even;
            // within it, the k-th such frame has variant + k
            let slot = j % 2;
            self.accumulate(samples, fr, slot, (j / 2) as u32)?;
        }
        let mut best = (f32::NEG_INFINITY, 0usize);
        let mut sum = 0.0f32;
        let used = if frames.len() > 1 { 2 } else { 1 };
        for (i, &m) in self.metrics[..used * n_cand].iter().enumerate() {
            sum += m;
            if m > best.0 {
                best = (m, i);
            }
        }
        let mean = sum / (used * n_cand) as f32;
        let ratio = if mean > 0.0 { best.0 / mean } else { 0.0 };
        if ratio.is_nan() || ratio < 3.0 {
            return Err(PhyError::NotFound { what: "NSSS" });
        }
        let slot = best.1 / n_cand;
        let c = best.1 % n_cand;
        let cell = NcellId::new((c / 4) as u16)?;
        let variant = (c % 4) as u8;
        Ok(NsssDetection {
            cell,
            even_frame_start: frames[slot],
            frame_mod8: 2 * variant,
            peak_to_mean: ratio,
        })
    }
}

/// Result of a full cell search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellSearchResult {
    /// NPSS detection (timing, carrier offset).
    pub npss: NpssDetection,
    /// NSSS detection (cell identity, frame number modulo 8).
    pub nsss: NsssDetection,
    /// MIB-NB that passed the CRC after soft combining the frames of the buffer (up to one
    /// TTI), with the boundary of the first frame combined (the one its `block` and
    /// `frame_mod8` refer to).
    pub mib: Option<(usize, NpbchDecoded)>,
}

impl CellSearchResult {
    /// SFN of the frame that starts at `nsss.even_frame_start`, when the MIB-NB decoded:
    /// from the NPBCH (θ_f present) or from the NPBCH block and the NSSS `n_f mod 8`.
    pub fn sfn_at_even_frame(&self) -> Option<u16> {
        let (start, d) = self.mib?;
        let frames_after =
            (start as i64 - self.nsss.even_frame_start as i64).div_euclid(SAMPLES_PER_FRAME as i64);
        let mod8 = (i64::from(self.nsss.frame_mod8) + frames_after).rem_euclid(8) as u16;
        let sfn_mib = i64::from(d.sfn().unwrap_or(d.block_first_sfn() + mod8));
        Some((sfn_mib - frames_after).rem_euclid(1024) as u16)
    }
}

/// The whole acquisition chain: NPSS search, offset removal, NSSS detection, NPBCH decode.
#[derive(Debug)]
pub struct CellSearcher {
    npss: NpssSearcher,
    nsss: NsssDetector,
    npbch: NpbchDecoder,
    ofdm: NbiotOfdm,
    corrected: Vec<Complex32>,
    grid: ResourceGrid,
}

impl CellSearcher {
    /// Plans a searcher for buffers up to `max_len` samples.
    pub fn new(cfg: NpssSearchConfig, max_len: usize) -> Self {
        CellSearcher {
            npss: NpssSearcher::new(cfg, max_len),
            nsss: NsssDetector::new(),
            npbch: NpbchDecoder::new(),
            ofdm: NbiotOfdm::new(),
            corrected: Vec::with_capacity(max_len),
            grid: ResourceGrid::nbiot_subframe(),
        }
    }

    /// Runs the chain on `samples` (≥ 20.7 ms; two frames or more give the NSSS parity).
    ///
    /// # Errors
    /// As [`NpssSearcher::search`] and [`NsssDetector::detect`].
    pub fn search(&mut self, samples: &[Complex32]) -> Result<CellSearchResult, PhyError> {
        let mut corrected = std::mem::take(&mut self.corrected);
        corrected.clear();
        corrected.extend_from_slice(samples);
        let r = self.search_in_place(&mut corrected);
        self.corrected = corrected;
        r
    }

    /// [`search`](Self::search) without a copy of the buffer: the carrier offset is removed
    /// from `samples` in place (for callers that hold a long buffer and need it no more).
    ///
    /// # Errors
    /// As [`search`](Self::search).
    pub fn search_in_place(
        &mut self,
        samples: &mut [Complex32],
    ) -> Result<CellSearchResult, PhyError> {
        let mut npss = self.npss.search(samples)?;
        remove_offset(samples, npss.offset_hz);
        let fine_hz = npss_fine_offset(&mut self.ofdm, samples, npss.frame_start, 600.0, 10.0)?;
        remove_offset(samples, fine_hz);
        npss.offset_hz += fine_hz;
        let corrected: &[Complex32] = samples;
        let nsss = self.nsss.detect(corrected, npss.frame_start)?;
        // NPBCH: soft-combine the subframes 0 of the buffer over the TTI (n_f mod 8 from the
        // NSSS); try a decode after the first frame and at the end of each 8-frame block.
        let mut mib = None;
        let first_frame = npss.frame_start;
        self.npbch.reset_combining();
        let mut f = first_frame;
        let mut rel = 0u32;
        while f + SAMPLES_PER_SUBFRAME <= corrected.len() {
            let frames_after =
                (f as i64 - nsss.even_frame_start as i64).div_euclid(SAMPLES_PER_FRAME as i64);
            let mod8 = (i64::from(nsss.frame_mod8) + frames_after).rem_euclid(8) as u8;
            let s0 = f + NPBCH_SUBFRAME * SAMPLES_PER_SUBFRAME;
            self.ofdm
                .demodulate_subframe(&corrected[s0..s0 + SAMPLES_PER_SUBFRAME], &mut self.grid)?;
            if self
                .npbch
                .accumulate(&self.grid, nsss.cell, rel, mod8)
                .is_err()
            {
                // beyond one TTI from the first frame: stop combining
                break;
            }
            let last_of_buffer = f + SAMPLES_PER_FRAME + SAMPLES_PER_SUBFRAME > corrected.len();
            let try_now = rel == 0 || mod8 == 7 || last_of_buffer;
            if let Some(d) = try_now
                .then(|| self.npbch.decode_accumulated(nsss.cell).ok())
                .flatten()
            {
                mib = Some((first_frame, d));
                break;
            }
            f += SAMPLES_PER_FRAME;
            rel += 1;
        }
        Ok(CellSearchResult { npss, nsss, mib })
    }
}

/// Fuzz entry point for the downlink receive chain on bytes read as `cf32_le` samples (a wrong
/// or corrupted IQ file); must never panic. Driven by the `phy_dl_rx` cargo-fuzz target and the
/// stable corpus replay test.
///
/// Input: two bytes of cell identity (little-endian, mod 504), then the samples. Two paths:
/// the MIB-NB decode straight on the first subframe of the samples (zero-padded to 1 ms) for
/// that cell, then the whole [`CellSearcher`] chain (NPSS, NSSS, NPBCH) on the samples repeated
/// to two frames and a subframe, so inputs of the few kilobytes a fuzzer mutates still reach
/// the search.
pub fn fuzz_receive(data: &[u8]) {
    const LEN: usize = 2 * SAMPLES_PER_FRAME + SAMPLES_PER_SUBFRAME;
    let Some((id, iq)) = data.split_first_chunk::<2>() else {
        return;
    };
    let raw: Vec<Complex32> = iq
        .chunks_exact(8)
        .take(LEN)
        .map(|b| {
            Complex32::new(
                f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                f32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            )
        })
        .collect();
    if raw.is_empty() {
        return;
    }
    let mut subframe = vec![Complex32::default(); SAMPLES_PER_SUBFRAME];
    for (d, s) in subframe.iter_mut().zip(&raw) {
        *d = *s;
    }
    let mut grid = ResourceGrid::nbiot_subframe();
    let cell = NcellId::new(u16::from_le_bytes(*id) % NUM_CELL_IDS);
    if let (Ok(()), Ok(cell)) = (
        NbiotOfdm::new().demodulate_subframe(&subframe, &mut grid),
        cell,
    ) {
        let _ = NpbchDecoder::new().decode_subframe(&grid, cell, FrameHint::Unknown);
    }
    let tiled: Vec<Complex32> = raw.iter().cycle().take(LEN).copied().collect();
    let _ = CellSearcher::new(NpssSearchConfig::default(), LEN).search(&tiled);
}
