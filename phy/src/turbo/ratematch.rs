//! Rate matching for turbo-coded transport channels, TS 36.212 §5.1.4.1.
//!
//! Each stream `d^(i)` (length `D = K + 4`) goes through the sub-block interleaver of
//! §5.1.4.1.1: `C = 32` columns, `R = ⌈D/32⌉` rows, `K_Π = 32R`, `N_D = K_Π − D` `<NULL>` bits
//! in front (`y_k`), written row by row, columns permuted by `P`, read column by column:
//! `v^(0,1)_k = y_{P(⌊k/R⌋) + 32·(k mod R)}`; the third stream uses
//! `π(k) = (P(⌊k/R⌋) + 32·(k mod R) + 1) mod K_Π`. The circular buffer (§5.1.4.1.2) is
//! `w_k = v^(0)_k`, `w_{K_Π+2k} = v^(1)_k`, `w_{K_Π+2k+1} = v^(2)_k`, `K_w = 3K_Π`;
//! transmission starts at `k_0 = R·(2·⌈N_cb/(8R)⌉·rv_idx + 2)` and skips `<NULL>` bits.
//! For the uplink (UL-SCH, NPUSCH) `N_cb = K_w`.

use crate::error::{PhyError, check_finite_f32, check_len};

/// Column permutation `P` of the sub-block interleaver, Table 5.1.4-1.
pub const SUBBLOCK_PERMUTATION: [usize; 32] = [
    0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30, 1, 17, 9, 25, 5, 21, 13, 29, 3, 19,
    11, 27, 7, 23, 15, 31,
];

const NULL: u32 = u32::MAX;

/// Rate matcher and de-rate-matcher planned for one code block (`K`, filler count `F`,
/// buffer size `N_cb`).
#[derive(Debug, Clone)]
pub struct TurboRateMatcher {
    d: usize,
    rows: usize,
    n_cb: usize,
    /// For each circular-buffer position `k < N_cb`: the index into `[d^(0)|d^(1)|d^(2)]`,
    /// or `NULL`.
    map: Vec<u32>,
    non_null: usize,
}

impl TurboRateMatcher {
    /// Plans rate matching for block size `k` with `filler` leading filler bits and the full
    /// circular buffer `N_cb = K_w` (UL-SCH).
    ///
    /// # Errors
    /// `OutOfRange` if `k` is not a turbo block size or `filler ≥ k`.
    pub fn new(k: usize, filler: usize) -> Result<Self, PhyError> {
        Self::with_soft_buffer(k, filler, usize::MAX)
    }

    /// As [`Self::new`] with a soft-buffer limit: `N_cb = min(n_cb_limit, K_w)`
    /// (the DL-SCH rule of §5.1.4.1.2 feeds `⌊N_IR/C⌋` here).
    ///
    /// # Errors
    /// `OutOfRange` for a bad `k`, `filler ≥ k`, or a limit below `3(K+4)`'s non-NULL count
    /// would leave fewer than `K` bits (`n_cb_limit < K`).
    pub fn with_soft_buffer(k: usize, filler: usize, n_cb_limit: usize) -> Result<Self, PhyError> {
        super::qpp::qpp_params(k)?;
        if filler >= k {
            return Err(PhyError::OutOfRange {
                what: "turbo rate matching filler bits",
                value: filler as i64,
            });
        }
        let d = k + 4;
        let rows = d.div_ceil(32);
        let kpi = 32 * rows;
        let nd = kpi - d;
        let kw = 3 * kpi;
        if n_cb_limit < k {
            return Err(PhyError::OutOfRange {
                what: "turbo soft buffer N_cb",
                value: n_cb_limit as i64,
            });
        }
        let n_cb = kw.min(n_cb_limit);
        // y index -> stream index, NULL for the N_D dummies and (streams 0, 1) the filler bits.
        let y_to = |stream: usize, y: usize| -> u32 {
            if y < nd {
                return NULL;
            }
            let pos = y - nd;
            if stream < 2 && pos < filler {
                return NULL;
            }
            (stream * d + pos) as u32
        };
        let mut map = vec![NULL; kw];
        for kk in 0..kpi {
            let col = SUBBLOCK_PERMUTATION[kk / rows];
            let y01 = col + 32 * (kk % rows);
            let y2 = (col + 32 * (kk % rows) + 1) % kpi;
            map[kk] = y_to(0, y01);
            map[kpi + 2 * kk] = y_to(1, y01);
            map[kpi + 2 * kk + 1] = y_to(2, y2);
        }
        map.truncate(n_cb);
        let non_null = map.iter().filter(|&&m| m != NULL).count();
        Ok(TurboRateMatcher {
            d,
            rows,
            n_cb,
            map,
            non_null,
        })
    }

    /// Length `3(K+4)` of the coded block this matcher reads.
    pub fn coded_len(&self) -> usize {
        3 * self.d
    }

    /// Circular buffer size `N_cb`.
    pub fn n_cb(&self) -> usize {
        self.n_cb
    }

    /// Number of sub-block interleaver rows `R`.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Start position `k_0 = R·(2·⌈N_cb/(8R)⌉·rv_idx + 2)` of redundancy version `rv`.
    ///
    /// # Errors
    /// `OutOfRange` if `rv > 3`.
    pub fn k0(&self, rv: u8) -> Result<usize, PhyError> {
        if rv > 3 {
            return Err(PhyError::OutOfRange {
                what: "redundancy version rv_idx",
                value: i64::from(rv),
            });
        }
        let r = self.rows;
        Ok(r * (2 * self.n_cb.div_ceil(8 * r) * usize::from(rv) + 2))
    }

