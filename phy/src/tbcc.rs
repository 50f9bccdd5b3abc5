//! Tail-biting convolutional code of 36.212 §5.1.3.1 (K = 7, rate 1/3, generators 133, 171,
//! 165 octal) and a soft-input Viterbi decoder for it.
//!
//! Coded bits are laid out stream-major: `d^(0)_0…d^(0)_{D−1}, d^(1)_0…, d^(2)_0…`, the order
//! the rate matcher of 36.212 §5.1.4.2 consumes.

use crate::error::{PhyError, check_finite_f32, check_len};

/// Constraint length `K`.
pub const CONSTRAINT_LEN: usize = 7;
/// Number of trellis states `2^(K−1)`.
pub const NUM_STATES: usize = 64;
/// Generator masks over the register `r = c_k + 2·c_{k−1} + … + 64·c_{k−6}` for
/// `G0 = 133`, `G1 = 171`, `G2 = 165` (octal, MSB = current input).
pub const GENERATORS: [u32; 3] = [0b110_1101, 0b100_1111, 0b101_0111];

/// The three output bits (bit `i` = stream `i`) of register value `r` (7 bits).
#[inline]
const fn outputs(r: u32) -> u8 {
    let mut o = 0u8;
    let mut i = 0;
    while i < 3 {
        o |= (((r & GENERATORS[i]).count_ones() & 1) as u8) << i;
        i += 1;
    }
    o
}

/// Output bits for each of the 128 register values.
const OUTPUT_TABLE: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut r = 0;
    while r < 128 {
        t[r] = outputs(r as u32);
        r += 1;
    }
    t
};

/// `OUTPUT_TABLE[2p]` for `p = 0…31` (the butterfly reference branch).
const BUTTERFLY_OUT: [u8; 32] = {
    let mut t = [0u8; 32];
    let mut p = 0;
    while p < 32 {
        t[p] = OUTPUT_TABLE[2 * p];
        p += 1;
    }
    t
};

/// Encodes `input` (`D` bits) with the tail-biting code into `out` (`3·D` bits, stream-major).
/// The register starts with the last six input bits (`s_i = c_{D−1−i}`), 36.212 §5.1.3.1.
///
/// # Panics
/// If `out.len() != 3 * input.len()` or `input.len() < 6` (caller bugs).
pub fn tbcc_encode(input: &[u8], out: &mut [u8]) {
    let d = input.len();
    assert!(
        d >= CONSTRAINT_LEN - 1,
        "tbcc_encode: need at least 6 input bits"
    );
    assert_eq!(out.len(), 3 * d, "tbcc_encode: output must be 3·D bits");
    // state bit j = c_{k-1-j}
    let mut state: u32 = 0;
    for j in 0..6 {
        state |= u32::from(input[d - 1 - j] & 1) << j;
    }
    for (k, &c) in input.iter().enumerate() {
        let r = (state << 1) | u32::from(c & 1);
        let o = OUTPUT_TABLE[r as usize];
        out[k] = o & 1;
        out[d + k] = (o >> 1) & 1;
        out[2 * d + k] = (o >> 2) & 1;
        state = r & 0x3F;
    }
}

/// Soft-input Viterbi decoder for the tail-biting code, wrap-around form: the received
/// sequence is decoded circularly extended by `wrap` steps before and after (all start states
/// equally likely), and the middle `D` decisions are kept. This approximates the
/// maximum-likelihood tail-biting path with one trellis pass over `D + 2·wrap` steps.
///
/// The add-compare-select runs on AVX2 when the CPU has it (chosen once, at construction) and
/// on a portable scalar kernel otherwise; both do the same IEEE operations in the same order,
/// so their decisions are bit-identical (tested).
///
/// All memory is allocated at construction for the largest `D` planned.
#[derive(Debug, Clone)]
pub struct TbccDecoder {
    max_len: usize,
    wrap: usize,
    decisions: Vec<u64>,
    metrics: [f32; NUM_STATES],
    kernel: Kernel,
}

