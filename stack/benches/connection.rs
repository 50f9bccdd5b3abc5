//! Speed of the two stacks on the loopback carrier: one minute of a LEO connection (cell
//! broadcasts, SIB31 from SGP4 every SI period, RA, attach with AKA and NAS security, one
//! echoed message per second, the UE's pre-compensation on every transmission), in thread CPU
//! time. Throughput is in simulated seconds per CPU second, i.e. the speed-up over real time
//! the stacks alone allow (the engine's link abstraction adds its own cost). Budget: ≥ 1000×
//! on one core (issue 8, link-abstraction mode). Measured 2026-11-28 on the shared 2-core
//! machine (load ≈ 12): 13.7 ms of CPU per simulated minute, ≈ 4 400× real time
//! (`cargo bench -p ntn-stack --bench connection`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_orbit::{GroundSite, Satellite, TimeBase};
use ntn_stack::cell::{CellConfig, Payload, SiteDeg};
use ntn_stack::loopback::{Impairments, run};
use ntn_stack::ue::{TrafficConfig, UeConfig};
use std::hint::black_box;

const SECS: i64 = 60;

fn connection(c: &mut Criterion<CpuTime>) {
    let el = ntn_orbit::elements::parse_tle(
        None,
        "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
        "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
        None,
    )
    .expect("valid TLE");
    let sat = Satellite::new(el).expect("satellite");
    let tb = TimeBase::new("2006-06-27T01:45:20Z".parse().expect("UTC"));
    let ue = GroundSite::from_degrees(45.5, -73.57, 50.0);
    let cell = CellConfig {
        payload: Payload::Transparent {
            gateway: SiteDeg {
                lat_deg: 43.65,
                lon_deg: -79.38,
                alt_m: 80.0,
            },
        },
        ..CellConfig::default()
    };
    let ue_cfg = UeConfig {
        traffic: TrafficConfig {
            exchanges: 55,
            interval_s: 1.0,
            bytes: 32,
        },
        ..UeConfig::default()
    };
    let mut g = c.benchmark_group("stacks");
    g.throughput(Throughput::Elements(SECS as u64));
    g.sample_size(10);
    g.bench_function("leo_connection_minute", |b| {
        b.iter(|| {
            let r = run(
                sat.clone(),
                tb,
                ue,
                Impairments::default(),
                cell.clone(),
                ue_cfg.clone(),
                SECS,
            )
            .expect("runs");
            black_box(r.trace_hash)
        })
    });
    g.finish();
}

fn cpu() -> Criterion<CpuTime> {
    Criterion::default().with_measurement(CpuTime)
}

criterion_group! { name = benches; config = cpu(); targets = connection }
criterion_main!(benches);
