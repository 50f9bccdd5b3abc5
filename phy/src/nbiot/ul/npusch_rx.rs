//! Cell-side NPUSCH receiver (formats 1 and 2).
//!
//! Steps, all on the DMRS of [`super::dmrs`]:
//! 1. Per-tone SC-FDMA demodulation of every symbol with the window half a prefix early.
//! 2. Residual timing (3, 6, 12 tones): the DMRS phase slope across tones,
//!    `δ = −arg(Σ H_{k+1}·H_k^*)·f_s/(2πΔf)` samples (unambiguous within ±64 samples at 15 kHz),
//!    refined on the phase across 2, 4 and 8 tones;
//!    the symbols are demodulated again with the window moved by `round(δ)`. A single tone
//!    carries no timing information, so single-tone and format-2 reports have none.
//! 3. Residual frequency: the DMRS phase advance from slot to slot,
//!    `f = arg(Σ_j h_{j+1}·h_j^*)/(2π·T_slot)` (unambiguous within ±1 kHz at 15 kHz, ±250 Hz at
//!    3.75 kHz), removed from every symbol. For a single tone the alias is chosen with a coarse
//!    power-law estimate from neighbouring symbols (range ±455 Hz for π/4-QPSK, ±909 Hz for
//!    π/2-BPSK at 3.75 kHz) when the SNR makes that estimate reliable.
//! 4. Channel estimation: the DMRS of each slot averaged over a sliding window of slots
//!    (`chest_half_window_s` either side), linearly interpolated between slots for the data
//!    symbols; noise variance from the DMRS residual.
//! 5. Zero-forcing equalisation, transform decoding (multi-tone), soft demapping
//!    (π/2-BPSK, π/4-QPSK after removing the known rotation, QPSK), LLR combining of the
//!    `M_identical` copies, descrambling, de-interleaving, de-rate-matching with each block's
//!    redundancy version into one soft buffer, turbo decoding with CRC-24A early stopping
//!    (format 1) or the sum of the 16 ACK bits (format 2).
//!
//! Input: `rx[margin + n]` is sample `n` of the transmission as scheduled (the cell's expected
//! arrival); `margin` = [`NpuschRxConfig::margin_samples`] on both sides.

use num_complex::Complex32;

use crate::crc::CrcKind;
use crate::error::{PhyError, check_finite_c32, check_len};
use crate::modulation::qpsk_demap;
use crate::scrambling::descramble_llrs;
use crate::turbo::{TurboDecodeOptions, TurboDecoder, TurboRateMatcher};

use super::UL_SAMPLE_RATE_HZ;
use super::npusch::{
    NpuschConfig, NpuschFormat, NpuschParams, UlSlot, channel_deinterleave, npusch_c_init,
};
use super::scfdma::{UlDemod, idft_decode};

/// Receiver options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpuschRxConfig {
    /// Samples of margin before and after the nominal transmission in the input buffer.
    pub margin_samples: usize,
    /// Half-width of the channel-estimation averaging window, seconds.
    pub chest_half_window_s: f64,
    /// Maximum turbo iterations.
    pub max_iterations: u32,
}

impl Default for NpuschRxConfig {
    fn default() -> Self {
        NpuschRxConfig {
            margin_samples: 16,
            chest_half_window_s: 2e-3,
            max_iterations: 8,
        }
    }
}

/// What one reception measured and decoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpuschRxReport {
    /// Format 1: the transport block CRC passed. Format 2: always `true`.
    pub crc_ok: bool,
    /// Format 2: the decoded HARQ-ACK (`true` = ACK).
    pub ack: Option<bool>,
    /// Residual timing offset (positive = later than scheduled), seconds; `None` for a
    /// single tone.
    pub timing_offset_s: Option<f64>,
    /// Residual carrier frequency offset, Hz.
    pub freq_offset_hz: f64,
    /// Post-estimation SNR per resource element, dB.
    pub snr_db: f32,
    /// Turbo iterations run (format 1).
    pub iterations: u32,
}

/// The NPUSCH receiver, planned once per configuration; all buffers are allocated here.
#[derive(Debug, Clone)]
pub struct NpuschRx {
    p: NpuschParams,
    opts: NpuschRxConfig,
    demod: UlDemod,
    decoder: Option<TurboDecoder>,
    matcher: Option<TurboRateMatcher>,
    phases: Vec<f64>,
    /// Demodulated REs, slot-major, `7·N_sc` per slot.
    y: Vec<Complex32>,
    /// DMRS reference values, slot-major, `n_dmrs·N_sc` per slot.
    dmrs_ref: Vec<Complex32>,
    /// Raw DMRS channel estimate per slot and tone (averaged over the slot's DMRS symbols).
    h_raw: Vec<Complex32>,
    /// Smoothed channel per slot and tone.
    h: Vec<Complex32>,
    block_llr: Vec<f32>,
    deint: Vec<f32>,
    soft: Vec<f32>,
    hard: Vec<u8>,
    eq: Vec<Complex32>,
    nv: Vec<f32>,
    llr_tmp: Vec<f32>,
    /// Noise variance per resource element from the last front end.
    noise_var: f32,
}

