//! NPUSCH demodulation reference signal, TS 36.211 §10.1.4.
//!
//! - Single tone (`N_sc^RU = 1`, §10.1.4.1.1): `r̄(n) = (1+j)/√2 · (1 − 2c(n)) · w_u(n mod 16)`,
//!   one value per slot over the whole transmission (`0 ≤ n < M_rep·N_RU·N_slots^UL`), `c(n)`
//!   the Gold sequence with `c_init = 35`, `w_u` a row of Table 10.1.4.1.1-1. Format 1 uses
//!   `r̄` directly; format 2 sends three DMRS symbols per slot, `r(3n+m) = w̄(m)·r̄(n)`, with
//!   the length-3 orthogonal cover `w̄` of Table 5.5.2.2.1-2 selected per slot by
//!   `(Σ_{i<8} c(8n_s + i)·2^i) mod 3`, `c_init = N_ID^Ncell` (frame structure type 1).
//! - Multi tone (`N_sc^RU = 3, 6, 12`, §10.1.4.1.2): `r_u(n) = e^{jαn}·e^{jφ(n)π/4}` with `φ`
//!   from Tables 10.1.4.1.2-1 (3 tones), 10.1.4.1.2-2 (6 tones) and the LTE Table 5.5.1.2-1
//!   (12 tones), the cyclic shift `α` of Table 10.1.4.1.2-3 (0 for 12 tones).
//! - Group hopping (§10.1.4.1.3, format 1): `u = (f_gh(n') + f_ss) mod N_seq^RU`,
//!   `f_gh(n') = (Σ_{i<8} c(8n' + i)·2^i) mod N_seq^RU` with `c_init = ⌊N_ID/N_seq^RU⌋`,
//!   `f_ss = (N_ID + Δ_ss) mod N_seq^RU`; `n' = n_s` for multi-tone, and the slot number of the
//!   first slot of the resource unit for single tone.
//! - Position (Table 10.1.4.2-1): format 1 in symbol 4 (3.75 kHz) or 3 (15 kHz); format 2 in
//!   symbols 0, 1, 2 (3.75 kHz) or 2, 3, 4 (15 kHz).

use num_complex::Complex32;

use crate::error::PhyError;
use crate::gold::{GoldSequence, gold_bits};

/// `w(0..15)` of Table 10.1.4.1.1-1, row `u` (single-tone DMRS cover).
pub const SINGLE_TONE_W: [[i8; 16]; 16] = [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1],
    [1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1],
    [1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1],
    [1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1],
    [1, -1, 1, -1, -1, 1, -1, 1, 1, -1, 1, -1, -1, 1, -1, 1],
    [1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1, 1, 1],
    [1, -1, -1, 1, -1, 1, 1, -1, 1, -1, -1, 1, -1, 1, 1, -1],
    [1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1],
    [1, -1, 1, -1, 1, -1, 1, -1, -1, 1, -1, 1, -1, 1, -1, 1],
    [1, 1, -1, -1, 1, 1, -1, -1, -1, -1, 1, 1, -1, -1, 1, 1],
    [1, -1, -1, 1, 1, -1, -1, 1, -1, 1, 1, -1, -1, 1, 1, -1],
    [1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1],
    [1, -1, 1, -1, -1, 1, -1, 1, -1, 1, -1, 1, 1, -1, 1, -1],
    [1, 1, -1, -1, -1, -1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1],
    [1, -1, -1, 1, -1, 1, 1, -1, -1, 1, 1, -1, 1, -1, -1, 1],
];

/// `φ(0..2)` of Table 10.1.4.1.2-1 (3 tones), row `u`.
pub const PHI_3: [[i8; 3]; 12] = [
    [1, -3, -3],
    [1, -3, -1],
    [1, -3, 3],
    [1, -1, -1],
    [1, -1, 1],
    [1, -1, 3],
    [1, 1, -3],
    [1, 1, -1],
    [1, 1, 3],
    [1, 3, -1],
    [1, 3, 1],
    [1, 3, 3],
];

/// `φ(0..5)` of Table 10.1.4.1.2-2 (6 tones), row `u`.
pub const PHI_6: [[i8; 6]; 14] = [
    [1, 1, 1, 1, 3, -3],
    [1, 1, 3, 1, -3, 3],
    [1, -1, -1, -1, 1, -3],
    [1, -1, 3, -3, -1, -1],
    [1, 3, 1, -1, -1, 3],
    [1, -3, -3, 1, 3, 1],
    [-1, -1, 1, -3, -3, -1],
    [-1, -1, -1, 3, -3, -1],
    [3, -1, 1, -3, -3, 3],
    [3, -1, 3, -3, -1, 1],
    [3, -3, 3, -1, 3, 3],
    [-3, 1, 3, 1, -3, -1],
    [-3, 1, -3, 3, -3, -1],
    [-3, 3, -3, 1, 1, -3],
];