    /// Selects `e_0…e_{E−1}` (`E = out.len()`) from the coded block
    /// `coded = [d^(0)|d^(1)|d^(2)]` for redundancy version `rv`.
    ///
    /// # Errors
    /// `Length` if `coded` is not `3(K+4)` long; `OutOfRange` for `rv > 3`.
    pub fn rate_match(&self, coded: &[u8], rv: u8, out: &mut [u8]) -> Result<(), PhyError> {
        check_len("turbo rate matching input", 3 * self.d, coded.len())?;
        let mut j = self.k0(rv)? % self.n_cb;
        for o in out.iter_mut() {
            loop {
                let m = self.map[j];
                j += 1;
                if j == self.n_cb {
                    j = 0;
                }
                if m != NULL {
                    *o = coded[m as usize];
                    break;
                }
            }
        }
        Ok(())
    }

    /// Adds the soft bits `llr` (`E` values) of redundancy version `rv` into `soft`
    /// (`[d^(0)|d^(1)|d^(2)]`, `3(K+4)` values), combining repeated positions. The caller
    /// zeroes `soft` before the first transmission; `<NULL>` positions stay untouched.
    ///
    /// # Errors
    /// `Length` on a wrong `soft` length; `OutOfRange` for `rv > 3`; `NonFinite` on NaN/inf.
    pub fn de_rate_match(&self, llr: &[f32], rv: u8, soft: &mut [f32]) -> Result<(), PhyError> {
        check_len("turbo de-rate-matching output", 3 * self.d, soft.len())?;
        check_finite_f32("turbo de-rate-matching input", llr)?;
        let mut j = self.k0(rv)? % self.n_cb;
        for &l in llr {
            loop {
                let m = self.map[j];
                j += 1;
                if j == self.n_cb {
                    j = 0;
                }
                if m != NULL {
                    soft[m as usize] += l;
                    break;
                }
            }
        }
        Ok(())
    }

    /// Number of non-`<NULL>` bits in the circular buffer.
    pub fn non_null_len(&self) -> usize {
        self.non_null
    }
}

/// Rate-matched length `E_r` of code block `r` (§5.1.4.1.2): with `G' = G/(N_L·Q_m)` and
/// `γ = G' mod C`, `E_r = N_L·Q_m·⌊G'/C⌋` for `r ≤ C − γ − 1`, else `N_L·Q_m·⌈G'/C⌉`.
///
/// # Errors
/// `OutOfRange` if `c`, `qm` or `n_l` is zero or `r ≥ c`.
pub fn code_block_e(
    g: usize,
    c: usize,
    qm: usize,
    n_l: usize,
    r: usize,
) -> Result<usize, PhyError> {
    if c == 0 || qm == 0 || n_l == 0 || r >= c {
        return Err(PhyError::OutOfRange {
            what: "code block E parameters (C, Q_m, N_L, r)",
            value: r as i64,
        });
    }
    let gp = g / (n_l * qm);
    let gamma = gp % c;
    Ok(if r + gamma < c {
        n_l * qm * (gp / c)
    } else {
        n_l * qm * gp.div_ceil(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k40_constants_ntn_reference_3() {
        let rm = TurboRateMatcher::new(40, 0).unwrap();
        assert_eq!(rm.rows(), 2);
        assert_eq!(rm.n_cb(), 192);
        assert_eq!(rm.non_null_len(), 3 * 44);
        let k0: Vec<usize> = (0..4).map(|rv| rm.k0(rv).unwrap()).collect();
        assert_eq!(k0, [4, 52, 100, 148]);
        assert!(rm.k0(4).is_err());
    }

    #[test]
    fn full_buffer_read_visits_every_coded_bit_once() {
        for (k, f) in [(40usize, 0usize), (104, 4), (1008, 0), (6144, 0)] {
            let rm = TurboRateMatcher::new(k, f).unwrap();
            let n = 3 * (k + 4);
            assert_eq!(rm.non_null_len(), n - 2 * f);
            let coded: Vec<u8> = (0..n).map(|i| (i % 2) as u8).collect();
            let mut soft = vec![0f32; n];
            let ones = vec![1f32; rm.non_null_len()];
            rm.de_rate_match(&ones, 0, &mut soft).unwrap();
            for (i, &s) in soft.iter().enumerate() {
                let null = (i < f) || (i >= k + 4 && i < k + 4 + f);
                assert_eq!(s, if null { 0.0 } else { 1.0 }, "K {k} i {i}");
            }
            let mut out = vec![0u8; rm.non_null_len()];
            rm.rate_match(&coded, 2, &mut out).unwrap();
        }
    }

    #[test]
    fn code_block_e_splits_g() {
        // G = 1000 bits, Q_m = 2, C = 3: G' = 500, γ = 2 → E = 332, 334, 334.
        let e: Vec<usize> = (0..3)
            .map(|r| code_block_e(1000, 3, 2, 1, r).unwrap())
            .collect();
        assert_eq!(e, [332, 334, 334]);
        assert!(code_block_e(1000, 3, 2, 1, 3).is_err());
    }
}
