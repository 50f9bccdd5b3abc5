//! Covered fraction per cell against the independent Skyfield reference
//! (`vectors/data/coverage/skyfield_coverage.json`, made by `vectors/gen/skyfield_coverage.py`).
//! The comparison is `ntn_coverage::conformance::skyfield_coverage`, shared with
//! `ntn conformance`.
#![allow(clippy::unwrap_used)] // test: a failure is the test failing

use serde_json::Value;

#[test]
fn covered_fraction_matches_skyfield_within_one_step() {
    let json = include_str!("../../vectors/data/coverage/skyfield_coverage.json");
    let reference: Value = serde_json::from_str(json).unwrap();
    assert_eq!(reference["provenance"]["kind"], "reference");
    let catalog = include_str!("../../vectors/data/coverage/walker72.tle");
    let r = ntn_coverage::conformance::skyfield_coverage(catalog, json);
    for c in &r.cases {
        eprintln!("{} {}: {} — {}", r.suite, c.name, c.passed, c.detail);
    }
    assert!(r.cases.len() >= 40, "{}", r.cases.len());
    assert!(r.all_passed(), "{:?}", r.failures());
}