/// `φ(0..11)` of TS 36.211 Table 5.5.1.2-1 (`M_sc = 12`), row `u` (12-tone NPUSCH DMRS).
pub const PHI_12: [[i8; 12]; 30] = [
    [-1, 1, 3, -3, 3, 3, 1, 1, 3, 1, -3, 3],
    [1, 1, 3, 3, 3, -1, 1, -3, -3, 1, -3, 3],
    [1, 1, -3, -3, -3, -1, -3, -3, 1, -3, 1, -1],
    [-1, 1, 1, 1, 1, -1, -3, -3, 1, -3, 3, -1],
    [-1, 3, 1, -1, 1, -1, -3, -1, 1, -1, 1, 3],
    [1, -3, 3, -1, -1, 1, 1, -1, -1, 3, -3, 1],
    [-1, 3, -3, -3, -3, 3, 1, -1, 3, 3, -3, 1],
    [-3, -1, -1, -1, 1, -3, 3, -1, 1, -3, 3, 1],
    [1, -3, 3, 1, -1, -1, -1, 1, 1, 3, -1, 1],
    [1, -3, -1, 3, 3, -1, -3, 1, 1, 1, 1, 1],
    [-1, 3, -1, 1, 1, -3, -3, -1, -3, -3, 3, -1],
    [3, 1, -1, -1, 3, 3, -3, 1, 3, 1, 3, 3],
    [1, -3, 1, 1, -3, 1, 1, 1, -3, -3, -3, 1],
    [3, 3, -3, 3, -3, 1, 1, 3, -1, -3, 3, 3],
    [-3, 1, -1, -3, -1, 3, 1, 3, 3, 3, -1, 1],
    [3, -1, 1, -3, -1, -1, 1, 1, 3, 1, -1, -3],
    [1, 3, 1, -1, 1, 3, 3, 3, -1, -1, 3, -1],
    [-3, 1, 1, 3, -3, 3, -3, -3, 3, 1, 3, -1],
    [-3, 3, 1, 1, -3, 1, -3, -3, -1, -1, 1, -3],
    [-1, 3, 1, 3, 1, -1, -1, 3, -3, -1, -3, -1],
    [-1, -3, 1, 1, 1, 1, 3, 1, -1, 1, -3, -1],
    [-1, 3, -1, 1, -3, -3, -3, -3, -3, 1, -1, -3],
    [1, 1, -3, -3, -3, -3, -1, 3, -3, 1, -3, 3],
    [1, 1, -1, -3, -1, -3, 1, -1, 1, 3, -1, 1],
    [1, 1, 3, 1, 3, 3, -1, 1, -1, -3, -3, 1],
    [1, -3, 3, 3, 1, 3, 3, 1, -3, -1, -1, 3],
    [1, 3, -3, -3, 3, -3, 1, -1, -1, 3, -1, -3],
    [-3, -1, -3, -1, -3, 3, 1, -1, 1, 3, -3, -3],
    [-1, 3, -3, 3, -1, 3, 3, -3, 3, 3, -1, -1],
    [3, -3, -3, -1, -1, -3, -1, 3, -3, 3, 1, -1],
];

/// `c_init` of the single-tone DMRS sequence `c(n)` (§10.1.4.1.1).
pub const SINGLE_TONE_C_INIT: u32 = 35;

/// `N_seq^RU` of Table 10.1.4.1.3-1 for `n_sc` tones.
///
/// # Errors
/// `OutOfRange` unless `n_sc ∈ {1, 3, 6, 12}`.
pub fn n_seq_ru(n_sc: usize) -> Result<usize, PhyError> {
    match n_sc {
        1 => Ok(16),
        3 => Ok(12),
        6 => Ok(14),
        12 => Ok(30),
        _ => Err(PhyError::OutOfRange {
            what: "NPUSCH N_sc^RU",
            value: n_sc as i64,
        }),
    }
}

/// The cyclic shift `α` (radians) of Table 10.1.4.1.2-3: `threeTone-CyclicShift` 0..2 or
/// `sixTone-CyclicShift` 0..3; 12 tones use `α = 0` (only shift 0 accepted).
///
/// # Errors
/// `OutOfRange` for a shift index the table does not have.
pub fn cyclic_shift_rad(n_sc: usize, shift: u8) -> Result<f64, PhyError> {
    use std::f64::consts::PI;
    let err = PhyError::OutOfRange {
        what: "NPUSCH DMRS cyclic shift",
        value: i64::from(shift),
    };
    match (n_sc, shift) {
        (3, s @ 0..=2) => Ok(2.0 * PI * f64::from(s) / 3.0),
        (6, 0) => Ok(0.0),
        (6, 1) => Ok(2.0 * PI / 6.0),
        (6, 2) => Ok(4.0 * PI / 6.0),
        (6, 3) => Ok(8.0 * PI / 6.0),
        (1 | 12, 0) => Ok(0.0),
        _ => Err(err),
    }
}

