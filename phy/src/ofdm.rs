//! NB-IoT downlink OFDM at 1.92 Msps, 36.211 §10.2.8.
//!
//! The spec signal of symbol `l` is `s_l(t) = Σ_k a_{k(−),l}·e^{j2π(k+½)Δf(t − N_CP,l·Ts)}`,
//! `k = −6…5`, `0 ≤ t < (N_CP,l + N)·Ts`: RE `k' = k + 6` sits at `(k' − 5.5)·15 kHz`, and the
//! half-tone phase is referenced to the end of each symbol's cyclic prefix. At 1.92 Msps
//! (FFT size 128) the CPs are 10 samples (first symbol of each slot) and 9 samples (others);
//! a subframe is 1920 samples. Because of the half-tone shift the CP is the *negated* copy of
//! the symbol tail (`e^{jπ(n−128)/128} = −e^{jπn/128}`), which this module reproduces exactly.
//!
//! Scaling: the modulator evaluates the sum above without normalisation (so an NPSS symbol of
//! 11 unit-modulus REs has mean power 11); the demodulator divides by 128, so
//! demodulate(modulate(grid)) = grid.

use std::sync::Arc;

use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use crate::error::{PhyError, check_finite_c32, check_len};
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid, SYMBOLS_PER_SLOT, SYMBOLS_PER_SUBFRAME};

/// Sample rate used for NB-IoT, samples per second.
pub const NBIOT_SAMPLE_RATE_HZ: f64 = 1.92e6;
/// Subcarrier spacing Δf.
pub const NBIOT_SUBCARRIER_SPACING_HZ: f64 = 15e3;
/// FFT size at 1.92 Msps.
pub const NBIOT_FFT_SIZE: usize = 128;
/// Samples per subframe (1 ms) at 1.92 Msps.
pub const SAMPLES_PER_SUBFRAME: usize = 1920;
/// Samples per slot (0.5 ms).
pub const SAMPLES_PER_SLOT: usize = 960;

/// Cyclic-prefix length in samples of symbol `l` (0…13) of a subframe: 10 for the first
/// symbol of each slot, 9 otherwise (160·128/2048 and 144·128/2048 rounded up).
pub const fn cp_len(l: usize) -> usize {
    if l.is_multiple_of(SYMBOLS_PER_SLOT) {
        10
    } else {
        9
    }
}

/// Offset from the subframe start to the first sample of symbol `l` (its CP).
pub const fn symbol_start(l: usize) -> usize {
    let slot = l / SYMBOLS_PER_SLOT;
    let li = l % SYMBOLS_PER_SLOT;
    let within = if li == 0 { 0 } else { 138 + (li - 1) * 137 };
    slot * SAMPLES_PER_SLOT + within
}

/// Offset from the subframe start to the first sample after the CP of symbol `l`.
pub const fn useful_start(l: usize) -> usize {
    symbol_start(l) + cp_len(l)
}

/// FFT bin of RE `k'` (0…11): frequency `(k' − 6)·Δf` after the half-tone shift is removed.
#[inline]
pub const fn re_bin(k: usize) -> usize {
    (k + NBIOT_FFT_SIZE - 6) % NBIOT_FFT_SIZE
}

/// NB-IoT OFDM modulator and demodulator with its FFT plans and scratch built once.
pub struct NbiotOfdm {
    ifft: Arc<dyn Fft<f32>>,
    fft: Arc<dyn Fft<f32>>,
    buf: Vec<Complex32>,
    scratch: Vec<Complex32>,
    /// `e^{jπn/128}` for `n = −10…127` at index `n + 10`.
    half_shift: Vec<Complex32>,
}

impl std::fmt::Debug for NbiotOfdm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NbiotOfdm").finish_non_exhaustive()
    }
}

impl Default for NbiotOfdm {
    fn default() -> Self {
        Self::new()
    }
}

impl NbiotOfdm {
    /// Plans the 128-point FFTs and allocates scratch.
    pub fn new() -> Self {
        let mut planner = FftPlanner::<f32>::new();
        let ifft = planner.plan_fft_inverse(NBIOT_FFT_SIZE);
        let fft = planner.plan_fft_forward(NBIOT_FFT_SIZE);
        let scratch_len = ifft
            .get_inplace_scratch_len()
            .max(fft.get_inplace_scratch_len());
        let half_shift = (-10i32..128)
            .map(|n| {
                let ph = std::f64::consts::PI * f64::from(n) / NBIOT_FFT_SIZE as f64;
                Complex32::new(ph.cos() as f32, ph.sin() as f32)
            })
            .collect();
        NbiotOfdm {
            ifft,
            fft,
            buf: vec![Complex32::default(); NBIOT_FFT_SIZE],
            scratch: vec![Complex32::default(); scratch_len],
            half_shift,
        }
    }

    /// Modulates one OFDM symbol `l` (0…13, which sets the CP length) from its 12 REs into
    /// `out` (`cp_len(l) + 128` samples).
    ///
    /// # Panics
    /// If `res.len() != 12` or `out.len() != cp_len(l) + 128` (caller bugs).
    pub fn modulate_symbol(&mut self, res: &[Complex32], l: usize, out: &mut [Complex32]) {
        let cp = cp_len(l);
        assert_eq!(res.len(), NBIOT_SUBCARRIERS, "modulate_symbol: 12 REs");
        assert_eq!(
            out.len(),
            cp + NBIOT_FFT_SIZE,
            "modulate_symbol: output CP+128"
        );
        self.buf.fill(Complex32::default());
        for (k, &a) in res.iter().enumerate() {
            self.buf[re_bin(k)] = a;
        }
        self.ifft
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        for (i, o) in out.iter_mut().enumerate() {
            // n = i − cp runs from −cp to 127
            let n = i as isize - cp as isize;
            let idx = n.rem_euclid(NBIOT_FFT_SIZE as isize) as usize;
            *o = self.buf[idx] * self.half_shift[(n + 10) as usize];
        }
    }

