//! Fractional-delay interpolation by a windowed sinc held as a polyphase table.
//!
//! The value of a band-limited signal between its samples is
//! x(i + μ) ≈ Σ_{j=−L+1}^{L} x[i + j]·h(μ − j), h(t) = sinc(t)·w(t / L), with a Kaiser window
//! w(s) = I₀(β·√(1 − s²)) / I₀(β). The fraction μ ∈ [0, 1) is rounded to one of
//! [`PHASES`] table rows, so the delay itself is quantised to 1/[`PHASES`] of a sample.
//!
//! Accuracy (measured by the `interp` tests: a unit complex tone interpolated at 97
//! fractional positions; default 2L = 16 taps, β = 7.5, delay quantisation included): error
//! power −82 dB at 0.05·f_s, −75 dB at 0.25·f_s, −74 dB at 0.35·f_s (test bound −70 dB up to
//! 0.35·f_s), then the window's transition band: −28 dB at 0.40·f_s. Signals should occupy
//! at most ±0.35·f_s (oversampled by ≥ 1.43).

use num_complex::Complex32;

/// Rows of the polyphase table (delay resolution 1/PHASES sample).
pub const PHASES: usize = 4096;

/// Default half-length L (the filter has 2L taps).
pub const DEFAULT_HALF_LENGTH: usize = 8;

/// Kaiser window shape parameter.
const KAISER_BETA: f64 = 7.5;

/// A polyphase windowed-sinc table.
#[derive(Clone, Debug)]
pub struct SincTable {
    half: usize,
    /// `(PHASES + 1) × 2L` taps, row m for μ = m / PHASES; tap j (0-based) multiplies
    /// x[i − L + 1 + j].
    taps: Vec<f32>,
}

/// Modified Bessel function of the first kind, order 0, by its power series
/// I₀(x) = Σ ((x/2)^k / k!)², summed until the terms stop mattering.
fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1.0;
    while term > 1e-17 * sum {
        term *= q / (k * k);
        sum += term;
        k += 1.0;
    }
    sum
}

impl SincTable {
    /// A table with half-length `half` (2·`half` taps), at least 1.
    pub fn new(half: usize) -> Self {
        let half = half.max(1);
        let width = 2 * half;
        let mut taps = Vec::with_capacity((PHASES + 1) * width);
        for m in 0..=PHASES {
            taps.extend(row_for(half, m as f64 / PHASES as f64));
        }
        SincTable { half, taps }
    }

    /// Half-length L.
    pub fn half_length(&self) -> usize {
        self.half
    }

    /// The 2L taps for a fraction μ ∈ [0, 1]; tap j multiplies x[i − L + 1 + j].
    #[inline]
    pub fn row(&self, mu: f64) -> &[f32] {
        // μ ∈ [0, 1]: the cast truncates, so + 0.5 rounds; clamp guards μ slightly above 1.
        // (Through i64: a signed conversion is one instruction on x86-64, an unsigned one is
        // not.)
        let m = ((mu * PHASES as f64) + 0.5) as i64 as usize;
        let m = m.min(PHASES);
        let w = 2 * self.half;
        &self.taps[m * w..(m + 1) * w]
    }

    /// Σ_j x[j]·taps[j] over a window of 2L samples.
    #[inline]
    pub fn apply(window: &[Complex32], taps: &[f32]) -> Complex32 {
        let mut re = 0f32;
        let mut im = 0f32;
        for (x, &h) in window.iter().zip(taps) {
            re += x.re * h;
            im += x.im * h;
        }
        Complex32::new(re, im)
    }
}

/// A delay line of complex samples held as separate real and imaginary rings, each stored
/// twice (slot and slot + capacity) so that any window of up to `capacity` samples is one
/// contiguous slice — the layout the dot products below vectorise on.
#[derive(Clone, Debug)]
pub struct DelayLine {
    re: Vec<f32>,
    im: Vec<f32>,
    mask: usize,
}

impl DelayLine {
    /// A line holding at least `capacity` samples (rounded up to a power of two), zeroed.
    pub fn new(capacity: usize) -> Self {
        let len = capacity.max(1).next_power_of_two();
        DelayLine {
            re: vec![0.0; 2 * len],
            im: vec![0.0; 2 * len],
            mask: len - 1,
        }
    }

    /// Forget every sample (all zero again).
    pub fn clear(&mut self) {
        self.re.fill(0.0);
        self.im.fill(0.0);
    }

    /// Capacity in samples.
    pub fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// Store sample index `n`.
    #[inline]
    pub fn push(&mut self, n: u64, x: Complex32) {
        let slot = (n as usize) & self.mask;
        let len = self.mask + 1;
        self.re[slot] = x.re;
        self.re[slot + len] = x.re;
        self.im[slot] = x.im;
        self.im[slot + len] = x.im;
    }

    /// The `width` samples with indices `first … first + width − 1` (as real and imaginary
    /// slices). `first` may be "negative" (wrapped); `width` ≤ capacity.
    #[inline]
    pub fn window(&self, first: i64, width: usize) -> (&[f32], &[f32]) {
        let start = (first as usize) & self.mask;
        (
            &self.re[start..start + width],
            &self.im[start..start + width],
        )
    }
}

