//! Criterion bench of the NPRACH detector (TS 36.211 §10.1.6).
//!
//! Budget: the issue asks for detection on one 12-subcarrier band at ≥ 20× real time on one
//! core. One format-0 repetition lasts 4 × 1.4 ms = 5.6 ms, so one detection over it must
//! take ≤ 280 µs; format 1: 6.4 ms → ≤ 320 µs; format 2 (36 subcarriers): 19.2 ms → ≤ 960 µs.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ntn_phy::Complex32;
use ntn_phy::nbiot::ul::nprach::{
    DEFAULT_THRESHOLD, NprachConfig, NprachDetector, NprachFormat, NprachTx,
};
use std::hint::black_box;

fn detect(c: &mut Criterion) {
    for (format, budget_us) in [
        (NprachFormat::F0, 280),
        (NprachFormat::F1, 320),
        (NprachFormat::F2, 960),
    ] {
        let cfg = NprachConfig {
            format,
            subcarrier_offset: 0,
            num_subcarriers: format.n_sc_ra(),
            repetitions: 1,
            cell_id: 1,
        };
        let mut tx = NprachTx::new(cfg).unwrap();
        let mut det = NprachDetector::new(cfg, DEFAULT_THRESHOLD).unwrap();
        let mut rx = vec![Complex32::default(); det.input_len()];
        tx.transmit(5, 3e-6, 120.0, &mut rx).unwrap();
        // Deterministic pseudo-noise.
        for (i, v) in rx.iter_mut().enumerate() {
            let a = ((i * 7919) % 1009) as f32 / 504.5 - 1.0;
            let b = ((i * 104_729) % 1013) as f32 / 506.5 - 1.0;
            *v += Complex32::new(a, b);
        }
        let mut out = Vec::new();
        c.bench_function(
            &format!(
                "nprach detect {format:?} 1 repetition (budget {budget_us} us for 20x real time)"
            ),
            |b| b.iter(|| det.detect(black_box(&rx), &mut out).unwrap()),
        );
    }
}

criterion_group!(benches, detect);
criterion_main!(benches);