impl NpuschRx {
    /// Plans a receiver.
    ///
    /// # Errors
    /// As [`NpuschParams::new`]; `OutOfRange` for a zero iteration count or a margin above
    /// 64 samples.
    pub fn new(cfg: NpuschConfig, opts: NpuschRxConfig) -> Result<Self, PhyError> {
        let p = NpuschParams::new(cfg)?;
        if opts.max_iterations == 0
            || opts.margin_samples > 64
            || !opts.chest_half_window_s.is_finite()
        {
            return Err(PhyError::OutOfRange {
                what: "NPUSCH receiver options",
                value: opts.margin_samples as i64,
            });
        }
        let (decoder, matcher) = if cfg.format == NpuschFormat::Data {
            (
                Some(TurboDecoder::new(p.k)?),
                Some(TurboRateMatcher::new(p.k, p.filler)?),
            )
        } else {
            (None, None)
        };
        let phases = p.single_tone_phase_table();
        let n_sc = cfg.n_sc;
        let slots = p.total_slots;
        Ok(NpuschRx {
            demod: UlDemod::new(cfg.spacing.numerology(), cfg.first_subcarrier, n_sc),
            decoder,
            matcher,
            phases,
            y: vec![Complex32::default(); 7 * n_sc * slots],
            dmrs_ref: vec![Complex32::default(); p.dmrs_symbols.len() * n_sc * slots],
            h_raw: vec![Complex32::default(); n_sc * slots],
            h: vec![Complex32::default(); n_sc * slots],
            block_llr: vec![0.0; p.g],
            deint: vec![0.0; p.g],
            soft: vec![0.0; 3 * (p.k + 4)],
            hard: vec![0; p.k],
            eq: vec![Complex32::default(); n_sc],
            nv: vec![0.0; n_sc],
            llr_tmp: vec![0.0; 2 * n_sc],
            noise_var: 1.0,
            p,
            opts,
        })
    }

    /// The derived parameters.
    pub fn params(&self) -> &NpuschParams {
        &self.p
    }

    /// Input length: the transmission plus the margin on both sides.
    pub fn input_len(&self) -> usize {
        self.p.total_samples() + 2 * self.opts.margin_samples
    }

    /// Receives a format-1 transmission that started at `start`; writes the transport block
    /// (`tbs` bits) into `tb_out` (meaningful when the report's `crc_ok` is set).
    ///
    /// # Errors
    /// `Length` for wrong buffer sizes, `NonFinite` for NaN/inf samples, `OutOfRange` on a
    /// format-2 receiver.
    pub fn receive_data(
        &mut self,
        rx: &[Complex32],
        start: UlSlot,
        tb_out: &mut [u8],
    ) -> Result<NpuschRxReport, PhyError> {
        if self.p.cfg.format != NpuschFormat::Data {
            return Err(PhyError::OutOfRange {
                what: "receive_data on an NPUSCH format 2 receiver",
                value: 2,
            });
        }
        check_len("NPUSCH transport block output", self.p.tbs, tb_out.len())?;
        let mut report = self.front_end(rx, start)?;
        self.soft.fill(0.0);
        self.combine(start, |rx, b, block| {
            let rm = rx.matcher.as_ref().ok_or(PhyError::NotFound {
                what: "rate matcher",
            })?;
            channel_deinterleave(block, rx.p.qm, rx.p.cfg.n_sc, &mut rx.deint);
            rm.de_rate_match(&rx.deint, rx.p.block_rv(b), &mut rx.soft)
        })?;
        let dec = self.decoder.as_mut().ok_or(PhyError::NotFound {
            what: "turbo decoder",
        })?;
        let stats = dec.decode(
            &self.soft,
            &TurboDecodeOptions {
                max_iterations: self.opts.max_iterations,
                crc: Some(CrcKind::Crc24A),
                filler: self.p.filler,
            },
            &mut self.hard,
        )?;
        let f = self.p.filler;
        tb_out.copy_from_slice(&self.hard[f..f + self.p.tbs]);
        // All-zero soft bits (silence) decode to the all-zero block, whose CRC passes: that is
        // no transmission, not a transport block.
        let silent = self.soft.iter().all(|&v| v == 0.0);
        report.crc_ok = stats.crc_ok == Some(true) && !silent;
        report.iterations = stats.iterations;
        Ok(report)
    }

