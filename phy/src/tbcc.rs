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
/// All memory is allocated at construction for the largest `D` planned.
#[derive(Debug, Clone)]
pub struct TbccDecoder {
    max_len: usize,
    wrap: usize,
    decisions: Vec<u64>,
    metrics: [f32; NUM_STATES],
}

impl TbccDecoder {
    /// Plans a decoder for messages of up to `max_len` bits, with the default wrap of 96 steps.
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
        }
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
        let wrap = self.wrap;
        let steps = d + 2 * wrap;
        self.metrics = [0.0; NUM_STATES];
        // i = (t - wrap) mod d without negative intermediates
        let start = (d - wrap % d) % d;
        let mut i = start;
        for t in 0..steps {
            let l0 = llr[i];
            let l1 = llr[d + i];
            let l2 = llr[2 * d + i];
            // branch metric = ½ Σ (1−2b)·llr
            let mut bm = [0f32; 8];
            for (o, m) in bm.iter_mut().enumerate() {
                let s0 = if o & 1 == 0 { l0 } else { -l0 };
                let s1 = if o & 2 == 0 { l1 } else { -l1 };
                let s2 = if o & 4 == 0 { l2 } else { -l2 };
                *m = 0.5 * (s0 + s1 + s2);
            }
            // Butterflies: next states 2p and 2p+1 both come from p and p+32. Every generator
            // taps c_k and c_{k−6}, so with o = out(2p) the other three branches carry the
            // complement o^7, whose metric is −bm[o]. Written over whole 32-lane arrays so the
            // compiler can vectorise; decisions: bit p = state 2p, bit 32+p = state 2p+1.
            let mut bv = [0f32; NUM_STATES / 2];
            for (v, &o) in bv.iter_mut().zip(BUTTERFLY_OUT.iter()) {
                *v = bm[o as usize];
            }
            let (lo, hi) = self.metrics.split_at(NUM_STATES / 2);
            let mut even = [0f32; NUM_STATES / 2];
            let mut odd = [0f32; NUM_STATES / 2];
            let mut d_even = 0u32;
            let mut d_odd = 0u32;
            for p in 0..NUM_STATES / 2 {
                let (a, h, b) = (lo[p], hi[p], bv[p]);
                let (x0, y0) = (a + b, h - b);
                let (x1, y1) = (a - b, h + b);
                let (c0, c1) = (y0 > x0, y1 > x1);
                even[p] = if c0 { y0 } else { x0 };
                odd[p] = if c1 { y1 } else { x1 };
                d_even |= u32::from(c0) << p;
                d_odd |= u32::from(c1) << p;
            }
            let best = even
                .iter()
                .chain(odd.iter())
                .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            for p in 0..NUM_STATES / 2 {
                self.metrics[2 * p] = even[p] - best;
                self.metrics[2 * p + 1] = odd[p] - best;
            }
            self.decisions[t] = u64::from(d_even) | (u64::from(d_odd) << 32);
            i += 1;
            if i == d {
                i = 0;
            }
        }
        // Trace back from the best final state (metric 0 after normalisation).
        let mut state = self.metrics.iter().position(|&m| m == 0.0).unwrap_or(0);
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
        Ok(-second)
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
                    let n: f32 = gaussian(&mut rng) * sigma;
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

    pub(crate) fn gaussian(rng: &mut ChaCha8Rng) -> f32 {
        let u1: f32 = rng.random_range(1e-7..1.0);
        let u2: f32 = rng.random_range(0.0..1.0);
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
    }
}
