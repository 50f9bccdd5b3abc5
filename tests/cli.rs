//! The `ntn` command end to end: the README's main job and the orbit commands, with their
//! error messages for bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;
use common::ntn;

#[test]
fn main_job_default_pass() {
    let plot = std::env::temp_dir().join(format!("ntn-cli-{}.png", std::process::id()));
    let (ok, out, err) = ntn(&["pass", "--format", "json", "--plot", plot.to_str().unwrap()]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["satellite"], "CBERS 2 (NORAD 28057)");
    let max_el = j["max_elevation_deg"].as_f64().unwrap();
    let max_dop = j["max_doppler_dl_hz"].as_f64().unwrap();
    assert!(max_el > 10.0 && max_el <= 90.0, "{max_el}");
    // A ~780 km LEO at 2185 MHz: tens of kHz, below the 600 km bound of ~50 kHz.
    assert!(max_dop > 20e3 && max_dop < 50e3, "{max_dop}");
    assert!(j["rows"].as_array().unwrap().len() > 10);
    // The sample-level downlink check: cell found, MIB-NB decoded, Doppler measured to within
    // tens of Hz of the geometry at every point of the pass.
    let checks = j["downlink_checks"].as_array().unwrap();
    assert!(checks.len() >= 5);
    for c in checks {
        assert_eq!(c["mib_decoded"], true, "{c}");
        let err =
            c["measured_offset_hz"].as_f64().unwrap() - c["true_doppler_hz"].as_f64().unwrap();
        assert!(err.abs() < 50.0, "{c}");
    }
    let png = std::fs::read(&plot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    std::fs::remove_file(&plot).ok();
}

#[test]
fn geo_pass_has_no_doppler_and_a_quarter_second_rtt() {
    let (ok, out, err) = ntn(&[
        "pass",
        "--geo",
        "--no-plot",
        "--format",
        "json",
        "--geo-span",
        "10m",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(j["max_doppler_dl_hz"].as_f64().unwrap() < 5.0);
    let rtt = j["rows"][0]["rtt_ms"].as_f64().unwrap();
    assert!((239.0..280.0).contains(&rtt), "{rtt}");
}

#[test]
fn orbit_commands_run_and_refuse_bad_input() {
    let (ok, out, err) = ntn(&[
        "orbit",
        "track",
        "--duration",
        "2m",
        "--step",
        "30s",
        "--format",
        "csv",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1 + 5);
    assert!(out.starts_with("time_UTC,t_s,azimuth_deg,elevation_deg,range_km"));

    let (ok, out, err) = ntn(&[
        "orbit",
        "passes",
        "--all",
        "--duration",
        "12h",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["satellites"], 5);
    assert!(j["passes"].as_u64().unwrap() >= 3);

    let (ok, out, err) = ntn(&[
        "orbit",
        "ephemeris",
        "--epochs",
        "4",
        "--ages",
        "1,60",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["rows"].as_array().unwrap().len(), 2 * 3 * 2);

    let (ok, _, err) = ntn(&["orbit", "passes", "--mask", "95"]);
    assert!(!ok && err.contains("--mask 95"), "{err}");
    let (ok, _, err) = ntn(&["pass", "--sat", "NOPE"]);
    assert!(!ok && err.contains("no satellite \"NOPE\""), "{err}");
    let (ok, _, err) = ntn(&["orbit", "track", "--tle", "/nonexistent.tle"]);
    assert!(
        !ok && err.contains("cannot read element sets from /nonexistent.tle"),
        "{err}"
    );
    let (ok, _, err) = ntn(&["pass", "--site", "91,0"]);
    assert!(!ok && err.contains("latitude"), "{err}");
}