/// Which add-compare-select kernel a decoder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Kernel::Avx2;
        }
        Kernel::Scalar
    }
}

/// Shortest wrap used for short messages (≈ 7 constraint lengths).
const MIN_WRAP: usize = 48;

impl TbccDecoder {
    /// Plans a decoder for messages of up to `max_len` bits, with the default wrap of 96 steps
    /// (shortened to `max(48, D)` for messages of `D < 96` bits, where the circular trellis
    /// already wraps around the whole message).
    pub fn new(max_len: usize) -> Self {
        Self::with_wrap(max_len, 96)
    }

    /// Plans a decoder with an explicit wrap length (steps decoded before and after).
    pub fn with_wrap(max_len: usize, wrap: usize) -> Self {
        TbccDecoder {
            max_len,
            wrap,
            decisions: vec![0; max_len + 2 * wrap],
            metrics: [0.0; NUM_STATES],
            kernel: Kernel::detect(),
        }
    }

    /// The same decoder on the portable scalar kernel (the oracle of the SIMD one).
    pub fn scalar(mut self) -> Self {
        self.kernel = Kernel::Scalar;
        self
    }

    /// Whether this decoder runs a SIMD kernel.
    pub fn is_simd(&self) -> bool {
        self.kernel != Kernel::Scalar
    }

