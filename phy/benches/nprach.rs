//! Criterion bench of the NPRACH detector (TS 36.211 §10.1.6), in thread CPU time
//! ([`ntn_benchutil::CpuTime`]), one core.
//!
//! Budget: the issue asks for detection on one 12-subcarrier band at ≥ 20× real time on one
//! core. One format-0 repetition lasts 4 × 1.4 ms = 5.6 ms, so one detection over it must
//! take ≤ 280 µs; format 1: 6.4 ms → ≤ 320 µs; format 2 (36 subcarriers at 1.25 kHz, the same
//! 45 kHz): 19.2 ms → ≤ 960 µs. The throughput line is in preamble samples (1.92 Msps) per
//! CPU second: real-time factor = throughput / 1.92 M.
//!
//! The thread CPU clock advances in scheduler ticks, so each measured iteration runs
//! [`BATCH`] detections and samples are flat and long.
//!
//! `cargo bench -p ntn-phy --bench nprach`
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_phy::Complex32;
use ntn_phy::nbiot::ul::nprach::{
    DEFAULT_THRESHOLD, NprachConfig, NprachDetector, NprachFormat, NprachTx,
};
use std::hint::black_box;

/// Detections per measured iteration.
const BATCH: usize = 8;

fn detect(c: &mut Criterion<CpuTime>) {
    let mut g = c.benchmark_group("nprach");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .measurement_time(std::time::Duration::from_secs(8));
    for (format, budget_us, reps) in [
        (NprachFormat::F0, 280, 1),
        (NprachFormat::F1, 320, 1),
        (NprachFormat::F2, 960, 1),
        (NprachFormat::F0, 280 * 8, 8),
    ] {
        let cfg = NprachConfig {
            format,
            subcarrier_offset: 0,
            num_subcarriers: format.n_sc_ra(),
            repetitions: reps,
            cell_id: 1,
        };
        let mut tx = NprachTx::new(cfg).unwrap();
        let mut det = NprachDetector::new(cfg, DEFAULT_THRESHOLD).unwrap();
        let mut rx = vec![Complex32::default(); det.input_len()];
        tx.transmit(5, 3e-6, 120.0, &mut rx).unwrap();
        // Deterministic pseudo-noise, variance 2/3 per sample (SNR ≈ 12 dB in 180 kHz).
        for (i, v) in rx.iter_mut().enumerate() {
            let a = ((i * 7919) % 1009) as f32 / 504.5 - 1.0;
            let b = ((i * 104_729) % 1013) as f32 / 506.5 - 1.0;
            *v += Complex32::new(a, b);
        }
        let mut out = Vec::with_capacity(4);
        g.throughput(Throughput::Elements((BATCH * rx.len()) as u64));
        g.bench_function(
            format!(
                "detect {BATCH}x {format:?} {reps} repetition(s) (budget {budget_us} us each for 20x real time)"
            ),
            |b| {
                b.iter(|| {
                    for _ in 0..BATCH {
                        det.detect(black_box(&rx), &mut out).unwrap();
                    }
                })
            },
        );
        assert_eq!(
            out.first().map(|d| d.n_init),
            Some(5),
            "{format:?}: bench signal not detected"
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = detect
}
criterion_main!(benches);
