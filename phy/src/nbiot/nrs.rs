//! Narrowband reference signal, 36.211 §10.2.6 (sequence of §6.10.1.1 with `N_ID^Ncell`).
//!
//! `r(m) = (1−2c(2m))/√2 + j(1−2c(2m+1))/√2`,
//! `c_init = 2^10·(7(n_s+1)+l+1)·(2N_ID+1) + 2N_ID + N_CP` (`N_CP = 1`), in symbols `l = 5, 6`
//! of each slot, REs `k = 6m + (v + v_shift) mod 6`, `m = 0, 1`, sequence index `m' = m + 109`;
//! `v` = 0 (l=5) / 3 (l=6) for port 2000, 3 / 0 for port 2001; `v_shift = N_ID mod 6`.

use num_complex::Complex32;

use super::{NcellId, NrsPorts};
use crate::gold::gold_bits;
use crate::grid::{ResourceGrid, SYMBOLS_PER_SLOT};

/// Symbols within a subframe that carry NRS (l = 5, 6 of each slot).
pub const NRS_SYMBOLS: [usize; 4] = [5, 6, 12, 13];
/// `N_RB^max,DL − 1`: offset of the NB-IoT PRB into the full-bandwidth sequence.
const M_PRIME_OFFSET: usize = 109;

/// `c_init` of the NRS for slot `n_s` (0…19) and symbol `l` within the slot (5 or 6).
pub fn nrs_c_init(cell: NcellId, n_s: u32, l: u32) -> u32 {
    let id = u32::from(cell.get());
    (1 << 10) * (7 * (n_s + 1) + l + 1) * (2 * id + 1) + 2 * id + 1
}

/// The two NRS values `r(m')`, `m' = 109, 110`, of slot `n_s` and in-slot symbol `l`.
pub fn nrs_values(cell: NcellId, n_s: u32, l: u32) -> [Complex32; 2] {
    let mut c = [0u8; 4];
    gold_bits(nrs_c_init(cell, n_s, l), 2 * M_PRIME_OFFSET, &mut c);
    let h = std::f32::consts::FRAC_1_SQRT_2;
    let v = |b: u8| h * (1.0 - 2.0 * f32::from(b));
    [
        Complex32::new(v(c[0]), v(c[1])),
        Complex32::new(v(c[2]), v(c[3])),
    ]
}

/// The two subcarriers of the NRS of `port` (0 = port 2000, 1 = 2001) in in-slot symbol `l`.
pub fn nrs_subcarriers(cell: NcellId, port: usize, l: usize) -> [usize; 2] {
    let first = l % SYMBOLS_PER_SLOT == 5;
    let v = match (port, first) {
        (0, true) | (1, false) => 0,
        _ => 3,
    };
    let k0 = (v + cell.v_shift()) % 6;
    [k0, k0 + 6]
}

/// The NRS positions `(k, l, port)` of `ports` in a subframe (8 per port; the same in every
/// subframe), without generating the sequence.
pub fn nrs_positions(cell: NcellId, ports: NrsPorts, out: &mut Vec<(usize, usize, usize)>) {
    out.clear();
    for port in 0..ports.count() {
        for &l in &NRS_SYMBOLS {
            for k in nrs_subcarriers(cell, port, l % SYMBOLS_PER_SLOT) {
                out.push((k, l, port));
            }
        }
    }
}

/// One NRS pilot: position, port and transmitted value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NrsPilot {
    /// Subcarrier 0…11.
    pub k: usize,
    /// Symbol within the subframe 0…13.
    pub l: usize,
    /// Port index (0 = 2000, 1 = 2001).
    pub port: usize,
    /// Transmitted value.
    pub value: Complex32,
}

/// Lists the NRS pilots of subframe `subframe` (0…9) for `ports` into `out` (cleared first):
/// 8 per port.
pub fn nrs_pilots(cell: NcellId, subframe: u32, ports: NrsPorts, out: &mut Vec<NrsPilot>) {
    out.clear();
    for port in 0..ports.count() {
        for &l in &NRS_SYMBOLS {
            let n_s = 2 * subframe + (l / SYMBOLS_PER_SLOT) as u32;
            let li = l % SYMBOLS_PER_SLOT;
            let r = nrs_values(cell, n_s, li as u32);
            let ks = nrs_subcarriers(cell, port, li);
            for m in 0..2 {
                out.push(NrsPilot {
                    k: ks[m],
                    l,
                    port,
                    value: r[m],
                });
            }
        }
    }
}

/// Writes the NRS of `port` into the grid of that port for subframe `subframe` (0…9).
pub fn nrs_map(grid: &mut ResourceGrid, cell: NcellId, subframe: u32, port: usize) {
    let mut pilots = Vec::with_capacity(16);
    nrs_pilots(
        cell,
        subframe,
        if port == 0 {
            NrsPorts::One
        } else {
            NrsPorts::Two
        },
        &mut pilots,
    );
    for p in pilots.iter().filter(|p| p.port == port) {
        grid.set(p.k, p.l, p.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_values() {
        let cell = NcellId::new(0).unwrap();
        assert_eq!(nrs_subcarriers(cell, 0, 5), [0, 6]);
        assert_eq!(nrs_subcarriers(cell, 0, 6), [3, 9]);
        assert_eq!(nrs_subcarriers(cell, 1, 5), [3, 9]);
        assert_eq!(nrs_subcarriers(cell, 1, 6), [0, 6]);
        let c257 = NcellId::new(257).unwrap(); // v_shift 5
        assert_eq!(nrs_subcarriers(c257, 0, 5), [5, 11]);
        assert_eq!(nrs_subcarriers(c257, 0, 6), [2, 8]);
        // c_init for N_ID 0, n_s 0, l 5: 1024·13·1 + 1
        assert_eq!(nrs_c_init(cell, 0, 5), 13 * 1024 + 1);
        // values: direct from the Gold sequence bits 218..221
        let mut c = [0u8; 222];
        gold_bits(13 * 1024 + 1, 0, &mut c);
        let r = nrs_values(cell, 0, 5);
        let h = std::f32::consts::FRAC_1_SQRT_2;
        assert_eq!(r[0].re, h * (1.0 - 2.0 * f32::from(c[218])));
        assert_eq!(r[1].im, h * (1.0 - 2.0 * f32::from(c[221])));
        let mut pilots = Vec::new();
        nrs_pilots(cell, 0, NrsPorts::Two, &mut pilots);
        assert_eq!(pilots.len(), 16);
        // ports never collide
        for a in &pilots {
            for b in &pilots {
                if a.port != b.port {
                    assert!(a.k != b.k || a.l != b.l);
                }
            }
        }
        let mut g = ResourceGrid::nbiot_subframe();
        nrs_map(&mut g, cell, 0, 0);
        assert_eq!(g.as_slice().iter().filter(|v| v.norm() > 0.0).count(), 8);
    }
}
