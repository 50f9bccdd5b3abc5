//! Regression check of the stored link-level curves (`vectors/data/phy/link_*_awgn.csv`, kind
//! regression): a few cheap points are re-run with a different seed and fewer trials and must
//! agree with the stored error rates within statistical tolerance (two-proportion z ≤ 4).
//! The check is `ntn_phy::conformance::link_curves_awgn`, shared with `ntn conformance`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

fn stored(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/data/phy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} missing: {e}", path.display()))
}

#[test]
fn npdsch_and_npdcch_curves_still_hold() {
    let texts = [
        stored("link_npdsch_awgn.csv"),
        stored("link_npdcch_awgn.csv"),
    ];
    let r = ntn_phy::conformance::link_curves_awgn(&[&texts[0], &texts[1]]);
    for c in &r.cases {
        println!("{}: {} — {}", c.name, c.passed, c.detail);
    }
    assert_eq!(r.cases.len(), 4);
    assert!(r.all_passed(), "{:?}", r.failures());
}
