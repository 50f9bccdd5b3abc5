//! Rate matching for convolutionally coded channels, 36.212 §5.1.4.2: a 32-column sub-block
//! interleaver per stream (§5.1.4.2.1), bit collection into a circular buffer, and bit
//! selection (§5.1.4.2.2). De-rate-matching accumulates soft bits (repetitions combine).

use crate::error::{PhyError, check_len};

/// Inter-column permutation pattern of 36.212 Table 5.1.4-2.
pub const CONV_COLUMN_PERMUTATION: [usize; 32] = [
    1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31, 0, 16, 8, 24, 4, 20, 12, 28, 2, 18,
    10, 26, 6, 22, 14, 30,
];

/// The circular buffer of 36.212 §5.1.4.2 for one code-block length `D`, planned once:
/// `order[j]` is the stream-major coded-bit index read at the `j`-th non-NULL buffer position.
#[derive(Debug, Clone)]
pub struct ConvRateMatcher {
    d: usize,
    order: Vec<u32>,
}

impl ConvRateMatcher {
    /// Plans rate matching for `D = d` bits per stream.
    ///
    /// # Panics
    /// If `d == 0` (a caller bug).
    pub fn new(d: usize) -> Self {
        assert!(d > 0, "ConvRateMatcher: D must be positive");
        let rows = d.div_ceil(32);
        let k_pi = 32 * rows;
        let n_dummy = k_pi - d;
        let mut order = Vec::with_capacity(3 * d);
        for stream in 0..3 {
            for &col in CONV_COLUMN_PERMUTATION.iter() {
                for row in 0..rows {
                    let y = row * 32 + col;
                    if y >= n_dummy {
                        order.push((stream * d + y - n_dummy) as u32);
                    }
                }
            }
        }
        ConvRateMatcher { d, order }
    }

    /// Bits per stream `D`.
    pub fn d(&self) -> usize {
        self.d
    }

    /// Selects `out.len() = E` bits from the stream-major coded bits (`3·D`).
    ///
    /// # Panics
    /// If `coded.len() != 3·D` (a caller bug).
    pub fn rate_match(&self, coded: &[u8], out: &mut [u8]) {
        assert_eq!(
            coded.len(),
            3 * self.d,
            "rate_match: coded length must be 3·D"
        );
        let n = self.order.len();
        for (k, e) in out.iter_mut().enumerate() {
            *e = coded[self.order[k % n] as usize];
        }
    }

    /// Accumulates the `E` received soft bits `llr` into `out` (`3·D`, stream-major), which is
    /// cleared first. Repeated bits add (soft combining).
    ///
    /// # Errors
    /// `Length` if `out.len() != 3·D`.
    pub fn rate_dematch(&self, llr: &[f32], out: &mut [f32]) -> Result<(), PhyError> {
        self.rate_dematch_at(llr, 0, out, true)
    }

    /// As [`Self::rate_dematch`] for a segment of the rate-matched block that starts at output
    /// index `e_offset` (for example one of the eight NPBCH blocks), optionally accumulating
    /// onto `out` instead of clearing it.
    ///
    /// # Errors
    /// `Length` if `out.len() != 3·D`.
    pub fn rate_dematch_at(
        &self,
        llr: &[f32],
        e_offset: usize,
        out: &mut [f32],
        clear: bool,
    ) -> Result<(), PhyError> {
        check_len("rate_dematch output", 3 * self.d, out.len())?;
        if clear {
            out.fill(0.0);
        }
        let n = self.order.len();
        for (k, &l) in llr.iter().enumerate() {
            out[self.order[(e_offset + k) % n] as usize] += l;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Literal transcription of §5.1.4.2 with NULL markers (the oracle).
    fn reference(coded: &[u8], d: usize, e: usize) -> Vec<u8> {
        const NULL: u8 = 0xFF;
        let rows = d.div_ceil(32);
        let k_pi = rows * 32;
        let nd = k_pi - d;
        let mut w = Vec::new();
        for s in 0..3 {
            let mut y = vec![NULL; k_pi];
            y[nd..].copy_from_slice(&coded[s * d..(s + 1) * d]);
            for j in 0..32 {
                for r in 0..rows {
                    w.push(y[r * 32 + CONV_COLUMN_PERMUTATION[j]]);
                }
            }
        }
        let kw = w.len();
        let mut out = Vec::new();
        let mut j = 0;
        while out.len() < e {
            if w[j % kw] != NULL {
                out.push(w[j % kw]);
            }
            j += 1;
        }
        out
    }

    #[test]
    fn matches_reference_and_dematch_inverts() {
        for &(d, e) in &[
            (50usize, 1600usize),
            (50, 100),
            (40, 120),
            (64, 500),
            (730, 1000),
        ] {
            let coded: Vec<u8> = (0..3 * d).map(|i| ((i * 7 + i / 3) % 2) as u8).collect();
            let rm = ConvRateMatcher::new(d);
            let mut out = vec![0u8; e];
            rm.rate_match(&coded, &mut out);
            assert_eq!(out, reference(&coded, d, e), "D {d} E {e}");
            let llr: Vec<f32> = out.iter().map(|&b| 1.0 - 2.0 * f32::from(b)).collect();
            let mut soft = vec![0f32; 3 * d];
            rm.rate_dematch(&llr, &mut soft).unwrap();
            for (i, &s) in soft.iter().enumerate() {
                if s != 0.0 {
                    assert_eq!(s < 0.0, coded[i] == 1);
                }
            }
            if e >= 3 * d {
                // every coded bit received floor(E/3D) or ceil(E/3D) times
                let lo = (e / (3 * d)) as f32;
                assert!(soft.iter().all(|s| s.abs() >= lo && s.abs() <= lo + 1.0));
            }
        }
    }

    #[test]
    fn mib_nb_sizes() {
        // MIB-NB: 34 + 16 CRC = 50 bits, 150 coded, 1600 rate-matched (36.211 §10.2.4.1)
        let rm = ConvRateMatcher::new(50);
        let coded = vec![1u8; 150];
        let mut out = vec![0u8; 1600];
        rm.rate_match(&coded, &mut out);
        assert!(out.iter().all(|&b| b == 1));
        // first rate-matched bit: column 1 of stream 0; with 14 dummies, y[1] is NULL, so the
        // first output comes from row 1: y[33] = d0[19]
        assert_eq!(rm.order[0], 19);
    }
}
