//! Narrowband primary synchronisation signal, 36.211 §10.2.7.1.
//!
//! `d_l(n) = S(l)·e^{−jπu·n(n+1)/11}`, `n = 0…10`, `u = 5`, on REs `k = 0…10` of symbols
//! `l = 3…13` of subframe 5 of every frame; RE `k = 11` stays empty. It carries no cell identity.

use num_complex::Complex32;

use super::cis;
use crate::grid::{ResourceGrid, SYMBOLS_PER_SUBFRAME};
use crate::ofdm::NBIOT_FFT_SIZE;

/// Zadoff–Chu root `u`.
pub const NPSS_ROOT: u64 = 5;
/// Sequence length.
pub const NPSS_LEN: usize = 11;
/// Subframe carrying the NPSS.
pub const NPSS_SUBFRAME: usize = 5;
/// First OFDM symbol of the NPSS.
pub const NPSS_FIRST_SYMBOL: usize = 3;
/// Cover code `S(l)` for `l = 3…13`.
pub const NPSS_COVER: [f32; 11] = [1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0, -1.0, 1.0];

/// The base sequence `d(n) = e^{−jπu·n(n+1)/11}` (without the cover code).
pub fn npss_base_sequence() -> [Complex32; NPSS_LEN] {
    let mut d = [Complex32::default(); NPSS_LEN];
    for (n, v) in d.iter_mut().enumerate() {
        let n = n as u64;
        // exponent reduced modulo 22 (period of e^{−jπ m/11}) for exact phases
        let m = (NPSS_ROOT * n * (n + 1)) % 22;
        *v = cis(-std::f64::consts::PI * m as f64 / 11.0);
    }
    d
}

/// Writes the NPSS into a subframe grid (symbols 3…13; RE 11 of those symbols set to zero).
///
/// # Panics
/// If the grid is not a 12 × 14 NB-IoT subframe grid (a caller bug).
pub fn npss_map(grid: &mut ResourceGrid) {
    assert_eq!(
        grid.n_symbols(),
        SYMBOLS_PER_SUBFRAME,
        "npss_map: subframe grid"
    );
    let d = npss_base_sequence();
    for (i, &s) in NPSS_COVER.iter().enumerate() {
        let sym = grid.symbol_mut(NPSS_FIRST_SYMBOL + i);
        for (k, &v) in d.iter().enumerate() {
            sym[k] = v * s;
        }
        sym[11] = Complex32::default();
    }
}

/// The useful part (no CP) of one NPSS OFDM symbol without cover code, in the convention of
/// [`crate::ofdm`]: `p(n) = Σ_{k'=0}^{10} d(k')·e^{j2π(k'−5.5)n/128}`, `n = 0…127`. This is the
/// correlation reference of the UE's NPSS search.
pub fn npss_time_symbol() -> [Complex32; NBIOT_FFT_SIZE] {
    let d = npss_base_sequence();
    let mut p = [Complex32::default(); NBIOT_FFT_SIZE];
    for (n, v) in p.iter_mut().enumerate() {
        let mut acc = num_complex::Complex64::default();
        for (k, dk) in d.iter().enumerate() {
            let ph =
                2.0 * std::f64::consts::PI * (k as f64 - 5.5) * n as f64 / NBIOT_FFT_SIZE as f64;
            acc += num_complex::Complex64::new(f64::from(dk.re), f64::from(dk.im))
                * num_complex::Complex64::new(ph.cos(), ph.sin());
        }
        *v = Complex32::new(acc.re as f32, acc.im as f32);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ofdm::{NbiotOfdm, useful_start};

    /// ntn-reference.md §7.1.
    const D3: [(f32, f32); 11] = [
        (1.000000, 0.000000),
        (-0.959493, -0.281733),
        (-0.654861, -0.755750),
        (-0.142315, 0.989821),
        (-0.959493, 0.281733),
        (0.415415, 0.909632),
        (-0.959493, 0.281733),
        (-0.142315, 0.989821),
        (-0.654861, -0.755750),
        (-0.959493, -0.281733),
        (1.000000, 0.000000),
    ];

    #[test]
    fn golden_sequence_and_mapping() {
        let d = npss_base_sequence();
        for (n, (&v, &(re, im))) in d.iter().zip(D3.iter()).enumerate() {
            assert!(
                (v.re - re).abs() < 1e-6 && (v.im - im).abs() < 1e-6,
                "d({n}) = {v}"
            );
            assert!((v - d[10 - n]).norm() < 1e-6, "symmetry");
        }
        let mut g = ResourceGrid::nbiot_subframe();
        g.set(11, 5, Complex32::new(9.0, 9.0));
        npss_map(&mut g);
        for l in 3..14 {
            let s = NPSS_COVER[l - 3];
            for (k, &dk) in d.iter().enumerate() {
                assert!((g.get(k, l) - dk * s).norm() < 1e-7);
            }
            assert_eq!(g.get(11, l), Complex32::default());
        }
        for l in 0..3 {
            assert!(g.symbol(l).iter().all(|v| *v == Complex32::default()));
        }
    }

    #[test]
    fn golden_time_domain() {
        // ntn-reference.md §7.1: s(0..3) and mean power 11
        let expect = [
            (-3.016908f32, 1.377776f32),
            (-2.986976, 1.468497),
            (-2.961326, 1.592223),
            (-2.932256, 1.746959),
        ];
        let p = npss_time_symbol();
        for (n, &(re, im)) in expect.iter().enumerate() {
            assert!(
                (p[n].re - re).abs() < 1e-5 && (p[n].im - im).abs() < 1e-5,
                "s({n}) = {}",
                p[n]
            );
        }
        let pow: f32 = p.iter().map(|v| v.norm_sqr()).sum::<f32>() / 128.0;
        assert!((pow - 11.0).abs() < 1e-4);
        // the OFDM modulator gives the same useful part for symbol l = 3 (S = +1)
        let mut g = ResourceGrid::nbiot_subframe();
        npss_map(&mut g);
        let mut sf = vec![Complex32::default(); 1920];
        NbiotOfdm::new().modulate_subframe(&g, &mut sf);
        let u = useful_start(3);
        for n in 0..128 {
            assert!((sf[u + n] - p[n]).norm() < 1e-4);
        }
        // l = 7 has S = −1
        let u7 = useful_start(7);
        assert!((sf[u7] + p[0]).norm() < 1e-4);
    }
}
