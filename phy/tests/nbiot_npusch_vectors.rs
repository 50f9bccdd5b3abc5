//! NPUSCH sequences against the independent Python reference
//! (`vectors/data/phy/ul/npusch_sequences.txt`, made by `vectors/gen/npusch_ref.py` from the
//! TS 36.211 equations): scrambling `c_init` and bits, single- and multi-tone DMRS, group
//! hopping, the format-2 cover index and the single-tone phase rotation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_phy::Complex32;
use ntn_phy::nbiot::ul::dmrs;
use ntn_phy::nbiot::ul::npusch::{
    NpuschConfig, NpuschParams, UlModulation, UlSlot, UlSpacing, npusch_c_init,
};
use ntn_phy::scrambling::scramble_bits;

const REF: &str = include_str!("../../vectors/data/phy/ul/npusch_sequences.txt");

fn nums<T: std::str::FromStr>(f: &[&str]) -> Vec<T>
where
    T::Err: std::fmt::Debug,
{
    f.iter().map(|s| s.parse().unwrap()).collect()
}

#[test]
fn sequences_match_python_reference() {
    let mut counts = [0usize; 6];
    for line in REF
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f[0] {
            "scr" => {
                let v: Vec<u32> = nums(&f[1..6]);
                let slot = UlSlot {
                    frame: v[1] as u16,
                    slot: v[2] as u8,
                };
                let c_init = npusch_c_init(v[0] as u16, slot, v[3] as u16);
                assert_eq!(c_init, v[4], "{line}");
                let mut bits = vec![0u8; 64];
                scramble_bits(&mut bits, c_init, 0);
                let want: Vec<u8> = f[6].bytes().map(|b| b - b'0').collect();
                assert_eq!(bits, want, "{line}");
                counts[0] += 1;
            }
            "st" => {
                let v: Vec<usize> = nums(&f[1..3]);
                let mut r = vec![Complex32::default(); 64];
                dmrs::single_tone_sequence(v[0], v[1], &mut r).unwrap();
                for (x, s) in r.iter().zip(f[3].chars()) {
                    let want = if s == '+' { 1.0 } else { -1.0 } * std::f32::consts::FRAC_1_SQRT_2;
                    assert!(
                        (x.re - want).abs() < 1e-6 && (x.im - want).abs() < 1e-6,
                        "{line}"
                    );
                }
                counts[1] += 1;
            }
            "mt" => {
                let v: Vec<usize> = nums(&f[1..4]);
                let vals: Vec<f32> = nums(&f[4..]);
                let mut r = vec![Complex32::default(); v[0]];
                dmrs::multi_tone_sequence(v[0], v[1], v[2] as u8, &mut r).unwrap();
                for (n, x) in r.iter().enumerate() {
                    let want = Complex32::new(vals[2 * n], vals[2 * n + 1]);
                    assert!((x - want).norm() < 1e-5, "{line} n {n}");
                }
                counts[2] += 1;
            }
            "hop" => {
                let v: Vec<usize> = nums(&f[1..6]);
                let u = dmrs::group_hopping_u(v[1] as u16, v[0], v[2], v[3] as u8).unwrap();
                assert_eq!(u, v[4], "{line}");
                counts[3] += 1;
            }
            "cover" => {
                let v: Vec<usize> = nums(&f[1..4]);
                assert_eq!(dmrs::format2_cover_index(v[0] as u16, v[1]), v[2], "{line}");
                counts[4] += 1;
            }
            "phase" => {
                let v: Vec<usize> = nums(&f[1..4]);
                let want: Vec<f64> = nums(&f[4..]);
                let spacing = if v[0] == 15000 {
                    UlSpacing::Khz15
                } else {
                    UlSpacing::Khz3_75
                };
                let m = if v[2] == 2 {
                    UlModulation::Pi2Bpsk
                } else {
                    UlModulation::Pi4Qpsk
                };
                let mut cfg = NpuschConfig::data(spacing, 1, m, 0, 0, 1);
                cfg.first_subcarrier = v[1];
                let p = NpuschParams::new(cfg).unwrap();
                let mut ph = vec![0.0; 7 * p.total_slots];
                p.single_tone_phases(&mut ph).unwrap();
                for (l, w) in want.iter().enumerate() {
                    let d = (ph[l] - w).rem_euclid(2.0 * std::f64::consts::PI);
                    assert!(d.min(2.0 * std::f64::consts::PI - d) < 1e-6, "{line} l {l}");
                }
                counts[5] += 1;
            }
            other => panic!("unknown vector line kind {other}"),
        }
    }
    // Every kind present: 12 scrambling, 12 single-tone, 122 multi-tone, 40 hopping,
    // 20 cover, 12 phase lines.
    assert_eq!(counts, [12, 12, 122, 40, 20, 12]);
}
