//! Orbit throughput. Budgets (issue 2): SGP4 + TEME→ITRF + look angles ≥ 3 M states/s on one
//! core (measured in thread CPU time, so neighbours on a busy machine don't count), shown
//! beside the raw `sgp4` crate rate; passes of a 6 000-satellite catalog over one site for
//! 24 h in ≤ 10 s of wall time on this 2-core machine (rayon over both cores).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_orbit::passes::PassSearch;
use ntn_orbit::walker::{WalkerPattern, WalkerShell};
use ntn_orbit::{EarthOrientation, GroundSite, Satellite, TemeToEcef, UtcTime};
use std::hint::black_box;

const L1: &str = "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992";
const L2: &str = "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008";
const N: usize = 10_000;

fn states(c: &mut Criterion<CpuTime>) {
    let el = ntn_orbit::elements::parse_tle(None, L1, L2, None).expect("valid TLE");
    let raw = sgp4::Constants::from_elements_afspc_compatibility_mode(&el).expect("elements");
    let sat = Satellite::new(el).expect("satellite");
    let site = GroundSite::from_degrees(45.5, -73.57, 50.0);
    let eop = EarthOrientation::default();
    let t0 = sat.epoch();
    let mut g = c.benchmark_group("orbit_states");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("sgp4_crate_raw", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for k in 0..N {
                let p = raw
                    .propagate(sgp4::MinutesSinceEpoch(k as f64 * 0.1))
                    .expect("propagates");
                acc += p.position[0];
            }
            black_box(acc)
        })
    });
    g.bench_function("sgp4_teme_itrf_look", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for k in 0..N {
                let t = t0.add_secs(k as f64 * 6.0);
                let teme = sat.state_teme(t).expect("propagates");
                let ecef = TemeToEcef::at(t, &eop).state(&teme);
                acc += site.look(&ecef).elevation.rad();
            }
            black_box(acc)
        })
    });
    g.bench_function("look_series_uniform", |b| {
        let mut out = Vec::with_capacity(N);
        b.iter(|| {
            out.clear();
            ntn_orbit::track::look_series(&sat, &site, t0, 6.0, N, &eop, &mut out)
                .expect("propagates");
            black_box(out.last().map(|l| l.elevation.rad()))
        })
    });
    g.finish();
}

fn catalog_6000() -> Vec<Satellite> {
    let epoch: UtcTime = "2024-03-01T00:00:00Z".parse().expect("time");
    // Three Starlink-like shells: 72×22 at 550 km/53°, 72×22 at 540 km/53.2°, 36×20 at
    // 570 km/70°, 6×58 at 560 km/97.6° (star), 1440 at 1200 km / 87.9° (OneWeb-like) → 6000.
    let shells = [
        (1584, 72, 39, 550e3, 53.0, WalkerPattern::Delta),
        (1584, 72, 17, 540e3, 53.2, WalkerPattern::Delta),
        (720, 36, 5, 570e3, 70.0, WalkerPattern::Delta),
        (348, 6, 1, 560e3, 97.6, WalkerPattern::Star),
        (1764, 36, 7, 1200e3, 87.9, WalkerPattern::Star),
    ];
    let mut sats = Vec::new();
    let mut id = 100_000;
    for (k, (total, planes, phasing, alt, inc, pattern)) in shells.into_iter().enumerate() {
        let shell = WalkerShell {
            total,
            planes,
            phasing,
            altitude_m: alt,
            inclination_deg: inc,
            pattern,
            raan0_deg: 0.0,
        };
        for e in shell
            .elements(epoch, id, &format!("S{k}"))
            .expect("valid shell")
        {
            sats.push(Satellite::new(e).expect("satellite"));
        }
        id += total as u64;
    }
    assert_eq!(sats.len(), 6000);
    sats
}

fn passes(c: &mut Criterion) {
    let sats = catalog_6000();
    let start: UtcTime = "2024-03-01T00:00:00Z".parse().expect("time");
    let search = PassSearch {
        site: GroundSite::from_degrees(45.5, -73.57, 50.0),
        mask_deg: 10.0,
        start,
        end: start.add_secs(86_400.0),
        eop: EarthOrientation::default(),
    };
    let mut g = c.benchmark_group("orbit_passes");
    g.sample_size(10);
    g.bench_with_input(
        BenchmarkId::new("catalog_24h", sats.len()),
        &sats,
        |b, sats| {
            b.iter(|| {
                let r = search.run_catalog(sats);
                black_box(r.iter().map(|p| p.passes.len()).sum::<usize>())
            })
        },
    );
    g.finish();
}

criterion_group! {
    name = one_core;
    config = Criterion::default().with_measurement(CpuTime);
    targets = states
}
criterion_group!(two_cores, passes);
criterion_main!(one_core, two_cores);