    /// Receives a format-2 (HARQ-ACK) transmission that started at `start`.
    ///
    /// # Errors
    /// As [`Self::receive_data`] (on a format-1 receiver).
    pub fn receive_ack(
        &mut self,
        rx: &[Complex32],
        start: UlSlot,
    ) -> Result<NpuschRxReport, PhyError> {
        if self.p.cfg.format != NpuschFormat::Ack {
            return Err(PhyError::OutOfRange {
                what: "receive_ack on an NPUSCH format 1 receiver",
                value: 1,
            });
        }
        let mut report = self.front_end(rx, start)?;
        let mut sum = 0.0f32;
        self.combine(start, |_, _, block| {
            sum += block.iter().sum::<f32>();
            Ok(())
        })?;
        // Positive LLR means bit 0 (NACK).
        report.ack = Some(sum < 0.0);
        report.crc_ok = true;
        Ok(report)
    }

    /// Demodulation, timing and frequency estimation, channel estimation.
    fn front_end(&mut self, rx: &[Complex32], start: UlSlot) -> Result<NpuschRxReport, PhyError> {
        check_len("NPUSCH receiver input", self.input_len(), rx.len())?;
        check_finite_c32("NPUSCH receiver input", rx)?;
        let p = self.p.clone();
        let n_sc = p.cfg.n_sc;
        let n_d = p.dmrs_symbols.len();
        let spacing = p.cfg.spacing;
        let num = spacing.numerology();
        let fs = UL_SAMPLE_RATE_HZ;
        // DMRS references.
        for j in 0..p.total_slots {
            let slot = start.advance(spacing, j);
            let r = &mut self.dmrs_ref[j * n_d * n_sc..(j + 1) * n_d * n_sc];
            p.dmrs_for_slot(j, slot, p.ru_first_slot(start, j), r)?;
        }
        // 1–2: demodulate, estimate timing, demodulate again if moved.
        self.demodulate_all(rx, 0);
        self.raw_channel();
        let mut timing = None;
        if n_sc > 1 {
            let mut acc = Complex32::default();
            for hj in self.h_raw.chunks_exact(n_sc) {
                for k in 0..n_sc - 1 {
                    acc += hj[k + 1] * hj[k].conj();
                }
            }
            let w = 2.0 * std::f64::consts::PI * num.spacing_hz() / fs;
            let mut delta = -f64::from(acc.arg()) / w;
            // Refine on wider tone spacings (lags 2, 4, 8 up to 2/3 of the tones): the phase
            // grows with the lag, the noise does not; each stage resolves the next one's
            // ambiguity.
            for lag in [2usize, 4, 8].into_iter().filter(|&l| 3 * l <= 2 * n_sc) {
                let mut r = Complex32::default();
                for hj in self.h_raw.chunks_exact(n_sc) {
                    for k in 0..n_sc - lag {
                        r += hj[k + lag] * hj[k].conj();
                    }
                }
                let predicted = -w * lag as f64 * delta;
                let err = (f64::from(r.arg()) - predicted + std::f64::consts::PI)
                    .rem_euclid(2.0 * std::f64::consts::PI)
                    - std::f64::consts::PI;
                delta -= err / (w * lag as f64);
            }
            let shift =
                (delta.round() as i64).clamp(-self.demod.max_shift(), self.demod.max_shift());
            if shift != 0 {
                self.demodulate_all(rx, shift);
                self.raw_channel();
            }
            timing = Some(delta / fs);
        }
        // 3: frequency offset from slot-to-slot DMRS phase.
        let mut acc = Complex32::default();
        for j in 0..p.total_slots.saturating_sub(1) {
            let a = &self.h_raw[j * n_sc..(j + 1) * n_sc];
            let b = &self.h_raw[(j + 1) * n_sc..(j + 2) * n_sc];
            for (x, y) in a.iter().zip(b) {
                acc += y * x.conj();
            }
        }
        let t_slot = num.slot_samples() as f64 / fs;
        let mut freq = if acc.norm() > 0.0 {
            f64::from(acc.arg()) / (2.0 * std::f64::consts::PI * t_slot)
        } else {
            0.0
        };
        if n_sc == 1 {
            // The slot-to-slot estimate is ambiguous by multiples of 1/T_slot (500 Hz at
            // 3.75 kHz); pick the alias nearest a coarse estimate from neighbouring symbols
            // inside each slot when that one is reliable.
            if let Some(coarse) = self.coarse_single_tone_freq() {
                let span = 1.0 / t_slot;
                freq += ((coarse - freq) / span).round() * span;
            }
        }
        for j in 0..p.total_slots {
            for l in 0..7 {
                let t = (j * num.slot_samples() + num.useful_start(l) + num.n() / 2) as f64 / fs;
                let ph = -2.0 * std::f64::consts::PI * freq * t;
                let rot = Complex32::new(ph.cos() as f32, ph.sin() as f32);
                for v in &mut self.y[(j * 7 + l) * n_sc..(j * 7 + l + 1) * n_sc] {
                    *v *= rot;
                }
            }
        }
        self.raw_channel();
        // 4: smoothing window, noise from the DMRS residual.
        let half = ((self.opts.chest_half_window_s / t_slot).round() as usize).min(p.total_slots);
        let slots = p.total_slots;
        for j in 0..slots {
            let lo = j.saturating_sub(half);
            let hi = (j + half + 1).min(slots);
            for k in 0..n_sc {
                let s: Complex32 = (lo..hi).map(|jj| self.h_raw[jj * n_sc + k]).sum();
                self.h[j * n_sc + k] = s / (hi - lo) as f32;
            }
        }
        let mut res = 0.0f64;
        let mut count = 0usize;
        let mut sig = 0.0f64;
        for j in 0..slots {
            let lo = j.saturating_sub(half);
            let hi = (j + half + 1).min(slots);
            let n_avg = ((hi - lo) * n_d) as f64;
            let corr = if n_avg > 1.0 { 1.0 - 1.0 / n_avg } else { 1.0 };
            for (d, &l) in p.dmrs_symbols.iter().enumerate() {
                for k in 0..n_sc {
                    let r = self.dmrs_ref[(j * n_d + d) * n_sc + k];
                    let hr = self.y[(j * 7 + l) * n_sc + k] * r.conj();
                    let h = self.h[j * n_sc + k];
                    res += f64::from((hr - h).norm_sqr()) / corr;
                    sig += f64::from(h.norm_sqr());
                    count += 1;
                }
            }
        }
        let noise = (res / count as f64).max(1e-9);
        let snr = sig / count as f64 / noise;
        self.noise_var = noise as f32;
        Ok(NpuschRxReport {
            crc_ok: false,
            ack: None,
            timing_offset_s: timing,
            freq_offset_hz: freq,
            snr_db: (10.0 * snr.max(1e-12).log10()) as f32,
            iterations: 0,
        })
    }