    /// Modulates a 12 × 14 subframe grid into 1920 samples.
    ///
    /// # Panics
    /// If the grid is not 12 × 14 or `out.len() != 1920` (caller bugs).
    pub fn modulate_subframe(&mut self, grid: &ResourceGrid, out: &mut [Complex32]) {
        assert_eq!(
            (grid.n_subcarriers(), grid.n_symbols()),
            (NBIOT_SUBCARRIERS, SYMBOLS_PER_SUBFRAME),
            "modulate_subframe: NB-IoT subframe grid"
        );
        assert_eq!(
            out.len(),
            SAMPLES_PER_SUBFRAME,
            "modulate_subframe: 1920 samples"
        );
        for l in 0..SYMBOLS_PER_SUBFRAME {
            let s = symbol_start(l);
            let e = s + cp_len(l) + NBIOT_FFT_SIZE;
            self.modulate_symbol(grid.symbol(l), l, &mut out[s..e]);
        }
    }

    /// Demodulates the 128 samples after the CP of one symbol into its 12 REs.
    ///
    /// # Errors
    /// `Length` if `useful.len() != 128` or `out.len() != 12`; `NonFinite` on NaN/inf.
    pub fn demodulate_symbol(
        &mut self,
        useful: &[Complex32],
        out: &mut [Complex32],
    ) -> Result<(), PhyError> {
        check_len("demodulate_symbol samples", NBIOT_FFT_SIZE, useful.len())?;
        check_len("demodulate_symbol REs", NBIOT_SUBCARRIERS, out.len())?;
        check_finite_c32("demodulate_symbol samples", useful)?;
        for (n, (b, &x)) in self.buf.iter_mut().zip(useful).enumerate() {
            *b = x * self.half_shift[n + 10].conj();
        }
        self.fft
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        let scale = 1.0 / NBIOT_FFT_SIZE as f32;
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.buf[re_bin(k)] * scale;
        }
        Ok(())
    }

    /// Demodulates one subframe (1920 samples starting at the subframe boundary) into `grid`.
    ///
    /// # Errors
    /// `Length` if `samples.len() != 1920` or the grid is not 12 × 14; `NonFinite` on NaN/inf.
    pub fn demodulate_subframe(
        &mut self,
        samples: &[Complex32],
        grid: &mut ResourceGrid,
    ) -> Result<(), PhyError> {
        check_len(
            "demodulate_subframe samples",
            SAMPLES_PER_SUBFRAME,
            samples.len(),
        )?;
        check_len(
            "demodulate_subframe grid symbols",
            SYMBOLS_PER_SUBFRAME,
            grid.n_symbols(),
        )?;
        check_len(
            "demodulate_subframe grid subcarriers",
            NBIOT_SUBCARRIERS,
            grid.n_subcarriers(),
        )?;
        for l in 0..SYMBOLS_PER_SUBFRAME {
            let u = useful_start(l);
            self.demodulate_symbol(&samples[u..u + NBIOT_FFT_SIZE], grid.symbol_mut(l))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_layout() {
        assert_eq!(useful_start(0), 10);
        assert_eq!(useful_start(3), 421);
        assert_eq!(symbol_start(7), 960);
        assert_eq!(symbol_start(13) + cp_len(13) + 128, 1920);
    }

    #[test]
    fn roundtrip_and_negated_cp() {
        let mut ofdm = NbiotOfdm::new();
        let mut grid = ResourceGrid::nbiot_subframe();
        for l in 0..14 {
            for k in 0..12 {
                let v = ((l * 12 + k) as f32 * 0.37).sin();
                grid.set(k, l, Complex32::new(v, 1.0 - v));
            }
        }
        let mut sf = vec![Complex32::default(); 1920];
        ofdm.modulate_subframe(&grid, &mut sf);
        // CP = −(tail of the useful part)
        for l in [0usize, 1, 7, 13] {
            let s = symbol_start(l);
            let cp = cp_len(l);
            for i in 0..cp {
                let d = sf[s + i] + sf[s + 128 + i];
                assert!(d.norm() < 1e-4, "symbol {l} CP sample {i}");
            }
        }
        let mut back = ResourceGrid::nbiot_subframe();
        ofdm.demodulate_subframe(&sf, &mut back).unwrap();
        for (a, b) in grid.as_slice().iter().zip(back.as_slice()) {
            assert!((a - b).norm() < 1e-5);
        }
        sf[100] = Complex32::new(f32::NAN, 0.0);
        assert!(matches!(
            ofdm.demodulate_subframe(&sf, &mut back),
            Err(PhyError::NonFinite { .. })
        ));
        assert!(matches!(
            ofdm.demodulate_subframe(&sf[1..], &mut back),
            Err(PhyError::Length { .. })
        ));
    }

    #[test]
    fn tone_frequency_has_half_shift() {
        // RE k' = 11 alone: after the CP, s(n) = e^{j2π(11 − 5.5)n/128}.
        let mut ofdm = NbiotOfdm::new();
        let mut res = [Complex32::default(); 12];
        res[11] = Complex32::new(1.0, 0.0);
        let mut out = vec![Complex32::default(); 137];
        ofdm.modulate_symbol(&res, 1, &mut out);
        for n in 0..128 {
            let ph = 2.0 * std::f64::consts::PI * 5.5 * n as f64 / 128.0;
            let e = Complex32::new(ph.cos() as f32, ph.sin() as f32);
            assert!((out[9 + n] - e).norm() < 1e-5);
        }
    }
}
