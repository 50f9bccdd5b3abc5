//! `ntn pass` as the full run: the timeline and summary in the JSON output, the report and
//! the run plot written next to the orbit plot, `--no-precomp` failing the way physics says,
//! `--scenario` running a bundled file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use std::process::Command;

fn ntn(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ntn"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn pass_runs_the_scenario_and_writes_report_and_plots() {
    let dir = std::env::temp_dir().join(format!("ntn-pass-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plot = dir.join("p.png");
    let (ok, out, err) = ntn(&[
        "pass",
        "--format",
        "json",
        "--acquire-every",
        "0s",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("real time"), "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &j["run"]["summary"];
    // The default pass runs the full stacks: attach with AKA and NAS security.
    assert!(s["attached_s"].is_number(), "{s}");
    assert!(s["exchanges"].as_u64().unwrap() >= 20, "{s}");
    assert_eq!(s["ul_within_limits"], true, "{s}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("p-report.json")).unwrap()).unwrap();
    assert_eq!(report["report_hash"], j["run"]["report_hash"]);
    let png = std::fs::read(dir.join("p-run.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn no_precomp_says_random_access_never_succeeds() {
    let (ok, out, err) = ntn(&["pass", "--no-plot", "--acquire-every", "0s", "--no-precomp"]);
    assert!(ok, "{err}");
    assert!(out.contains("random access never succeeded"), "{out}");
    assert!(out.contains("without pre-compensation"), "{out}");
}

#[test]
fn scenario_file_two_satellites() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/two-satellites.toml"
    );
    let (ok, out, err) = ntn(&[
        "pass",
        "--no-plot",
        "--acquire-every",
        "0s",
        "--format",
        "json",
        "--scenario",
        file,
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cells: Vec<u64> = j["run"]["summary"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert_eq!(cells, vec![1, 2]);
    assert!(
        j["run"]["summary"]["radio_link_failures"].as_u64().unwrap() >= 1,
        "{out}"
    );
    let (ok, _, err) = ntn(&["pass", "--no-plot", "--scenario", "/nonexistent.toml"]);
    assert!(!ok);
    assert!(err.contains("cannot read"), "{err}");
}
