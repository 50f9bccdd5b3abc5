//! Gas absorption (ITU-R P.676 Annex 2) against the independent `itur` package
//! (vectors/data/sim/p676_itur.json, made by vectors/gen/itur_p676.py). The comparison is
//! `ntn_sim::conformance::p676_itur`, shared with `ntn conformance`.
#![allow(clippy::unwrap_used)] // test: a failure is a test failure

/// Our Annex 2 follows the P.676-10 text: against itur's P.676-10 within 0.01 dB; against
/// P.676-11 (revised equivalent heights) within the 0.1 dB.
#[test]
fn p676_matches_itur() {
    let json = include_str!("../../vectors/data/sim/p676_itur.json");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["kind"], "reference");
    let r = ntn_sim::conformance::p676_itur(json);
    for c in &r.cases {
        eprintln!("{} {}: {} — {}", r.suite, c.name, c.passed, c.detail);
    }
    // 8 frequencies × 4 elevations in each of the two tables.
    assert!(r.cases.len() >= 2 * 3, "{}", r.cases.len());
    assert!(r.all_passed(), "{:?}", r.failures());
}

/// The TR 38.821 link-budget rows of our presets: `ntn_sim::conformance::link_budget_tr38821`,
/// shared with `ntn conformance`.
#[test]
fn link_budget_rows_match_tr38821() {
    let r = ntn_sim::conformance::link_budget_tr38821();
    for c in &r.cases {
        eprintln!("{}: {} — {}", c.name, c.passed, c.detail);
    }
    assert_eq!(r.cases.len(), 3);
    assert!(r.all_passed(), "{:?}", r.failures());
}
