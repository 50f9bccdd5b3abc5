//! Earth orientation by default and element-set age (issue 21): `ntn orbit track` with default
//! options against Skyfield with IERS Earth orientation in force, `--eop FILE`, the warning
//! outside the table, and the warnings/refusals for element sets used far from their epoch.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;
use common::ntn;
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn track_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["orbit", "track", "--format", "json"];
    all.extend_from_slice(args);
    let (ok, out, err) = ntn(&all);
    assert!(ok, "{all:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// Issue 21 acceptance through the command line: default options, random sites and times,
/// range ≤ 1 m and range rate ≤ 1 mm/s against Skyfield (every 25th reference row, so every
/// satellite class and both the 2006, 2014 and 2024 element sets).
#[test]
fn orbit_track_defaults_match_skyfield_with_earth_orientation() {
    let refs: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("vectors/data/orbit/skyfield_eop_track.json")).unwrap(),
    )
    .unwrap();
    let rows = refs["rows"].as_array().unwrap();
    let (mut worst_m, mut worst_mps, mut n) = (0.0f64, 0.0f64, 0);
    for row in rows.iter().step_by(25) {
        let norad = row["norad"].as_u64().unwrap();
        let tle = if [28057, 6251, 28626, 24208].contains(&norad) {
            repo("assets/tle/default.tle")
        } else {
            repo("vectors/data/orbit/reference_tles.tle")
        };
        let site = format!("{},{},{}", row["lat_deg"], row["lon_deg"], row["alt_m"]);
        let site = format!("--site={site}");
        let j = track_json(&[
            "--tle",
            tle.to_str().unwrap(),
            "--sat",
            &norad.to_string(),
            &site,
            "--start",
            row["time_utc"].as_str().unwrap(),
            "--duration",
            "1s",
            "--step",
            "1s",
        ]);
        let got = &j["rows"][0];
        let dr = (got["range_km"].as_f64().unwrap() * 1e3 - row["range_m"].as_f64().unwrap()).abs();
        let dv = (got["range_rate_m_per_s"].as_f64().unwrap()
            - row["range_rate_mps"].as_f64().unwrap())
        .abs();
        assert!(
            dr <= 1.0 && dv <= 1e-3,
            "{row}: Δrange {dr} m, Δrate {dv} m/s ({got})"
        );
        worst_m = worst_m.max(dr);
        worst_mps = worst_mps.max(dv);
        n += 1;
    }
    eprintln!("{n} rows: worst Δrange {worst_m:.4} m, Δrate {worst_mps:.2e} m/s");
    assert!(n >= 16);
}

#[test]
fn eop_file_overrides_the_bundled_table_and_bad_files_are_named() {
    let dir = std::env::temp_dir().join(format!("ntn-eop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A finals2000A excerpt with UT1 − UTC set to +0.5 s around the CBERS 2 epoch: the range
    // must move by tens of metres against the bundled table.
    let mut finals = String::new();
    for mjd in 53_910..53_920 {
        finals.push_str(&format!(
            "06 6 1 {mjd}.00 I  0.100000 0.000100  0.400000 0.000100  I 0.5000000 0.0000100  0.5000 0.0100\n"
        ));
    }
    let eop = dir.join("finals2000A.all");
    std::fs::write(&eop, &finals).unwrap();
    let args = [
        "--start",
        "2006-06-26T19:00:00Z",
        "--duration",
        "1s",
        "--step",
        "1s",
    ];
    let base = track_json(&args);
    let mut with = args.to_vec();
    with.extend_from_slice(&["--eop", eop.to_str().unwrap()]);
    let moved = track_json(&with);
    let r = |j: &serde_json::Value| j["rows"][0]["range_km"].as_f64().unwrap();
    assert!(
        (r(&base) - r(&moved)).abs() * 1e3 > 10.0,
        "{} {}",
        r(&base),
        r(&moved)
    );
    // --dut1 by hand overrides the table.
    let mut by_hand = with.clone();
    by_hand.extend_from_slice(&["--dut1", "0.5"]);
    assert!((r(&track_json(&by_hand)) - r(&moved)).abs() < 1e-9);
    // A malformed file is an error naming the file and the line.
    let bad = dir.join("bad.all");
    std::fs::write(&bad, finals.replacen("0.5000000", "0.5x00000", 1)).unwrap();
    let (ok, _, err) = ntn(&["orbit", "track", "--eop", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("bad.all") && err.contains("line 1"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn outside_the_table_warns_once_and_uses_the_nearest_day() {
    // A GEO element set of 2024 used in mid-2028: past the table's end (Nov 2027), within the
    // 10-year limit of deep-space sets.
    let tle = repo("vectors/data/orbit/reference_tles.tle");
    let (ok, _, err) = ntn(&[
        "orbit",
        "track",
        "--tle",
        tle.to_str().unwrap(),
        "--sat",
        "90031",
        "--start",
        "2028-06-01T00:00:00Z",
    ]);
    assert!(ok, "{err}");
    assert_eq!(
        err.matches("outside the bundled IERS table").count(),
        1,
        "{err}"
    );
}

#[test]
fn element_sets_far_from_their_epoch_warn_or_are_refused() {
    // The case: the 2006 CBERS 2 set propagated to 2200.
    let (ok, _, err) = ntn(&["orbit", "track", "--start", "2200-01-01T00:00:00Z"]);
    assert!(!ok);
    assert!(
        err.contains("CBERS 2") && err.contains("--allow-stale-elements"),
        "{err}"
    );
    let (ok, _, err) = ntn(&["orbit", "passes", "--start", "2200-01-01T00:00:00Z"]);
    assert!(!ok, "{err}");
    let (ok, _, err) = ntn(&[
        "pass",
        "--no-run",
        "--no-plot",
        "--start",
        "2200-01-01T00:00:00Z",
    ]);
    assert!(!ok, "{err}");
    // 10 days: a warning on standard error and in the JSON output.
    let (ok, out, err) = ntn(&[
        "orbit",
        "track",
        "--format",
        "json",
        "--start",
        "2006-07-06T18:00:00Z",
        "--duration",
        "10s",
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("days from its epoch"), "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        j["element_set_age_warning"]
            .as_str()
            .unwrap()
            .contains("CBERS 2")
    );
    // The override lets the 2200 case run, still with the warning.
    let (ok, _, err) = ntn(&[
        "orbit",
        "track",
        "--start",
        "2200-01-01T00:00:00Z",
        "--duration",
        "10s",
        "--allow-stale-elements",
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("meaningless"), "{err}");
    // Near the epoch: no warning.
    let (ok, _, err) = ntn(&["orbit", "track", "--duration", "10s"]);
    assert!(ok, "{err}");
    assert!(!err.contains("epoch"), "{err}");
}

#[test]
fn a_window_across_a_leap_second_warns() {
    // XM-3 (GEO, 2006 set; deep space: within its 10-year limit) over the 2008-12-31 leap
    // second: one UT1 − UTC for the whole window is a second off on one side of it.
    let (ok, _, err) = ntn(&[
        "orbit",
        "track",
        "--sat",
        "XM-3",
        "--start",
        "2008-12-31T12:00:00Z",
        "--duration",
        "1d",
        "--step",
        "1h",
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("UT1 − UTC changes by"), "{err}");
    // A plain 15-minute track does not warn about Earth orientation.
    let (ok, _, err) = ntn(&["orbit", "track"]);
    assert!(ok, "{err}");
    assert!(!err.contains("Earth orientation"), "{err}");
}
