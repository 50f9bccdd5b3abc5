//! Speed of a whole end-to-end pass on one core.
//!
//! Budgets (issue 8): the default LEO pass (≈ 683 s simulated) at link level ≥ 1000× real
//! time, i.e. ≤ 0.68 s of CPU per run; at sample level ≥ 5× real time (≤ 137 s). The
//! simulated span divided by the reported time per iteration is the speed-up.
//!
//! Measured in the thread's CPU time (`ntn_benchutil::CpuTime`): the machine's two cores are
//! shared, and wall time would measure the neighbours.
//!
//! Measured 2026-11-29 (`cargo bench -p ntn-sim --bench e2e`, 683.3 s simulated): link level,
//! full stacks 181 ms (3 770× real time); link level, probe nodes 17.2 ms (39 700×); sample
//! level, full stacks 5.27 s (130×).
#![allow(clippy::unwrap_used)] // bench setup

use criterion::{Criterion, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_sim::e2e::{E2eScenario, Level, run};
use std::hint::black_box;

fn benches(c: &mut Criterion<CpuTime>) {
    let mut g = c.benchmark_group("e2e_leo_pass_683s");
    g.sample_size(10);
    // The default: full stacks (CellStack + UeStack) on the TR 38.821 SC9 budget.
    let full = E2eScenario::default();
    let probe = E2eScenario {
        stack: "probe".into(),
        ..Default::default()
    };
    for (name, sc) in [("link_full_stacks", full), ("link_probe", probe)] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(run(&sc, &mut |_, _| {}).unwrap().report_hash))
        });
    }
    g.finish();
    // Every transmission through our PHY: ten runs of the whole pass (criterion's minimum).
    let mut g = c.benchmark_group("e2e_leo_pass_683s_sample_level");
    g.sample_size(10);
    g.warm_up_time(std::time::Duration::from_millis(1));
    g.measurement_time(std::time::Duration::from_secs(1));
    let sample = E2eScenario {
        level: Level::Sample,
        ..Default::default()
    };
    g.bench_function("sample_full_stacks", |b| {
        b.iter(|| black_box(run(&sample, &mut |_, _| {}).unwrap().report_hash))
    });
    g.finish();
}

criterion_group! {
    name = e2e;
    config = Criterion::default().with_measurement(CpuTime);
    targets = benches
}
criterion_main!(e2e);