    /// Decodes `llr` (`3·D` soft bits, stream-major, positive = bit 0) into `out` (`D` bits).
    /// Returns the normalised metric of the chosen path (larger is more reliable).
    ///
    /// # Errors
    /// `Length` if `llr.len() != 3·out.len()`, `TooLong` beyond the planned maximum,
    /// `OutOfRange` if `D < 6`, `NonFinite` on NaN/inf soft bits.
    pub fn decode(&mut self, llr: &[f32], out: &mut [u8]) -> Result<f32, PhyError> {
        let d = out.len();
        check_len("tbcc llr", 3 * d, llr.len())?;
        if d > self.max_len {
            return Err(PhyError::TooLong {
                what: "tbcc message",
                max: self.max_len,
                got: d,
            });
        }
        if d < CONSTRAINT_LEN - 1 {
            return Err(PhyError::OutOfRange {
                what: "tbcc message length",
                value: d as i64,
            });
        }
        check_finite_f32("tbcc llr", llr)?;
        let wrap = if d < self.wrap {
            self.wrap.min(d.max(MIN_WRAP))
        } else {
            self.wrap
        };
        let steps = d + 2 * wrap;
        self.metrics = [0.0; NUM_STATES];
        // i = (t - wrap) mod d without negative intermediates
        let start = (d - wrap % d) % d;
        let (l0s, rest) = llr.split_at(d);
        let (l1s, l2s) = rest.split_at(d);
        let decisions = &mut self.decisions[..steps];
        match self.kernel {
            Kernel::Scalar => forward_scalar(&mut self.metrics, decisions, l0s, l1s, l2s, start),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Kernel::Avx2` is only chosen after run-time detection of AVX2.
            #[allow(unsafe_code)]
            Kernel::Avx2 => unsafe {
                avx2::forward(&mut self.metrics, decisions, l0s, l1s, l2s, start)
            },
        }
        // Trace back from the best final state.
        let mut state = 0;
        for (s, &m) in self.metrics.iter().enumerate() {
            if m > self.metrics[state] {
                state = s;
            }
        }
        let best = self.metrics[state];
        let mut second = f32::NEG_INFINITY;
        for (s, &m) in self.metrics.iter().enumerate() {
            if s != state && m > second {
                second = m;
            }
        }
        for t in (0..steps).rev() {
            if t >= wrap && t < wrap + d {
                out[t - wrap] = (state & 1) as u8;
            }
            let bit = (state >> 1) + 32 * (state & 1);
            let b = ((self.decisions[t] >> bit) & 1) as usize;
            state = (state >> 1) | (b << 5);
        }
        Ok(best - second)
    }
}

/// The eight branch metrics `½ Σ (1−2b_i)·llr_i` of output word `o` (bit i = stream i).
#[inline]
fn branch_metrics(l0: f32, l1: f32, l2: f32) -> [f32; 8] {
    let mut bm = [0f32; 8];
    for (o, m) in bm.iter_mut().enumerate() {
        let s0 = if o & 1 == 0 { l0 } else { -l0 };
        let s1 = if o & 2 == 0 { l1 } else { -l1 };
        let s2 = if o & 4 == 0 { l2 } else { -l2 };
        *m = 0.5 * (s0 + s1 + s2);
    }
    bm
}

/// Forward pass, portable. Per step: butterflies (next states 2p and 2p+1 both come from p
/// and p+32; every generator taps c_k and c_{k−6}, so with o = out(2p) the other three
/// branches carry the complement o^7, whose metric is −bm[o]); decisions bit p = state 2p,
/// bit 32+p = state 2p+1; then every metric less the new metric of state 0 (the spread of
/// the metrics is bounded, so they stay small without a search for the maximum).
fn forward_scalar(
    metrics: &mut [f32; NUM_STATES],
    decisions: &mut [u64],
    l0s: &[f32],
    l1s: &[f32],
    l2s: &[f32],
    start: usize,
) {
    let d = l0s.len();
    let mut i = start;
    for dec in decisions.iter_mut() {
        let bm = branch_metrics(l0s[i], l1s[i], l2s[i]);
        let (lo, hi) = metrics.split_at(NUM_STATES / 2);
        let mut next = [0f32; NUM_STATES];
        let mut d_even = 0u32;
        let mut d_odd = 0u32;
        for p in 0..NUM_STATES / 2 {
            let (a, h, b) = (lo[p], hi[p], bm[BUTTERFLY_OUT[p] as usize]);
            let (x0, y0) = (a + b, h - b);
            let (x1, y1) = (a - b, h + b);
            let (c0, c1) = (y0 > x0, y1 > x1);
            next[2 * p] = if c0 { y0 } else { x0 };
            next[2 * p + 1] = if c1 { y1 } else { x1 };
            d_even |= u32::from(c0) << p;
            d_odd |= u32::from(c1) << p;
        }
        let m0 = next[0];
        for (m, n) in metrics.iter_mut().zip(next) {
            *m = n - m0;
        }
        *dec = u64::from(d_even) | (u64::from(d_odd) << 32);
        i += 1;
        if i == d {
            i = 0;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    #![allow(unsafe_code)]
    use super::{BUTTERFLY_OUT, NUM_STATES, branch_metrics};
    use std::arch::x86_64::*;

    /// [`super::forward_scalar`] with 8 butterflies per instruction: the same operations per
    /// lane (add, subtract, greater-than, select, subtract state 0), so the same results.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn forward(
        metrics: &mut [f32; NUM_STATES],
        decisions: &mut [u64],
        l0s: &[f32],
        l1s: &[f32],
        l2s: &[f32],
        start: usize,
    ) {
        let d = l0s.len();
        // permutation indices: lane j of block k picks bm[BUTTERFLY_OUT[8k + j]]
        let mut idx = [_mm256_setzero_si256(); 4];
        for (k, v) in idx.iter_mut().enumerate() {
            let mut lanes = [0i32; 8];
            for (j, l) in lanes.iter_mut().enumerate() {
                *l = i32::from(BUTTERFLY_OUT[8 * k + j]);
            }
            // SAFETY: `lanes` is 8 i32 (32 bytes); unaligned load.
            *v = unsafe { _mm256_loadu_si256(lanes.as_ptr().cast()) };
        }
        // metrics as 8 registers of 8 states
        let mut m = [_mm256_setzero_ps(); 8];
        for (k, v) in m.iter_mut().enumerate() {
            // SAFETY: 8 floats from index 8k < 64 are in bounds.
            *v = unsafe { _mm256_loadu_ps(metrics.as_ptr().add(8 * k)) };
        }
        let mut i = start;
        for dec in decisions.iter_mut() {
            let bm_arr = branch_metrics(l0s[i], l1s[i], l2s[i]);
            // SAFETY: `bm_arr` is 8 floats.
            let bm = unsafe { _mm256_loadu_ps(bm_arr.as_ptr()) };
            let mut next = [_mm256_setzero_ps(); 8];
            let mut d_even = 0u32;
            let mut d_odd = 0u32;
            for k in 0..4 {
                let b = _mm256_permutevar8x32_ps(bm, idx[k]);
                let (a, h) = (m[k], m[k + 4]);
                let x0 = _mm256_add_ps(a, b);
                let y0 = _mm256_sub_ps(h, b);
                let x1 = _mm256_sub_ps(a, b);
                let y1 = _mm256_add_ps(h, b);
                let c0 = _mm256_cmp_ps::<_CMP_GT_OQ>(y0, x0);
                let c1 = _mm256_cmp_ps::<_CMP_GT_OQ>(y1, x1);
                let even = _mm256_blendv_ps(x0, y0, c0);
                let odd = _mm256_blendv_ps(x1, y1, c1);
                d_even |= (_mm256_movemask_ps(c0) as u32) << (8 * k);
                d_odd |= (_mm256_movemask_ps(c1) as u32) << (8 * k);
                // interleave: states 16k…16k+15 = e0 o0 e1 o1 …
                let lo = _mm256_unpacklo_ps(even, odd); // e0 o0 e1 o1 | e4 o4 e5 o5
                let hi = _mm256_unpackhi_ps(even, odd); // e2 o2 e3 o3 | e6 o6 e7 o7
                next[2 * k] = _mm256_permute2f128_ps::<0x20>(lo, hi);
                next[2 * k + 1] = _mm256_permute2f128_ps::<0x31>(lo, hi);
            }
            // broadcast of state 0's new metric
            let m0 = _mm256_permutevar8x32_ps(next[0], _mm256_setzero_si256());
            for (dst, n) in m.iter_mut().zip(next) {
                *dst = _mm256_sub_ps(n, m0);
            }
            *dec = u64::from(d_even) | (u64::from(d_odd) << 32);
            i += 1;
            if i == d {
                i = 0;
            }
        }
        for (k, v) in m.iter().enumerate() {
            // SAFETY: 8 floats from index 8k < 64 are in bounds.
            unsafe { _mm256_storeu_ps(metrics.as_mut_ptr().add(8 * k), *v) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn butterfly_symmetry() {
        for p in 0..32 {
            let o = OUTPUT_TABLE[2 * p];
            assert_eq!(OUTPUT_TABLE[2 * p + 1], o ^ 7);
            assert_eq!(OUTPUT_TABLE[(2 * p) | 64], o ^ 7);
            assert_eq!(OUTPUT_TABLE[(2 * p + 1) | 64], o);
        }
    }

    #[test]
    fn generator_masks_match_36_212() {
        // G0 = 133 octal taps c_k, c_{k-2}, c_{k-3}, c_{k-5}, c_{k-6}
        assert_eq!(GENERATORS[0], 0b110_1101);
        // G1 = 171: c_k, c_{k-1}, c_{k-2}, c_{k-3}, c_{k-6}
        assert_eq!(GENERATORS[1], 0b100_1111);
        // G2 = 165: c_k, c_{k-1}, c_{k-2}, c_{k-4}, c_{k-6}
        assert_eq!(GENERATORS[2], 0b101_0111);
    }

    /// Direct shift-register encoder written from the figure of §5.1.3.1 (the oracle).
    fn reference_encode(c: &[u8]) -> Vec<u8> {
        let d = c.len();
        let g = [
            [1, 0, 1, 1, 0, 1, 1],
            [1, 1, 1, 1, 0, 0, 1],
            [1, 1, 1, 0, 1, 0, 1],
        ];
        let mut out = vec![0u8; 3 * d];
        for k in 0..d {
            for (s, gs) in g.iter().enumerate() {
                let mut acc = 0;
                for (i, &gi) in gs.iter().enumerate() {
                    acc ^= gi * c[(k + d - i) % d];
                }
                out[s * d + k] = acc;
            }
        }
        out
    }

    #[test]
    fn encoder_matches_reference_and_decoder_inverts() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut dec = TbccDecoder::new(800);
        for &d in &[6usize, 7, 20, 50, 63, 104, 704] {
            let c: Vec<u8> = (0..d).map(|_| rng.random_range(0..2u8)).collect();
            let mut enc = vec![0u8; 3 * d];
            tbcc_encode(&c, &mut enc);
            assert_eq!(enc, reference_encode(&c), "D = {d}");
            let llr: Vec<f32> = enc
                .iter()
                .map(|&b| if b == 0 { 4.0 } else { -4.0 })
                .collect();
            let mut out = vec![0u8; d];
            dec.decode(&llr, &mut out).unwrap();
            assert_eq!(out, c, "D = {d}");
        }
    }

    #[test]
    fn decoder_corrects_noise() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut dec = TbccDecoder::new(100);
        let d = 50;
        let mut failures = 0;
        for _ in 0..200 {
            let c: Vec<u8> = (0..d).map(|_| rng.random_range(0..2u8)).collect();
            let mut enc = vec![0u8; 3 * d];
            tbcc_encode(&c, &mut enc);
            // BPSK at Es/N0 = 1 dB per coded bit (Eb/N0 ≈ 5.8 dB): uncoded BER ≈ 5 %
            let sigma = (0.5f32 / 10f32.powf(0.1)).sqrt();
            let llr: Vec<f32> = enc
                .iter()
                .map(|&b| {
                    let x = if b == 0 { 1.0 } else { -1.0 };
                    let n: f32 = crate::noise::gaussian(&mut rng) * sigma;
                    2.0 * (x + n) / (sigma * sigma)
                })
                .collect();
            let mut out = vec![0u8; d];
            dec.decode(&llr, &mut out).unwrap();
            if out != c {
                failures += 1;
            }
        }
        assert!(failures <= 4, "{failures} block errors of 200");
    }

    #[test]
    fn decoder_rejects_bad_input() {
        let mut dec = TbccDecoder::new(50);
        let mut out = vec![0u8; 50];
        assert!(matches!(
            dec.decode(&[0.0; 149], &mut out),
            Err(PhyError::Length { .. })
        ));
        let mut bad = vec![1.0f32; 150];
        bad[17] = f32::NAN;
        assert!(matches!(
            dec.decode(&bad, &mut out),
            Err(PhyError::NonFinite { .. })
        ));
        let mut big = vec![0u8; 51];
        assert!(matches!(
            dec.decode(&[0.0; 153], &mut big),
            Err(PhyError::TooLong { .. })
        ));
    }

    #[test]
    fn simd_kernel_matches_scalar_oracle() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let mut fast = TbccDecoder::new(800);
        let mut slow = TbccDecoder::new(800).scalar();
        println!("SIMD kernel: {}", fast.is_simd());
        for trial in 0..300 {
            let d = [6usize, 7, 23, 39, 50, 95, 96, 97, 200, 704][trial % 10];
            let c: Vec<u8> = (0..d).map(|_| rng.random_range(0..2u8)).collect();
            let mut enc = vec![0u8; 3 * d];
            tbcc_encode(&c, &mut enc);
            // from clean to hopeless, with large LLRs (soft-combined NPBCH) now and then
            let sigma = [0.3f32, 0.8, 1.2, 3.0][trial % 4];
            let scale = if trial % 7 == 0 { 300.0 } else { 2.0 };
            let llr: Vec<f32> = enc
                .iter()
                .map(|&b| {
                    let x = if b == 0 { 1.0 } else { -1.0 };
                    scale * (x + crate::noise::gaussian(&mut rng) * sigma)
                })
                .collect();
            let (mut a, mut b) = (vec![0u8; d], vec![0u8; d]);
            let ma = fast.decode(&llr, &mut a).unwrap();
            let mb = slow.decode(&llr, &mut b).unwrap();
            assert_eq!(a, b, "trial {trial}, D = {d}");
            assert_eq!(ma.to_bits(), mb.to_bits(), "trial {trial}");
            assert!(ma >= 0.0);
        }
    }
}