/// `(Σ_{i=0}^{7} c(8n + i)·2^i)` for the Gold sequence with `c_init`.
fn gold_byte(c_init: u32, n: usize) -> usize {
    let mut b = [0u8; 8];
    gold_bits(c_init, 8 * n, &mut b);
    b.iter()
        .enumerate()
        .map(|(i, &x)| usize::from(x) << i)
        .sum()
}

/// Base sequence index `u` under group hopping (§10.1.4.1.3) for slot number `n_prime`
/// (`n_s` for multi-tone, the first slot of the RU for single tone).
///
/// # Errors
/// `OutOfRange` for a bad `n_sc`.
pub fn group_hopping_u(
    n_id: u16,
    n_sc: usize,
    n_prime: usize,
    delta_ss: u8,
) -> Result<usize, PhyError> {
    let n_seq = n_seq_ru(n_sc)?;
    let c_init = u32::from(n_id) / n_seq as u32;
    let f_gh = gold_byte(c_init, n_prime) % n_seq;
    let f_ss = (usize::from(n_id) + usize::from(delta_ss)) % n_seq;
    Ok((f_gh + f_ss) % n_seq)
}

/// Index (0, 1, 2) of the format-2 orthogonal cover `w̄` for slot `n_s`:
/// `(Σ_{i<8} c(8n_s + i)·2^i) mod 3` with `c_init = N_ID^Ncell`.
pub fn format2_cover_index(n_id: u16, n_s: usize) -> usize {
    gold_byte(u32::from(n_id), n_s) % 3
}

/// The length-3 orthogonal cover `w̄(m)` of TS 36.211 Table 5.5.2.2.1-2 (normal CP, three
/// reference symbols): `[1, 1, 1]`, `[1, e^{j2π/3}, e^{j4π/3}]`, `[1, e^{j4π/3}, e^{j2π/3}]`.
pub fn format2_cover(index: usize, m: usize) -> Complex32 {
    let k = (index % 3) * m % 3;
    let ph = 2.0 * std::f32::consts::PI * k as f32 / 3.0;
    Complex32::new(ph.cos(), ph.sin())
}

/// Fills `out[n] = r̄(n)` of the single-tone sequence, `n = offset … offset + out.len() − 1`,
/// with cover row `u`.
///
/// # Errors
/// `OutOfRange` for `u ≥ 16`.
pub fn single_tone_sequence(
    u: usize,
    offset: usize,
    out: &mut [Complex32],
) -> Result<(), PhyError> {
    if u >= 16 {
        return Err(PhyError::OutOfRange {
            what: "single-tone DMRS base sequence u",
            value: u as i64,
        });
    }
    let mut g = GoldSequence::new(SINGLE_TONE_C_INIT);
    g.skip(offset);
    let a = std::f32::consts::FRAC_1_SQRT_2;
    for (i, o) in out.iter_mut().enumerate() {
        let n = offset + i;
        let s = (1.0 - 2.0 * f32::from(g.next_bit())) * f32::from(SINGLE_TONE_W[u][n % 16]);
        *o = Complex32::new(a * s, a * s);
    }
    Ok(())
}

