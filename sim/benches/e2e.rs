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
//! full stacks 159 ms (4 300× real time); link level, probe nodes 16.3 ms (41 800×); sample
//! level, full stacks 4.87 s (140×); sample level through NTN-TDL-C 19.8 s (34×: the TDL
//! filter runs per sample, and fading costs retransmissions and repetitions).
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
    // The same through NTN-TDL-C fading on every link (the TDL filter per sample).
    let faded = E2eScenario {
        channel: "tdl-c".into(),
        ..sample.clone()
    };
    for (name, sc) in [("sample_full_stacks", sample), ("sample_tdl_c", faded)] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(run(&sc, &mut |_, _| {}).unwrap().report_hash))
        });
    }
    g.finish();
}

criterion_group! {
    name = e2e;
    config = Criterion::default().with_measurement(CpuTime);
    targets = benches
}
criterion_main!(e2e);
