//! Statistics of the NTN-TDL generator over many realisations (TR 38.811 §6.9.2).
#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use ntn_sim::channel::tdl::{FadingProfile, Tdl, TdlConfig};
use ntn_sim::math::bessel_j;
use ntn_types::Hz;
use num_complex::Complex32;

const REALISATIONS: u64 = 10_000;

fn normalised_powers(profile: FadingProfile) -> Vec<f64> {
    let taps = profile.taps();
    let total: f64 = taps.iter().map(|t| 10f64.powf(t.power_db / 10.0)).sum();
    taps.iter()
        .map(|t| 10f64.powf(t.power_db / 10.0) / total)
        .collect()
}

/// Mean power of every tap over 10⁴ realisations is the (normalised) table power within
/// 0.2 dB.
#[test]
fn power_delay_profiles() {
    for profile in [
        FadingProfile::TdlA,
        FadingProfile::TdlB,
        FadingProfile::TdlC,
        FadingProfile::TdlD,
    ] {
        let want = normalised_powers(profile);
        let mut sum = vec![0.0; want.len()];
        let mut g = Vec::new();
        for seed in 0..REALISATIONS {
            let mut cfg = TdlConfig::new(profile, Hz(1.92e6), seed);
            cfg.max_doppler = Hz(100.0);
            let tdl = Tdl::new(cfg).unwrap();
            tdl.tap_gains(12_345, &mut g);
            for (s, x) in sum.iter_mut().zip(&g) {
                *s += x.norm_sqr() as f64;
            }
        }
        for (i, (s, w)) in sum.iter().zip(&want).enumerate() {
            let got_db = 10.0 * (s / REALISATIONS as f64).log10();
            let want_db = 10.0 * w.log10();
            eprintln!("{profile:?} tap {i}: {got_db:.3} dB (table {want_db:.3} dB)");
            assert!((got_db - want_db).abs() < 0.2, "{profile:?} tap {i}");
        }
    }
}

/// TDL-C's first tap (LOS + Rayleigh at delay 0): K from the moments of |g|²
/// (K = √(2 − m₄/m₂²) / (1 − √(2 − m₄/m₂²))) is 10.224 dB within 0.5 dB.
#[test]
fn tdl_c_rician_k() {
    let (mut m2, mut m4) = (0.0, 0.0);
    let mut g = Vec::new();
    for seed in 0..REALISATIONS {
        let tdl = Tdl::new(TdlConfig::new(FadingProfile::TdlC, Hz(1.92e6), seed)).unwrap();
        tdl.tap_gains(777, &mut g);
        let p = (g[0] + g[1]).norm_sqr() as f64;
        m2 += p;
        m4 += p * p;
    }
    let (m2, m4) = (m2 / REALISATIONS as f64, m4 / REALISATIONS as f64);
    let r = (2.0 - m4 / (m2 * m2)).sqrt();
    let k_db = 10.0 * (r / (1.0 - r)).log10();
    eprintln!("TDL-C K = {k_db:.3} dB");
    assert!((k_db - 10.224).abs() < 0.5, "{k_db}");
}

/// Flat Rayleigh through the sample-level filter (unit input): the ensemble autocorrelation
/// of the output follows J₀(2π f_D τ) within 0.05 up to its first zero.
#[test]
fn jakes_autocorrelation() {
    let fs = 10_000.0;
    let fd = 100.0;
    let first_zero = (2.404_825_557_695_773 / (2.0 * std::f64::consts::PI * fd) * fs) as usize;
    let n = 600;
    let mut r = vec![Complex32::new(0.0, 0.0); first_zero + 1];
    let mut p0 = 0.0;
    let realisations = 2_000;
    for seed in 0..realisations {
        let mut cfg = TdlConfig::new(FadingProfile::FlatRayleigh, Hz(fs), seed);
        cfg.max_doppler = Hz(fd);
        let mut tdl = Tdl::new(cfg).unwrap();
        let mut y = vec![Complex32::new(1.0, 0.0); n];
        tdl.process_in_place(0, &mut y).unwrap();
        let a = 100;
        for (lag, acc) in r.iter_mut().enumerate() {
            *acc += y[a + lag] * y[a].conj();
        }
        p0 += y[a].norm_sqr();
    }
    let mut worst: f64 = 0.0;
    for (lag, acc) in r.iter().enumerate() {
        let rho = acc.re as f64 / p0 as f64;
        let j0 = bessel_j(0, 2.0 * std::f64::consts::PI * fd * lag as f64 / fs);
        worst = worst.max((rho - j0).abs());
    }
    eprintln!("worst |R − J0| up to lag {first_zero}: {worst:.4}");
    assert!(worst < 0.05, "{worst}");
}