/// Fills `out` (length `n_sc`) with the multi-tone sequence `r_u(n) = e^{jαn}·e^{jφ(n)π/4}`.
///
/// # Errors
/// `OutOfRange` for a bad `n_sc`, `u` or cyclic shift; `Length` if `out.len() != n_sc`.
pub fn multi_tone_sequence(
    n_sc: usize,
    u: usize,
    cyclic_shift: u8,
    out: &mut [Complex32],
) -> Result<(), PhyError> {
    crate::error::check_len("multi-tone DMRS output", n_sc, out.len())?;
    let alpha = cyclic_shift_rad(n_sc, cyclic_shift)?;
    let bad_u = PhyError::OutOfRange {
        what: "multi-tone DMRS base sequence u",
        value: u as i64,
    };
    let phi: &[i8] = match n_sc {
        3 => PHI_3.get(u).ok_or(bad_u)?,
        6 => PHI_6.get(u).ok_or(bad_u)?,
        12 => PHI_12.get(u).ok_or(bad_u)?,
        _ => {
            return Err(PhyError::OutOfRange {
                what: "multi-tone DMRS N_sc^RU",
                value: n_sc as i64,
            });
        }
    };
    for (n, (o, &p)) in out.iter_mut().zip(phi).enumerate() {
        let ph = alpha * n as f64 + f64::from(p) * std::f64::consts::FRAC_PI_4;
        *o = Complex32::new(ph.cos() as f32, ph.sin() as f32);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walsh_rows_are_hadamard_and_orthogonal() {
        for (u, row) in SINGLE_TONE_W.iter().enumerate() {
            for (n, &w) in row.iter().enumerate() {
                let parity = (u & n).count_ones() % 2;
                assert_eq!(w, if parity == 0 { 1 } else { -1 }, "u {u} n {n}");
            }
            for (v, other) in SINGLE_TONE_W.iter().enumerate() {
                let dot: i32 = row.iter().zip(other).map(|(&a, &b)| i32::from(a * b)).sum();
                assert_eq!(dot, if u == v { 16 } else { 0 });
            }
        }
    }

    #[test]
    fn multi_tone_constant_modulus_and_distinct() {
        for (n_sc, rows) in [(3usize, 12usize), (6, 14), (12, 30)] {
            assert_eq!(n_seq_ru(n_sc).unwrap(), rows);
            let mut seqs = Vec::new();
            for u in 0..rows {
                let mut r = vec![Complex32::default(); n_sc];
                multi_tone_sequence(n_sc, u, 0, &mut r).unwrap();
                assert!(r.iter().all(|x| (x.norm() - 1.0).abs() < 1e-6));
                seqs.push(r);
            }
            for a in 0..rows {
                for b in a + 1..rows {
                    let d: f32 = seqs[a]
                        .iter()
                        .zip(&seqs[b])
                        .map(|(x, y)| (x - y).norm())
                        .sum();
                    assert!(d > 1e-3, "{n_sc} tones: rows {a} and {b} equal");
                }
            }
            let mut r = vec![Complex32::default(); n_sc];
            assert!(multi_tone_sequence(n_sc, rows, 0, &mut r).is_err());
        }
    }

    #[test]
    fn spec_table_spot_values() {
        // Table 10.1.4.1.2-1 u = 11: 1, 3, 3; Table 10.1.4.1.2-2 u = 13: -3,3,-3,1,1,-3;
        // Table 5.5.1.2-1 u = 0 starts -1, 1, 3, -3.
        assert_eq!(PHI_3[11], [1, 3, 3]);
        assert_eq!(PHI_6[13], [-3, 3, -3, 1, 1, -3]);
        assert_eq!(&PHI_12[0][..4], &[-1, 1, 3, -3]);
        let mut r = [Complex32::default(); 3];
        multi_tone_sequence(3, 0, 1, &mut r).unwrap();
        // α = 2π/3, n = 1, φ = -3: phase 2π/3 - 3π/4 = -π/12.
        let want = -std::f32::consts::PI / 12.0;
        assert!((r[1].arg() - want).abs() < 1e-5);
        assert!(cyclic_shift_rad(6, 4).is_err());
        assert!(cyclic_shift_rad(12, 1).is_err());
        assert!((cyclic_shift_rad(6, 3).unwrap() - 8.0 * std::f64::consts::PI / 6.0).abs() < 1e-12);
    }

    #[test]
    fn single_tone_uses_gold_35_and_cover() {
        let mut r = vec![Complex32::default(); 40];
        single_tone_sequence(5, 0, &mut r).unwrap();
        let mut c = vec![0u8; 40];
        gold_bits(35, 0, &mut c);
        for n in 0..40 {
            let s = (1.0 - 2.0 * f32::from(c[n])) * f32::from(SINGLE_TONE_W[5][n % 16]);
            assert!((r[n].re - s * std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-7);
            assert_eq!(r[n].re, r[n].im);
        }
        // Offsets stream the same sequence.
        let mut tail = vec![Complex32::default(); 7];
        single_tone_sequence(5, 33, &mut tail).unwrap();
        assert_eq!(&r[33..40], &tail[..]);
        assert!(single_tone_sequence(16, 0, &mut tail).is_err());
    }

    #[test]
    fn covers_are_orthogonal_and_hopping_in_range() {
        for a in 0..3 {
            for b in 0..3 {
                let s: Complex32 = (0..3)
                    .map(|m| format2_cover(a, m) * format2_cover(b, m).conj())
                    .sum();
                let want = if a == b { 3.0 } else { 0.0 };
                assert!((s.re - want).abs() < 1e-5 && s.im.abs() < 1e-5);
            }
        }
        for n_sc in [1usize, 3, 6, 12] {
            let n_seq = n_seq_ru(n_sc).unwrap();
            let mut seen = vec![false; n_seq];
            for ns in 0..20 {
                for id in [0u16, 17, 503] {
                    let u = group_hopping_u(id, n_sc, ns, 3).unwrap();
                    assert!(u < n_seq);
                    seen[u] = true;
                }
            }
            assert!(seen.iter().filter(|&&s| s).count() > 3, "hopping varies u");
        }
    }
}