    /// Single tone: the carrier offset from the phase advance between neighbouring symbols of a
    /// slot after stripping the modulation with a power law (squares for π/2-BPSK and the
    /// DMRS, fourth powers when the data are π/4-QPSK). Unambiguous within ±1/(2·P·Δt)
    /// (±909 Hz / ±455 Hz at 3.75 kHz); `None` when the symbols are too noisy to trust
    /// (coherence of the products below ½).
    fn coarse_single_tone_freq(&self) -> Option<f64> {
        let p = &self.p;
        let num = p.cfg.spacing.numerology();
        let power = if p.qm == 1 { 2 } else { 4 };
        let n_d = p.dmrs_symbols.len();
        // DMRS symbols (format 2 carries complex covers) are turned into the BPSK point
        // (1+j)/√2 by their known value.
        let s0 = Complex32::new(
            std::f32::consts::FRAC_1_SQRT_2,
            std::f32::consts::FRAC_1_SQRT_2,
        );
        let sym = |j: usize, l: usize| {
            let y = self.y[j * 7 + l];
            match p.dmrs_symbols.iter().position(|&d| d == l) {
                Some(d) => y * self.dmrs_ref[j * n_d + d].conj() * s0,
                None => y,
            }
        };
        let mut acc = Complex32::default();
        let mut mag = 0.0f32;
        for j in 0..p.total_slots {
            for l in 0..6 {
                let a = sym(j, l).powu(power);
                let b = sym(j, l + 1).powu(power);
                let z = b * a.conj();
                acc += z;
                mag += z.norm();
            }
        }
        if mag <= 0.0 || acc.norm() < 0.5 * mag {
            return None;
        }
        let dt = (num.n() + num.cp(1)) as f64 / UL_SAMPLE_RATE_HZ;
        Some(f64::from(acc.arg()) / (2.0 * std::f64::consts::PI * f64::from(power) * dt))
    }

