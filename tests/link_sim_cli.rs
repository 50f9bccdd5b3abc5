//! `ntn link-sim` end to end: a curve as a table, JSON, regression CSV and PNG, through AWGN
//! and NTN-TDL-C, and its refusals of bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use std::process::{Command, Output};

use ntn_phy::link_sim::parse_csv;

fn link_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntn"))
        .arg("link-sim")
        .args(args)
        .output()
        .expect("ntn runs")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "ntn failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn npdsch_curve_as_json_csv_and_png() {
    let dir = std::env::temp_dir().join(format!("ntn-link-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("c.csv");
    let png = dir.join("c.png");
    let o = link_sim(&[
        "npdsch",
        "--channel",
        "tdl-c",
        "--snr-db=-12:12:24",
        "--trials",
        "6",
        "--seed",
        "5",
        "--format",
        "json",
        "--date",
        "2026-11-28",
        "--csv",
        csv.to_str().unwrap(),
        "--plot",
        png.to_str().unwrap(),
    ]);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["curve"], "npdsch");
    assert_eq!(j["channel"], "tdl-c");
    assert!(j["description"].as_str().unwrap().contains("NTN-TDL-C"));
    let rows = j["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["snr_dB"], -12.0);
    // −12 dB cannot carry 208 bits in 3 subframes; +12 dB through TDL-C (K ≈ 10 dB) does
    assert_eq!(rows[0]["errors"], 6);
    assert_eq!(rows[1]["errors"], 0);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("Kind: regression") && text.contains("date: 2026-11-28"));
    assert!(text.contains("# command: ntn link-sim npdsch --channel tdl-c"));
    let points = parse_csv(&text).unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!((points[0].errors, points[1].errors), (6, 0));
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
    // same seed, same curve (text output this time)
    let o2 = link_sim(&[
        "npdsch",
        "--channel",
        "tdl-c",
        "--snr-db=-12:12:24",
        "--trials",
        "6",
        "--seed",
        "5",
        "--format",
        "text",
    ]);
    let t = stdout(&o2);
    assert!(
        t.contains("error_rate") && t.contains("1.0000") && t.contains("0.0000"),
        "{t}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_dl_curve_runs_one_point() {
    for (curve, snr) in [
        ("npss", "0"),
        ("npbch", "0"),
        ("npdcch", "0"),
        ("cell-search", "0"),
    ] {
        let args = [curve, "--snr-db", snr, "--trials", "1", "--format", "json"];
        let j: serde_json::Value = serde_json::from_str(&stdout(&link_sim(&args))).unwrap();
        assert_eq!(j["rows"][0]["errors"], 0, "{curve} at {snr} dB");
    }
}

#[test]
fn refuses_bad_input() {
    for args in [
        &["npdsch", "--snr-db=2:1:1"][..],
        &["npdsch", "--snr-db", "x"],
        &["npdsch", "--channel", "tdl-z"],
        &["npdsch", "--ports", "3"],
        &["npdsch", "--trials", "0"],
        &["npdsch", "--itbs", "14", "--snr-db", "0"],
        &["npdcch", "--r-max", "3", "--snr-db", "0"],
        &["npusch"],
    ] {
        let o = link_sim(args);
        assert!(!o.status.success(), "{args:?} accepted");
        assert!(!o.stderr.is_empty(), "{args:?}: no message");
    }
}
