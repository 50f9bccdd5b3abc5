//! Coverage engine benches.
//!
//! Budget: the acceptance case (6 008 satellites × global 1° grid × 24 h at 60 s = 1 440
//! samples) in ≤ 60 s on 2 cores, i.e. ≤ 41.7 ms per sample for the indexed path. The
//! brute-force oracle is benched on the same sample for the ratio.
//!
//! Measured 2026-11-28 on the shared 2-core AMD EPYC machine (load average 6–8 from other
//! builds): indexed 984 ms per 16 samples (61.5 ms/sample including the per-run set-up),
//! brute force 1.35 s per sample (≈ 22× slower); 72 satellites × 10° grid × 6 h: indexed
//! 123 ms, brute force 79 ms (at that size the index does not pay for itself). The whole
//! 24 h case through `ntn coverage` took 31.6 s of CPU, 35–56 s wall at that load.

use criterion::{Criterion, criterion_group, criterion_main};
use ntn_coverage::constellation::presets;
use ntn_coverage::*;
use ntn_orbit::UtcTime;
use ntn_orbit::walker::{WalkerPattern, WalkerShell};
use std::hint::black_box;

fn start() -> UtcTime {
    UtcTime::from_calendar(2024, 3, 1, 0, 0, 0.0).expect("valid date")
}

fn config(samples: u32, mask_deg: f64) -> CoverageConfig {
    let mut c = CoverageConfig::new(
        TimeWindow {
            start: start(),
            duration_s: samples as f64 * 60.0,
            step_s: 60.0,
        },
        mask_deg,
    );
    c.link = Some(LinkParams::default());
    c
}

fn bench_starlink(c: &mut Criterion) {
    let constellation =
        Constellation::from_walker(&presets::starlink_like(), start()).expect("valid shells");
    let grid = Grid::new(GridSpec::global(1.0)).expect("valid grid");
    let mut g = c.benchmark_group("starlink6008_global1deg");
    g.sample_size(10);
    // 16 samples per iteration (the per-run set-up, ~50 MB of zeroed accumulators, is then
    // a small part): the per-sample cost is the time / 16.
    let cfg16 = config(16, 25.0);
    g.bench_function("indexed_16_samples_mask25", |b| {
        b.iter(|| {
            black_box(
                run(
                    &constellation,
                    &grid,
                    &cfg16,
                    Shard::WHOLE,
                    Method::Indexed,
                    &mut |_, _| {},
                )
                .expect("run"),
            )
        })
    });
    let cfg1 = config(1, 25.0);
    g.bench_function("brute_force_1_sample_mask25", |b| {
        b.iter(|| {
            black_box(
                run(
                    &constellation,
                    &grid,
                    &cfg1,
                    Shard::WHOLE,
                    Method::BruteForce,
                    &mut |_, _| {},
                )
                .expect("run"),
            )
        })
    });
    g.finish();
}

fn bench_small(c: &mut Criterion) {
    let shell = WalkerShell {
        total: 72,
        planes: 6,
        phasing: 1,
        altitude_m: 550e3,
        inclination_deg: 53.0,
        pattern: WalkerPattern::Delta,
        raan0_deg: 0.0,
    };
    let constellation = Constellation::from_walker(&[shell], start()).expect("valid shell");
    let grid = Grid::new(GridSpec::global(10.0)).expect("valid grid");
    let cfg = config(360, 10.0);
    let mut g = c.benchmark_group("walker72_global10deg_6h");
    g.sample_size(10);
    for (name, m) in [
        ("indexed", Method::Indexed),
        ("brute_force", Method::BruteForce),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    run(&constellation, &grid, &cfg, Shard::WHOLE, m, &mut |_, _| {}).expect("run"),
                )
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion's plotters charts need a registered font for text.
    config = Criterion::default().without_plots();
    targets = bench_starlink, bench_small
}
criterion_main!(benches);
