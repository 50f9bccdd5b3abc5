//! TS 33.501 Annex C.4 ECIES test data (vectors/data/security/suci_ecies_33501.toml). The
//! checks are `ntn_security::conformance::suci_ecies_33501`, shared with `ntn conformance`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::suci::{SuciError, deconceal_profile_b};

#[test]
fn annex_c4_profiles_a_and_b() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/suci_ecies_33501.toml"
    );
    let r = ntn_security::conformance::suci_ecies_33501(&std::fs::read_to_string(path).unwrap());
    assert_eq!(r.cases.len(), 4);
    assert!(r.all_passed(), "{:?}", r.failures());
    assert_eq!(
        deconceal_profile_b(&[1; 32], &[2; 10]),
        Err(SuciError::TooShort)
    );
}
