//! Narrowband secondary synchronisation signal, 36.211 §10.2.7.2.
//!
//! `d(n) = b_q(m)·e^{−j2πθ_f n}·e^{−jπu·n'(n'+1)/131}`, `n = 0…131`, `n' = n mod 131`,
//! `m = n mod 128`, `u = N_ID^Ncell mod 126 + 3`, `q = ⌊N_ID^Ncell/126⌋`,
//! `θ_f = (33/132)·((n_f/2) mod 4)`. Mapped frequency-first onto all 12 REs of symbols 3…13 of
//! subframe 9 in frames with `n_f mod 2 = 0`.
//!
//! The frame-dependent cyclic shift `θ_f` is applied as the spec writes it: since
//! `33/132 = 1/4`, `e^{−j2πθ_f n} = (−j)^{n·((n_f/2) mod 4)}` — four distinct variants, which
//! give the UE the frame number modulo 8. (srsRAN's generator uses an integer θ, making the
//! four variants identical; ntn-reference.md §1.4 pitfall.)

use num_complex::Complex32;

use super::{NcellId, cis};
use crate::grid::{NBIOT_SUBCARRIERS, ResourceGrid, SYMBOLS_PER_SUBFRAME};

/// Sequence length.
pub const NSSS_LEN: usize = 132;
/// Subframe carrying the NSSS.
pub const NSSS_SUBFRAME: usize = 9;
/// First OFDM symbol of the NSSS.
pub const NSSS_FIRST_SYMBOL: usize = 3;
/// Rows of the 128×128 Sylvester–Hadamard matrix used as `b_q`, q = 0…3
/// (36.211 Table 10.2.7.2.1-1).
pub const NSSS_HADAMARD_ROWS: [u32; 4] = [0, 31, 63, 127];

/// True if frame `n_f` carries an NSSS (`n_f mod 2 = 0`).
pub const fn nsss_in_frame(n_f: u32) -> bool {
    n_f.is_multiple_of(2)
}

/// The frame variant index `(n_f/2) mod 4` (so `θ_f = variant/4`).
pub const fn nsss_variant(n_f: u32) -> u32 {
    (n_f / 2) % 4
}

/// `b_q(m)` = element `m` of Hadamard row `NSSS_HADAMARD_ROWS[q]`, `(−1)^{popcount(row & m)}`.
pub fn nsss_bq(q: usize, m: usize) -> f32 {
    if (NSSS_HADAMARD_ROWS[q] & m as u32)
        .count_ones()
        .is_multiple_of(2)
    {
        1.0
    } else {
        -1.0
    }
}

/// Generates `d(0…131)` for cell `cell` and frame variant `variant = (n_f/2) mod 4`.
pub fn nsss_sequence_variant(cell: NcellId, variant: u32, out: &mut [Complex32; NSSS_LEN]) {
    let id = u64::from(cell.get());
    let u = id % 126 + 3;
    let q = (id / 126) as usize;
    let v = u64::from(variant % 4);
    for (n, o) in out.iter_mut().enumerate() {
        let np = (n % 131) as u64;
        // e^{−jπ u n'(n'+1)/131}: exponent reduced modulo 262
        let zc = (u * np * (np + 1)) % 262;
        // (−j)^{n·v} = e^{−jπ/2·(n·v mod 4)}
        let sh = (n as u64 * v) % 4;
        let phase = -std::f64::consts::PI * (zc as f64 / 131.0 + sh as f64 / 2.0);
        *o = cis(phase) * nsss_bq(q, n % 128);
    }
}

/// Generates the NSSS of frame `n_f`.
pub fn nsss_sequence(cell: NcellId, n_f: u32, out: &mut [Complex32; NSSS_LEN]) {
    nsss_sequence_variant(cell, nsss_variant(n_f), out);
}

