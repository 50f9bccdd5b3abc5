//! The Vallado SGP4 verification set (AIAA 2006-6753: SGP4-VER.TLE and tcppver.out, the C++
//! SGP4 with WGS-72) against our propagator in its default mode ([`Sgp4Mode::Wgs72`]).
//! tcppver.out was made in opsmode 'i': the 420-min row of 23599 (a Lyddane orbit) is the
//! improved value; python-sgp4 2.27 gives 4083.186 km in 'a' and 4082.281 km (the file's)
//! in 'i'.
//! Kind: reference. Read from ../shared/vectors/sgp4-verification; skipped when absent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;

use ntn_orbit::elements::{Checksum, parse_tle_with};
use ntn_orbit::{Satellite, Sgp4Mode};

struct Case {
    norad: String,
    line1: String,
    line2: String,
    stop_min: f64,
    step_min: f64,
}

fn read_cases(text: &str) -> Vec<Case> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let mut out = Vec::new();
    for w in lines.windows(2) {
        if w[0].starts_with("1 ") && w[1].starts_with("2 ") {
            let extra: Vec<f64> = w[1]
                .get(69..)
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            out.push(Case {
                norad: w[0][2..7].trim().to_owned(),
                line1: w[0][..69].to_owned(),
                line2: w[1][..69].to_owned(),
                stop_min: extra.get(1).copied().unwrap_or(0.0),
                step_min: extra.get(2).copied().unwrap_or(0.0),
            });
        }
    }
    out
}

/// Blocks of "NNNNN xx" followed by rows `t x y z vx vy vz …` (km, km/s).
fn read_reference(text: &str) -> Vec<(String, Vec<[f64; 7]>)> {
    let mut out: Vec<(String, Vec<[f64; 7]>)> = Vec::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() == 2 && f[1] == "xx" {
            out.push((f[0].to_owned(), Vec::new()));
        } else if f.len() >= 7 {
            let mut row = [0.0; 7];
            for (r, s) in row.iter_mut().zip(&f[..7]) {
                *r = s.parse().expect("number in tcppver.out");
            }
            out.last_mut().expect("header before rows").1.push(row);
        }
    }
    out
}

#[test]
fn vallado_verification_set() {
    let Some(dir) = common::shared_vectors("sgp4-verification") else {
        return;
    };
    let tle = std::fs::read_to_string(dir.join("SGP4-VER.TLE")).unwrap();
    let reference = std::fs::read_to_string(dir.join("tcppver.out")).unwrap();
    let cases = read_cases(&tle);
    let blocks = read_reference(&reference);
    assert_eq!(cases.len(), 33);
    assert_eq!(blocks.len(), 33);

    let (mut rows, mut worst_r_km, mut worst_v_kms, mut early_stops) = (0, 0.0f64, 0.0f64, 0);
    let mut error_rows = 0;
    for (case, (norad, refrows)) in cases.iter().zip(&blocks) {
        assert_eq!(
            &case.norad.trim_start_matches('0'),
            &norad.trim_start_matches('0')
        );
        // Cases 33333–33335 are hand-edited to hit SGP4 error paths; their checksums are stale.
        let el = parse_tle_with(None, &case.line1, &case.line2, None, Checksum::Ignore)
            .unwrap_or_else(|e| panic!("{norad}: {e}"));
        let sat = Satellite::new(el).unwrap();
        assert_eq!(sat.mode(), Sgp4Mode::Wgs72);
        for row in refrows {
            // 33334 ("try and check error code 2") has mean motion 10⁻⁵ rev/day: the C++
            // driver prints its t = 0 state although SGP4 flags it (python-sgp4 2.27 returns
            // error 3 at initialisation). An error is the right answer for that row.
            if norad == "33334" {
                assert!(sat.state_teme_at_minutes(row[0]).is_err());
                error_rows += 1;
                continue;
            }
            let s = sat
                .state_teme_at_minutes(row[0])
                .unwrap_or_else(|e| panic!("{norad} at {} min: {e}", row[0]));
            let dr = (s.r_m() * 1e-3 - glam::DVec3::new(row[1], row[2], row[3]))
                .abs()
                .max_element();
            let dv = (s.v_mps() * 1e-3 - glam::DVec3::new(row[4], row[5], row[6]))
                .abs()
                .max_element();
            assert!(dr < 1e-6, "{norad} t={} position off by {dr} km", row[0]);
            assert!(dv < 1e-9, "{norad} t={} velocity off by {dv} km/s", row[0]);
            worst_r_km = worst_r_km.max(dr);
            worst_v_kms = worst_v_kms.max(dv);
            rows += 1;
        }
        // Where the reference stops before its stop time, SGP4 failed there: so must we.
        let last = refrows.last().map(|r| r[0]).unwrap_or(0.0);
        if case.step_min > 0.0 && last + case.step_min <= case.stop_min {
            let next = (last + case.step_min).min(case.stop_min);
            if sat.state_teme_at_minutes(next).is_err() {
                early_stops += 1;
            }
        }
    }
    eprintln!(
        "Vallado set: {rows} rows match (+{error_rows} flagged row that SGP4 rejects), worst |Δr| = {worst_r_km:.3e} km, worst |Δv| = {worst_v_kms:.3e} km/s, \
         {early_stops} decayed/error cases also fail here"
    );
    assert_eq!(rows + error_rows, 667);
    assert_eq!(error_rows, 1);
    assert!(early_stops >= 3, "decayed cases should fail: {early_stops}");
}

#[test]
fn other_modes_depart_from_the_reference() {
    // Why the default is WGS-72 opsmode 'i': WGS-84 departs from the reference by ~20 m, and
    // the AFSPC Lyddane handling by ~1 km on 23599 at 420 min.
    let Some(dir) = common::shared_vectors("sgp4-verification") else {
        return;
    };
    let tle = std::fs::read_to_string(dir.join("SGP4-VER.TLE")).unwrap();
    let reference = std::fs::read_to_string(dir.join("tcppver.out")).unwrap();
    let case = &read_cases(&tle)[0];
    let row = read_reference(&reference)[0].1[1];
    let el = parse_tle_with(None, &case.line1, &case.line2, None, Checksum::Verify).unwrap();
    let sat = Satellite::with_mode(el, Sgp4Mode::Wgs84).unwrap();
    let s = sat.state_teme_at_minutes(row[0]).unwrap();
    let dr_m = (s.r_m() - glam::DVec3::new(row[1], row[2], row[3]) * 1e3).length();
    eprintln!("00005 at {} min, WGS-84 mode: |Δr| = {dr_m:.1} m", row[0]);
    assert!(dr_m > 1.0 && dr_m < 100.0, "{dr_m}");

    let cases = read_cases(&tle);
    let (i, case) = cases
        .iter()
        .enumerate()
        .find(|(_, c)| c.norad == "23599")
        .unwrap();
    let row = read_reference(&reference)[i]
        .1
        .iter()
        .find(|r| r[0] == 420.0)
        .copied()
        .unwrap();
    let el = parse_tle_with(None, &case.line1, &case.line2, None, Checksum::Verify).unwrap();
    let s = Satellite::with_mode(el, Sgp4Mode::Afspc)
        .unwrap()
        .state_teme_at_minutes(420.0)
        .unwrap();
    let dr_m = (s.r_m() - glam::DVec3::new(row[1], row[2], row[3]) * 1e3).length();
    eprintln!("23599 at 420 min, AFSPC mode: |Δr| = {dr_m:.1} m");
    assert!((dr_m - 918.2).abs() < 1.0, "{dr_m}");
}
