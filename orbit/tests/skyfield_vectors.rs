//! Look angles and passes against Skyfield 1.55 / python-sgp4 2.27 (an independent
//! implementation). Reference vectors: vectors/data/orbit/skyfield_*.json, made by
//! vectors/gen/skyfield_orbit.py (see vectors/data/orbit/README.md). Kind: reference.
//! The comparisons themselves are `ntn_orbit::conformance`, shared with `ntn conformance`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;

use ntn_orbit::conformance::{skyfield_look_angles, skyfield_passes};
use ntn_types::conformance::SuiteReport;

fn read(rel: &str) -> String {
    std::fs::read_to_string(common::own_vector(rel)).unwrap()
}

fn check(r: &SuiteReport, min_cases: usize) {
    for c in &r.cases {
        eprintln!(
            "{} {}: {} — {}",
            r.suite,
            c.name,
            if c.passed { "pass" } else { "FAIL" },
            c.detail
        );
    }
    assert!(r.cases.len() >= min_cases, "{} cases", r.cases.len());
    assert!(r.all_passed(), "{:?}", r.failures());
}

#[test]
fn look_angles_match_skyfield() {
    let r = skyfield_look_angles(
        &read("orbit/reference_tles.tle"),
        &read("orbit/skyfield_look_angles.json"),
    );
    // ≥ 20 satellites (LEO, MEO, GEO, Molniya) × ≥ 5 sites × ≥ 20 times.
    check(&r, 20);
    let rows: usize = r
        .cases
        .iter()
        .map(|c| {
            c.detail
                .split(' ')
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert!(rows >= 20 * 5 * 20, "{rows}");
}

#[test]
fn passes_match_skyfield() {
    let r = skyfield_passes(
        &read("orbit/reference_tles.tle"),
        &read("orbit/skyfield_passes.json"),
    );
    // 18 satellites × 6 sites, less the pairs with no pass above 10° in the window.
    check(&r, 90);
}
