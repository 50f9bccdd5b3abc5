//! `ntn conformance` (issue 21): JUnit XML listing every suite, JSON, a non-zero exit on a
//! failed suite or on vectors missing from a directory given on the command line (unless
//! `--allow-missing`), and a corrupted vector — ours or a shared one — failing the run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;
use common::ntn;
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ntn-conf-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Copy repository files into `root` under the same relative paths.
fn copy_own(root: &Path, files: &[&str]) {
    for f in files {
        let to = root.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo(f), &to).unwrap();
    }
}

/// Flip the bits of the first significant digit after the first `marker` at or after `from`.
fn flip_digit_after(path: &Path, from: &str, marker: &str) {
    let mut bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let start = text.find(from).unwrap();
    let at = start + text[start..].find(marker).unwrap() + marker.len();
    let k = at
        + bytes[at..]
            .iter()
            .position(|b| b.is_ascii_digit() && *b != b'0')
            .unwrap();
    bytes[k] ^= 0x06;
    std::fs::write(path, bytes).unwrap();
}

const EOP_TRACK_FILES: [&str; 4] = [
    "vectors/data/orbit/reference_tles.tle",
    "assets/tle/default.tle",
    "vectors/data/orbit/skyfield_eop_track.json",
    "orbit/data/eop_finals2000A.txt",
];

#[test]
fn junit_lists_every_suite_and_json_reports_them() {
    let dir = temp_dir("junit");
    let xml = dir.join("out.xml");
    let (ok, out, err) = ntn(&[
        "conformance",
        "--junit",
        xml.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["suites_failed"], 0, "{err}");
    // Exit 0 exactly when nothing failed and nothing named on the command line was missing.
    assert_eq!(ok, j["suites_missing"] == 0, "{err}");
    let x = std::fs::read_to_string(&xml).unwrap();
    assert!(x.starts_with("<?xml"));
    let reports = j["reports"].as_array().unwrap();
    let not_run = j["not_run"].as_array().unwrap();
    let names: Vec<&str> = reports
        .iter()
        .map(|r| r["suite"].as_str().unwrap())
        .chain(not_run.iter().map(|r| r["suite"].as_str().unwrap()))
        .collect();
    // Every vector set the repository holds, by the list.
    for want in [
        "sgp4-vallado",
        "skyfield-look-angles",
        "skyfield-passes",
        "skyfield-eop-track",
        "tr38821-geometry",
        "skyfield-coverage",
        "p676-itur",
        "tdl-statistics",
        "link-budget-tr38821",
        "eea-eia-33401",
        "snow3g-keystream",
        "kdf-key-hierarchy",
        "suci-ecies-33501",
        "milenage-35208",
        "turbo-36212",
        "npusch-36211",
        "rrc-nb-pycrate",
        "nas-eps-pycrate",
        "nas-5gs-pycrate",
        "l2-pdus",
        "link-curves-awgn",
        "link-curves-tdlc",
        "nbiot-dl-captures",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
        assert!(
            x.contains(&format!("<testsuite name=\"{want}\"")),
            "{want}: {x}"
        );
    }
    assert_eq!(x.matches("<testsuite ").count(), names.len());
    // No temporary file left beside the output.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn missing_vector_directories_fail_unless_allowed() {
    let (ok, _, err) = ntn(&["conformance", "--vectors", "/nonexistent"]);
    assert!(!ok && err.contains("--allow-missing"), "{err}");
    let (ok, _, err) = ntn(&["conformance", "--own-vectors", "/nonexistent"]);
    assert!(!ok && err.contains("--allow-missing"), "{err}");
    let (ok, out, err) = ntn(&[
        "conformance",
        "--vectors",
        "/nonexistent",
        "--allow-missing",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["suites_skipped"], 2, "{out}"); // the Vallado set and the NB-IoT captures
    assert_eq!(j["suites_missing"], 0, "{out}");
    assert_eq!(j["suites_failed"], 0, "{out}");
    let (ok, _, err) = ntn(&["conformance", "--suite", "nothing-like-this"]);
    assert!(!ok && err.contains("no suite matches"), "{err}");
    // A directory that exists but lacks a suite's file: that suite is missing (non-zero).
    let dir = temp_dir("partial");
    copy_own(&dir, &EOP_TRACK_FILES[..3]);
    let (ok, _, err) = ntn(&[
        "conformance",
        "--own-vectors",
        dir.to_str().unwrap(),
        "--suite",
        "skyfield-eop-track",
    ]);
    assert!(!ok && err.contains("vectors missing"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_corrupted_own_vector_fails_the_run() {
    let dir = temp_dir("own");
    copy_own(&dir, &EOP_TRACK_FILES);
    let args = |xml: &Path| {
        vec![
            "conformance".to_owned(),
            "--own-vectors".into(),
            dir.to_str().unwrap().into(),
            "--suite".into(),
            "skyfield-eop-track".into(),
            "--junit".into(),
            xml.to_str().unwrap().into(),
        ]
    };
    let xml = dir.join("clean.xml");
    let a = args(&xml);
    let (ok, _, err) = ntn(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok, "intact copy: {err}");
    flip_digit_after(
        &dir.join("vectors/data/orbit/skyfield_eop_track.json"),
        "\"rows\"",
        "\"range_m\":",
    );
    let xml = dir.join("bad.xml");
    let a = args(&xml);
    let (ok, _, err) = ntn(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!ok, "corrupted vector passed: {err}");
    assert!(err.contains("1 conformance suite(s) failed"), "{err}");
    let x = std::fs::read_to_string(&xml).unwrap();
    assert!(x.contains("<failure message="), "{x}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_corrupted_shared_vector_fails_the_run() {
    let shared = std::env::var_os("NTN_SHARED_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("../shared/vectors"));
    let src = shared.join("sgp4-verification");
    if !src.is_dir() {
        eprintln!(
            "SKIPPED: {} is absent (the shared vectors are not beside this checkout)",
            src.display()
        );
        return;
    }
    let dir = temp_dir("shared");
    let to = dir.join("sgp4-verification");
    std::fs::create_dir_all(&to).unwrap();
    for f in ["SGP4-VER.TLE", "tcppver.out"] {
        std::fs::copy(src.join(f), to.join(f)).unwrap();
    }
    let (ok, _, err) = ntn(&[
        "conformance",
        "--vectors",
        dir.to_str().unwrap(),
        "--suite",
        "sgp4-vallado",
    ]);
    assert!(ok, "intact copy: {err}");
    // The x coordinate of the first reference row.
    flip_digit_after(&to.join("tcppver.out"), "xx", "0.00000000 ");
    let (ok, out, _) = ntn(&[
        "conformance",
        "--vectors",
        dir.to_str().unwrap(),
        "--suite",
        "sgp4-vallado",
    ]);
    assert!(!ok, "corrupted vector passed: {out}");
    assert!(out.contains("FAIL"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
