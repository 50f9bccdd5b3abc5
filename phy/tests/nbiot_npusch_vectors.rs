//! NPUSCH sequences against the independent Python reference
//! (`vectors/data/phy/ul/npusch_sequences.txt`, made by `vectors/gen/npusch_ref.py` from the
//! TS 36.211 equations): scrambling `c_init` and bits, single- and multi-tone DMRS, group
//! hopping, the format-2 cover index and the single-tone phase rotation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

const REF: &str = include_str!("../../vectors/data/phy/ul/npusch_sequences.txt");

/// Every line of the reference: `ntn_phy::conformance::npusch_sequences`, shared with
/// `ntn conformance`. Every kind present: 12 scrambling, 12 single-tone, 122 multi-tone,
/// 40 hopping, 20 cover, 12 phase lines.
#[test]
fn sequences_match_python_reference() {
    let r = ntn_phy::conformance::npusch_sequences(REF);
    let lines: Vec<&str> = r.cases.iter().map(|c| c.detail.as_str()).collect();
    assert_eq!(
        lines,
        [
            "12 lines",
            "12 lines",
            "122 lines",
            "40 lines",
            "20 lines",
            "12 lines"
        ],
        "{:?}",
        r.failures()
    );
    assert!(r.all_passed());
}
