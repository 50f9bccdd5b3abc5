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

/// Issue 21 acceptance: with the bundled IERS table in force (the default of every command),
/// range within 1 m and range rate within 1 mm/s of Skyfield at random sites and times
/// (2006 CBERS 2 / XM-3 element sets included).
#[test]
fn default_earth_orientation_matches_skyfield() {
    let catalog = format!(
        "{}\n{}",
        read("orbit/reference_tles.tle"),
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/tle/default.tle")
        )
        .unwrap()
    );
    let table = ntn_orbit::EopTable::bundled().unwrap();
    let r = ntn_orbit::conformance::skyfield_eop_track(
        &catalog,
        &read("orbit/skyfield_eop_track.json"),
        table,
    );
    for c in &r.cases {
        println!("{} {} {}", c.name, c.passed, c.detail);
    }
    let rows = common::check_report(&r, 25);
    assert!(rows >= 350, "{rows}");
    // Without Earth orientation (UT1 = UTC, no pole: the old default) the same rows fail.
    let zero = ntn_orbit::EopTable::from_rows(vec![ntn_orbit::eop::EopRow {
        mjd: 53_736.0,
        xp_arcsec: 0.0,
        yp_arcsec: 0.0,
        dut1_s: 0.0,
        lod_s: 0.0,
    }])
    .unwrap();
    let r0 = ntn_orbit::conformance::skyfield_eop_track(
        &catalog,
        &read("orbit/skyfield_eop_track.json"),
        &zero,
    );
    assert!(!r0.all_passed());
}
