//! Code block segmentation and code block CRC attachment, TS 36.212 §5.1.2.
//!
//! The input `b_0…b_{B−1}` is a transport block with its CRC-24A already attached. If
//! `B ≤ Z = 6144` there is one code block and no extra CRC; otherwise there are
//! `C = ⌈B/(Z − 24)⌉` blocks, each ending in a CRC-24B. `F` filler bits (value 0 for the
//! encoder, `<NULL>` for rate matching) lead the first block.

use crate::crc::{CrcKind, crc_attach};
use crate::error::{PhyError, check_len};

use super::qpp::{MAX_BLOCK_SIZE, QPP_TABLE, next_block_size};

/// The segmentation parameters of §5.1.2 for one transport block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segmentation {
    /// Input length `B` (transport block plus CRC-24A).
    pub b: usize,
    /// Number of code blocks `C`.
    pub c: usize,
    /// Larger block size `K+`.
    pub k_plus: usize,
    /// Smaller block size `K−` (0 if `C = 1`).
    pub k_minus: usize,
    /// Number of blocks of size `K+`.
    pub c_plus: usize,
    /// Number of blocks of size `K−`.
    pub c_minus: usize,
    /// Filler bits `F` at the start of block 0.
    pub filler: usize,
    /// Code block CRC length `L` (0 if `C = 1`, else 24).
    pub crc_len: usize,
}

impl Segmentation {
    /// Computes the §5.1.2 parameters for `B` input bits.
    ///
    /// # Errors
    /// `OutOfRange` if `b` is zero or so large that no table size fits
    /// (it never happens for `B ≤ 188·(6144−24)`).
    pub fn new(b: usize) -> Result<Self, PhyError> {
        let err = PhyError::OutOfRange {
            what: "code block segmentation input length B",
            value: b as i64,
        };
        if b == 0 {
            return Err(err);
        }
        let z = MAX_BLOCK_SIZE;
        let (c, crc_len) = if b <= z {
            (1, 0)
        } else {
            (b.div_ceil(z - 24), 24)
        };
        let b_prime = b + c * crc_len;
        // K+ = minimum K of Table 5.1.3-3 such that C·K ≥ B'.
        let k_plus = next_block_size(b_prime.div_ceil(c)).ok_or(err.clone())?;
        let (k_minus, c_plus, c_minus) = if c == 1 {
            (0, 1, 0)
        } else {
            // K− = maximum K of the table with K < K+.
            let i = QPP_TABLE.partition_point(|e| usize::from(e.0) < k_plus);
            let k_minus = if i == 0 {
                0
            } else {
                usize::from(QPP_TABLE[i - 1].0)
            };
            let dk = k_plus - k_minus;
            let c_minus = if k_minus == 0 {
                0
            } else {
                (c * k_plus - b_prime) / dk
            };
            (k_minus, c - c_minus, c_minus)
        };
        let filler = c_plus * k_plus + c_minus * k_minus - b_prime;
        Ok(Segmentation {
            b,
            c,
            k_plus,
            k_minus,
            c_plus,
            c_minus,
            filler,
            crc_len,
        })
    }

    /// Size `K_r` of code block `r` (the first `C−` blocks are `K−`).
    pub fn block_size(&self, r: usize) -> usize {
        if r < self.c_minus {
            self.k_minus
        } else {
            self.k_plus
        }
    }

    /// Filler bits in block `r` (only block 0 has them).
    pub fn block_filler(&self, r: usize) -> usize {
        if r == 0 { self.filler } else { 0 }
    }

    /// Total length of all code blocks, `Σ K_r`.
    pub fn total_len(&self) -> usize {
        self.c_plus * self.k_plus + self.c_minus * self.k_minus
    }

    /// Writes the code blocks `c_r0…c_r(K_r−1)` back to back into `out` (length
    /// [`Self::total_len`]): filler bits as 0, payload bits, and a CRC-24B per block if `C > 1`.
    ///
    /// # Errors
    /// `Length` if `b.len() != B` or `out.len()` is not the total length.
    pub fn segment(&self, b: &[u8], out: &mut [u8]) -> Result<(), PhyError> {
        check_len("segmentation input", self.b, b.len())?;
        check_len("segmentation output", self.total_len(), out.len())?;
        let mut s = 0;
        let mut off = 0;
        for r in 0..self.c {
            let kr = self.block_size(r);
            let blk = &mut out[off..off + kr];
            let f = self.block_filler(r);
            blk[..f].fill(0);
            let n = kr - self.crc_len - f;
            blk[f..f + n].copy_from_slice(&b[s..s + n]);
            s += n;
            if self.crc_len > 0 {
                crc_attach(CrcKind::Crc24B, blk, kr - self.crc_len);
            }
            off += kr;
        }
        Ok(())
    }

    /// Inverse of [`Self::segment`] for decoded blocks: drops filler bits and code block CRCs,
    /// writing the `B` bits into `b`.
    ///
    /// # Errors
    /// `Length` on mismatched lengths.
    pub fn desegment(&self, blocks: &[u8], b: &mut [u8]) -> Result<(), PhyError> {
        check_len("desegmentation input", self.total_len(), blocks.len())?;
        check_len("desegmentation output", self.b, b.len())?;
        let mut s = 0;
        let mut off = 0;
        for r in 0..self.c {
            let kr = self.block_size(r);
            let f = self.block_filler(r);
            let n = kr - self.crc_len - f;
            b[s..s + n].copy_from_slice(&blocks[off + f..off + f + n]);
            s += n;
            off += kr;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crc::crc_check_masked;

    #[test]
    fn single_block_with_filler() {
        let s = Segmentation::new(100).unwrap();
        assert_eq!((s.c, s.k_plus, s.filler, s.crc_len), (1, 104, 4, 0));
        let s = Segmentation::new(40).unwrap();
        assert_eq!((s.c, s.k_plus, s.filler), (1, 40, 0));
        let s = Segmentation::new(6144).unwrap();
        assert_eq!((s.c, s.k_plus, s.filler), (1, 6144, 0));
        assert!(Segmentation::new(0).is_err());
    }

    #[test]
    fn multi_block_sizes_and_crcs() {
        // B = 6145: C = 2, B' = 6193, K+ = 3136 (2·3136 ≥ 6193), K− = 3072,
        // C− = floor((6272 − 6193)/64) = 1, C+ = 1, F = 3136 + 3072 − 6193 = 15.
        let s = Segmentation::new(6145).unwrap();
        assert_eq!(
            (s.c, s.k_plus, s.k_minus, s.c_plus, s.c_minus, s.filler),
            (2, 3136, 3072, 1, 1, 15)
        );
        let b: Vec<u8> = (0..6145).map(|i| ((i * 31 + 7) % 11 % 2) as u8).collect();
        let mut out = vec![0u8; s.total_len()];
        s.segment(&b, &mut out).unwrap();
        assert!(crc_check_masked(CrcKind::Crc24B, &out[..3072], 0));
        assert!(crc_check_masked(CrcKind::Crc24B, &out[3072..], 0));
        let mut back = vec![0u8; 6145];
        s.desegment(&out, &mut back).unwrap();
        assert_eq!(back, b);
        // Every size from 1 to 3·6144+1 gives C·K ≥ B' with F < smallest step.
        for bb in (1..20000).step_by(37) {
            let s = Segmentation::new(bb).unwrap();
            assert_eq!(s.total_len(), bb + s.c * s.crc_len + s.filler, "B {bb}");
            assert!(s.filler < 64 || s.c == 1, "B {bb}");
        }
    }
}
