//! Statistics of the NTN-TDL generator over many realisations (TR 38.811 §6.9.2).
#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use ntn_sim::channel::tdl::{FadingProfile, Tdl, TdlConfig};
use ntn_types::Hz;
use num_complex::Complex32;

const REALISATIONS: u64 = 10_000;

/// Tap powers of TDL-A/B/C/D within 0.2 dB of the table, TDL-C's K within 0.5 dB, the Jakes
/// autocorrelation within 0.05: `ntn_sim::conformance::tdl_statistics`, shared with
/// `ntn conformance`.
#[test]
fn tdl_statistics_match_tr38811() {
    let r = ntn_sim::conformance::tdl_statistics(REALISATIONS);
    for c in &r.cases {
        eprintln!("{}: {} — {}", c.name, c.passed, c.detail);
    }
    assert_eq!(r.cases.len(), 6);
    assert!(r.all_passed(), "{:?}", r.failures());
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