/// Σ a[i]·b[i] over equal-length slices, in 8 independent lanes (vectorises on SSE2).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = 0f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// (Σ re[i]·h[i], Σ im[i]·h[i]) over equal-length slices: the complex-by-real FIR of one
/// output sample, with the common widths (8, 16, 32 taps) unrolled at compile time.
#[inline]
pub fn complex_dot(re: &[f32], im: &[f32], h: &[f32]) -> (f32, f32) {
    match h.len() {
        8 => complex_dot_n::<8>(re, im, h),
        16 => complex_dot_n::<16>(re, im, h),
        32 => complex_dot_n::<32>(re, im, h),
        _ => (dot(re, h), dot(im, h)),
    }
}

#[inline(always)]
fn complex_dot_n<const W: usize>(re: &[f32], im: &[f32], h: &[f32]) -> (f32, f32) {
    let (Some(re), Some(im), Some(h)) = (
        re.first_chunk::<W>(),
        im.first_chunk::<W>(),
        h.first_chunk::<W>(),
    ) else {
        return (dot(re, h), dot(im, h));
    };
    let mut ar = [0f32; 8];
    let mut ai = [0f32; 8];
    for c in 0..W / 8 {
        for l in 0..8 {
            ar[l] += re[8 * c + l] * h[8 * c + l];
            ai[l] += im[8 * c + l] * h[8 * c + l];
        }
    }
    let r4 = [ar[0] + ar[4], ar[1] + ar[5], ar[2] + ar[6], ar[3] + ar[7]];
    let i4 = [ai[0] + ai[4], ai[1] + ai[5], ai[2] + ai[6], ai[3] + ai[7]];
    (
        (r4[0] + r4[2]) + (r4[1] + r4[3]),
        (i4[0] + i4[2]) + (i4[1] + i4[3]),
    )
}

/// ⌊x⌋ without a libm call (the x86-64 baseline has no SSE4.1 rounding) and without a
/// data-dependent branch (a mispredicted one per sample costs more than the rest of the
/// work), for |x| < 2⁶³.
#[inline]
pub fn fast_floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    t - f64::from(u8::from(t > x))
}

/// The 2·`half` taps for one fraction μ (the table row, computed directly, normalised to unit
/// DC gain); tap j multiplies x[i − L + 1 + j].
pub fn row_for(half: usize, mu: f64) -> Vec<f32> {
    let half = half.max(1);
    let i0_beta = bessel_i0(KAISER_BETA);
    let vals: Vec<f64> = (0..2 * half)
        .map(|j| {
            // Tap offset from the interpolation point: t = μ − (j − L + 1).
            let t = mu - (j as f64 - half as f64 + 1.0);
            let s = t / half as f64;
            let w = if s.abs() >= 1.0 {
                0.0
            } else {
                bessel_i0(KAISER_BETA * (1.0 - s * s).sqrt()) / i0_beta
            };
            let sinc = if t.abs() < 1e-12 {
                1.0
            } else {
                (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t)
            };
            sinc * w
        })
        .collect();
    let sum: f64 = vals.iter().sum();
    vals.iter().map(|v| (v / sum) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Error power (dB relative to a unit tone) of interpolating a tone at `f` (cycles per
    /// sample) at many fractional positions.
    fn error_db(f: f64) -> f64 {
        let table = SincTable::new(DEFAULT_HALF_LENGTH);
        let l = DEFAULT_HALF_LENGTH as i64;
        let x: Vec<Complex32> = (0..200)
            .map(|n| {
                let p = 2.0 * std::f64::consts::PI * f * n as f64;
                Complex32::new(p.cos() as f32, p.sin() as f32)
            })
            .collect();
        let mut err = 0.0;
        let mut count = 0;
        for k in 0..97 {
            let pos = 60.0 + k as f64 * 0.731;
            let i = pos.floor() as i64;
            let mu = pos - i as f64;
            let w = &x[(i - l + 1) as usize..(i + l + 1) as usize];
            let y = SincTable::apply(w, table.row(mu));
            let p = 2.0 * std::f64::consts::PI * f * pos;
            let e = (y.re as f64 - p.cos()).powi(2) + (y.im as f64 - p.sin()).powi(2);
            err += e;
            count += 1;
        }
        10.0 * (err / count as f64).log10()
    }

    #[test]
    fn accuracy_as_documented() {
        for f in [0.0, 0.05, 0.125, 0.25, 0.30, 0.35] {
            let e = error_db(f);
            assert!(e < -70.0, "f = {f}: {e} dB");
        }
        // Past the pass band the window's transition band shows.
        let e = error_db(0.40);
        assert!(e > -40.0 && e < -20.0, "f = 0.4: {e} dB");
    }

    #[test]
    fn unit_dc_gain_and_integer_delay() {
        let t = SincTable::new(8);
        for mu in [0.0, 0.3, 0.5, 0.999] {
            let s: f32 = t.row(mu).iter().sum();
            assert!((s - 1.0).abs() < 1e-6);
        }
        // μ = 0 picks x[i] exactly.
        let r = t.row(0.0);
        assert!((r[7] - 1.0).abs() < 1e-7);
        assert!(r.iter().enumerate().all(|(j, &v)| j == 7 || v.abs() < 1e-7));
    }
}