/// Writes the NSSS of frame `n_f` into a subframe grid (symbols 3…13, all 12 REs).
///
/// # Panics
/// If the grid is not a 12 × 14 NB-IoT subframe grid (a caller bug).
pub fn nsss_map(grid: &mut ResourceGrid, cell: NcellId, n_f: u32) {
    assert_eq!(
        grid.n_symbols(),
        SYMBOLS_PER_SUBFRAME,
        "nsss_map: subframe grid"
    );
    let mut d = [Complex32::default(); NSSS_LEN];
    nsss_sequence(cell, n_f, &mut d);
    for (i, chunk) in d.chunks_exact(NBIOT_SUBCARRIERS).enumerate() {
        grid.symbol_mut(NSSS_FIRST_SYMBOL + i)
            .copy_from_slice(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f32, im: f32) -> Complex32 {
        Complex32::new(re, im)
    }

    #[test]
    fn golden_cell0() {
        // ntn-reference.md §7.3
        let cell = NcellId::new(0).unwrap();
        let mut d = [Complex32::default(); NSSS_LEN];
        nsss_sequence(cell, 0, &mut d);
        let e0 = [
            c(1.0, 0.0),
            c(0.989666, -0.143394),
            c(0.908269, -0.418387),
            c(0.649904, -0.760016),
        ];
        for (n, e) in e0.iter().enumerate() {
            assert!((d[n] - e).norm() < 1e-6, "n_f=0 d({n}) = {}", d[n]);
        }
        nsss_sequence(cell, 2, &mut d);
        let e2 = [
            c(1.0, 0.0),
            c(-0.143394, -0.989666),
            c(-0.908269, 0.418387),
            c(0.760016, 0.649904),
        ];
        for (n, e) in e2.iter().enumerate() {
            assert!((d[n] - e).norm() < 1e-6, "n_f=2 d({n}) = {}", d[n]);
        }
    }

    #[test]
    fn properties_over_all_cells() {
        let mut all = Vec::with_capacity(504);
        let mut d0 = [Complex32::default(); NSSS_LEN];
        let mut d2 = [Complex32::default(); NSSS_LEN];
        for id in 0..504u16 {
            let cell = NcellId::new(id).unwrap();
            nsss_sequence(cell, 0, &mut d0);
            nsss_sequence(cell, 2, &mut d2);
            for n in 0..NSSS_LEN {
                assert!((d0[n].norm() - 1.0).abs() < 1e-6);
                // d(n_f = 2) = d(n_f = 0)·(−j)^n
                let r = match n % 4 {
                    0 => c(1.0, 0.0),
                    1 => c(0.0, -1.0),
                    2 => c(-1.0, 0.0),
                    _ => c(0.0, 1.0),
                };
                assert!((d2[n] - d0[n] * r).norm() < 1e-5);
            }
            all.push(d0);
        }
        // pairwise distinct
        for i in 0..all.len() {
            for j in (i + 1)..all.len() {
                let diff: f32 = all[i]
                    .iter()
                    .zip(&all[j])
                    .map(|(a, b)| (a - b).norm())
                    .sum();
                assert!(diff > 1.0, "cells {i} and {j} identical");
            }
        }
        // four variants distinct and b_q rows orthogonal
        let cell = NcellId::new(7).unwrap();
        nsss_sequence_variant(cell, 1, &mut d0);
        nsss_sequence_variant(cell, 3, &mut d2);
        assert!(d0.iter().zip(&d2).any(|(a, b)| (a - b).norm() > 0.5));
        for q in 0..4 {
            for r in 0..4 {
                let ip: f32 = (0..128).map(|m| nsss_bq(q, m) * nsss_bq(r, m)).sum();
                assert_eq!(ip, if q == r { 128.0 } else { 0.0 });
            }
        }
        assert!(nsss_in_frame(514) && !nsss_in_frame(515));
        assert_eq!(nsss_variant(514), 1);
    }

    #[test]
    fn mapping() {
        let cell = NcellId::new(257).unwrap();
        let mut g = ResourceGrid::nbiot_subframe();
        nsss_map(&mut g, cell, 6);
        let mut d = [Complex32::default(); NSSS_LEN];
        nsss_sequence(cell, 6, &mut d);
        assert_eq!(g.get(0, 3), d[0]);
        assert_eq!(g.get(11, 3), d[11]);
        assert_eq!(g.get(0, 4), d[12]);
        assert_eq!(g.get(11, 13), d[131]);
        assert_eq!(g.get(5, 2), Complex32::default());
    }
}