/// One block against many: identical output, bit for bit.
#[test]
fn tdl_block_invariance() {
    let mut cfg = TdlConfig::new(FadingProfile::TdlD, Hz(1.92e6), 3);
    cfg.max_doppler = Hz(500.0);
    cfg.common_doppler = Hz(45_400.0);
    cfg.delay_spread_s = 300e-9;
    let x: Vec<Complex32> = (0..50_000)
        .map(|i| Complex32::new((i as f32 * 0.37).sin(), (i as f32 * 0.11).cos()))
        .collect();
    let mut one = x.clone();
    Tdl::new(cfg)
        .unwrap()
        .process_in_place(0, &mut one)
        .unwrap();
    let mut many = x.clone();
    let mut tdl = Tdl::new(cfg).unwrap();
    let mut at = 0;
    let mut len = 1;
    while at < many.len() {
        let l = len.min(many.len() - at);
        tdl.process_in_place(at as u64, &mut many[at..at + l])
            .unwrap();
        at += l;
        len = (len * 7 + 3) % 1000 + 1;
    }
    assert!(
        one.iter()
            .zip(&many)
            .all(|(a, b)| a.re.to_bits() == b.re.to_bits() && a.im.to_bits() == b.im.to_bits())
    );
}

/// The sample-level filter realises the tap gains: with a frozen channel (f_D = 0) a DC input
/// comes out as Σ g_l (every tap's fractional-delay filter has unit DC gain), and an impulse
/// comes out with its energy split over the taps' delays (TDL-A, DS 1 µs at 1.92 Msps: the
/// taps land 2.08 and 5.46 samples after the first).
#[test]
fn filter_realises_the_taps() {
    let fs = 1.92e6;
    let mut cfg = TdlConfig::new(FadingProfile::TdlA, Hz(fs), 11);
    cfg.max_doppler = Hz(0.0);
    cfg.delay_spread_s = 1e-6;
    let mut tdl = Tdl::new(cfg).unwrap();
    let mut g = Vec::new();
    tdl.tap_gains(0, &mut g);
    let sum: Complex32 = g.iter().sum();
    let mut y = vec![Complex32::new(1.0, 0.0); 200];
    tdl.process_in_place(0, &mut y).unwrap();
    assert!((y[150] - sum).norm() < 1e-5, "{} vs {sum}", y[150]);
    // Impulse: the response around each tap's delay carries that tap's power.
    let mut tdl = Tdl::new(cfg).unwrap();
    let mut h = vec![Complex32::new(0.0, 0.0); 64];
    h[0] = Complex32::new(1.0, 0.0);
    tdl.process_in_place(0, &mut h).unwrap();
    let latency = tdl.latency_samples();
    let total: f32 = h.iter().map(|x| x.norm_sqr()).sum();
    let first = h[latency].norm_sqr();
    // (The second tap's sinc tail, 2.08 samples away, leaks a few per cent into this sample.)
    assert!(
        (first - g[0].norm_sqr()).abs() < 0.05 * total,
        "{first} {}",
        g[0].norm_sqr()
    );
    let want: f32 = g.iter().map(|x| x.norm_sqr()).sum();
    // Band-limited (sinc) versions of taps at fractional delays keep their energy (±3 %:
    // the window's edges), and the taps barely overlap.
    assert!((total / want - 1.0).abs() < 0.05, "{total} vs {want}");
}
