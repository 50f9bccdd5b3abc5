//! Look angles and passes against Skyfield 1.55 / python-sgp4 2.27 (an independent
//! implementation). Reference vectors: vectors/data/orbit/skyfield_*.json, made by
//! vectors/gen/skyfield_orbit.py (see vectors/data/orbit/README.md). Kind: reference.
//! The comparisons themselves are `ntn_orbit::conformance`, shared with `ntn conformance`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;

use ntn_orbit::conformance::{skyfield_look_angles, skyfield_passes};

fn read(rel: &str) -> String {
    std::fs::read_to_string(common::own_vector(rel)).unwrap()
}

#[test]
fn look_angles_match_skyfield() {
    let r = skyfield_look_angles(
        &read("orbit/reference_tles.tle"),
        &read("orbit/skyfield_look_angles.json"),
    );
    // ≥ 20 satellites (LEO, MEO, GEO, Molniya) × ≥ 5 sites × ≥ 20 times.
    let rows = common::check_report(&r, 20);
    assert!(rows >= 20 * 5 * 20, "{rows}");
}

#[test]
fn passes_match_skyfield() {
    let r = skyfield_passes(
        &read("orbit/reference_tles.tle"),
        &read("orbit/skyfield_passes.json"),
    );
    // 18 satellites × 6 sites, less the pairs with no pass above 10° in the window.
    common::check_report(&r, 90);
}