    fn demodulate_all(&mut self, rx: &[Complex32], shift: i64) {
        let p = &self.p;
        let n_sc = p.cfg.n_sc;
        let num = p.cfg.spacing.numerology();
        let m = self.opts.margin_samples as i64;
        for j in 0..p.total_slots {
            for l in 0..7 {
                let n_us = m + (j * num.slot_samples() + num.useful_start(l)) as i64;
                let out = &mut self.y[(j * 7 + l) * n_sc..(j * 7 + l + 1) * n_sc];
                self.demod.demodulate(rx, n_us, num.cp(l), shift, out);
                if n_sc == 1 {
                    let ph = -self.phases[j * 7 + l];
                    out[0] *= Complex32::new(ph.cos() as f32, ph.sin() as f32);
                }
            }
        }
    }

    /// `h_raw[j][k]` = mean over the slot's DMRS symbols of `Y·r^*`.
    fn raw_channel(&mut self) {
        let p = &self.p;
        let n_sc = p.cfg.n_sc;
        let n_d = p.dmrs_symbols.len();
        for j in 0..p.total_slots {
            for k in 0..n_sc {
                let mut s = Complex32::default();
                for (d, &l) in p.dmrs_symbols.iter().enumerate() {
                    s += self.y[(j * 7 + l) * n_sc + k]
                        * self.dmrs_ref[(j * n_d + d) * n_sc + k].conj();
                }
                self.h_raw[j * n_sc + k] = s / n_d as f32;
            }
        }
    }

    /// Equalises and demaps every slot, combines the LLRs of each repetition block, and hands
    /// each descrambled block (`G` LLRs) with its index to `sink`.
    fn combine<F>(&mut self, start: UlSlot, mut sink: F) -> Result<(), PhyError>
    where
        F: FnMut(&mut Self, usize, &[f32]) -> Result<(), PhyError>,
    {
        let p = self.p.clone();
        let n_sc = p.cfg.n_sc;
        let qm = p.qm;
        let per_slot = p.data_symbols * n_sc;
        let noise = self.noise_var;
        let mut block = std::mem::take(&mut self.block_llr);
        block.fill(0.0);
        let d_l = p.dmrs_symbols[p.dmrs_symbols.len() / 2] as f32;
        for j in 0..p.total_slots {
            let (b, q) = p.slot_source(j);
            let mut t = 0;
            for l in 0..7 {
                if p.is_dmrs(l) {
                    continue;
                }
                // Linear interpolation towards the neighbouring slot's DMRS.
                let x = (l as f32 - d_l) / 7.0;
                let nb = if x < 0.0 {
                    j.checked_sub(1)
                } else if j + 1 < p.total_slots {
                    Some(j + 1)
                } else {
                    None
                };
                for k in 0..n_sc {
                    let h0 = self.h[j * n_sc + k];
                    let h = match nb {
                        Some(jn) => h0 * (1.0 - x.abs()) + self.h[jn * n_sc + k] * x.abs(),
                        None => h0,
                    };
                    let y = self.y[(j * 7 + l) * n_sc + k];
                    let g = h.norm_sqr().max(1e-12);
                    self.eq[k] = y * h.conj() / g;
                    self.nv[k] = noise / g;
                }
                let nv_sym = if n_sc > 1 {
                    let m = self.nv.iter().sum::<f32>() / n_sc as f32;
                    let z = self.eq.clone();
                    idft_decode(&z, &mut self.eq);
                    self.nv.fill(m);
                    m
                } else {
                    self.nv[0]
                };
                let pos = (q * per_slot + t * n_sc) * qm;
                let dst = &mut block[pos..pos + n_sc * qm];
                if qm == 1 {
                    let g = 2.0 * std::f32::consts::SQRT_2 / nv_sym;
                    for (o, e) in dst.iter_mut().zip(&self.eq) {
                        *o += g * (e.re + e.im);
                    }
                } else {
                    qpsk_demap(&self.eq, &self.nv, &mut self.llr_tmp[..2 * n_sc])?;
                    for (o, v) in dst.iter_mut().zip(&self.llr_tmp) {
                        *o += v;
                    }
                }
                t += 1;
            }
            let block_end = j + 1 == p.total_slots || p.slot_source(j + 1).0 != b;
            if block_end {
                let first = start.advance(p.cfg.spacing, b * p.block_slots());
                descramble_llrs(&mut block, npusch_c_init(p.cfg.rnti, first, p.cfg.n_id), 0);
                let res = sink(self, b, &block);
                block.fill(0.0);
                if let Err(e) = res {
                    self.block_llr = block;
                    return Err(e);
                }
            }
        }
        self.block_llr = block;
        Ok(())
    }
}
