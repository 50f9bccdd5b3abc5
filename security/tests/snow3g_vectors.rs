//! SNOW 3G keystream test sets (vectors/data/security/snow3g_keystream.toml). The checks are
//! `ntn_security::conformance::snow3g_keystream`, shared with `ntn conformance`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn document_3_keystream_sets() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/snow3g_keystream.toml"
    );
    let r = ntn_security::conformance::snow3g_keystream(&std::fs::read_to_string(path).unwrap());
    assert_eq!(r.cases.len(), 4);
    assert!(r.all_passed(), "{:?}", r.failures());
}
