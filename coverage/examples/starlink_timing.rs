//! Times the Starlink-size acceptance case: `cargo run --release -p ntn-coverage --example
//! starlink_timing -- [hours] [resolution_deg] [mask_deg] [brute]`.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)] // an example that reads the clock

use ntn_coverage::constellation::presets;
use ntn_coverage::*;
use ntn_orbit::UtcTime;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let hours: f64 = args.get(1).map_or(24.0, |s| s.parse().unwrap());
    let res: f64 = args.get(2).map_or(1.0, |s| s.parse().unwrap());
    let mask: f64 = args.get(3).map_or(25.0, |s| s.parse().unwrap());
    let method = if args.get(4).is_some_and(|s| s == "brute") {
        Method::BruteForce
    } else {
        Method::Indexed
    };
    let start: UtcTime = "2024-03-01T00:00:00Z".parse().unwrap();
    let t0 = std::time::Instant::now();
    let c = Constellation::from_walker(&presets::starlink_like(), start).unwrap();
    let g = Grid::new(GridSpec::global(res)).unwrap();
    let mut cfg = CoverageConfig::new(
        TimeWindow {
            start,
            duration_s: hours * 3600.0,
            step_s: 60.0,
        },
        mask,
    );
    if std::env::var_os("NOLINK").is_none() {
        cfg.link = Some(LinkParams::default());
    }
    let t1 = std::time::Instant::now();
    let r = run(&c, &g, &cfg, Shard::WHOLE, method, &mut |_, _| {}).unwrap();
    let t2 = std::time::Instant::now();
    let (_, s) = statistics(&r).unwrap();
    println!(
        "{} sats x {} cells x {} samples ({method:?}): setup {:.2} s, run {:.2} s; coverage {:.4}, mean visible {:.2}",
        c.len(),
        g.len(),
        s.samples,
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        s.area_weighted_coverage,
        s.mean_visible
    );
}
