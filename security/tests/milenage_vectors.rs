//! TS 35.208 MILENAGE test sets (vectors/data/security/milenage_35208.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::milenage::Milenage;

fn hex<const N: usize>(s: &str) -> [u8; N] {
    ntn_types::conformance::hex_bytes(s)
        .unwrap()
        .try_into()
        .unwrap()
}

fn load() -> toml::Table {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/milenage_35208.toml"
    );
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every TS 35.208 set and the hostap AUTS: `ntn_security::conformance::milenage_35208`,
/// shared with `ntn conformance`.
#[test]
fn ts_35_208_test_sets() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/milenage_35208.toml"
    );
    let r = ntn_security::conformance::milenage_35208(&std::fs::read_to_string(path).unwrap());
    assert_eq!(r.cases.len(), 21);
    assert!(r.all_passed(), "{:?}", r.failures());
}

#[test]
fn autn_and_auts_round_trip_on_test_set_3() {
    let f = load();
    let t = &f["set"][2];
    let field = |k: &str| t[k].as_str().unwrap();
    let m = Milenage::new(&hex(field("k")), &hex(field("opc")));
    let rand = hex::<16>(field("rand"));
    let sqn = hex::<6>(field("sqn"));
    let (autn, o) = m.generate_autn(&rand, &sqn, &hex(field("amf")));
    // AUTN = SQN ⊕ AK || AMF || MAC-A, from the published f1 and f5.
    let ak = hex::<6>(field("f5"));
    for i in 0..6 {
        assert_eq!(autn[i], sqn[i] ^ ak[i]);
    }
    assert_eq!(&autn[8..], &hex::<8>(field("f1")));
    let (sqn_back, o2) = m.verify_autn(&rand, &autn).unwrap();
    assert_eq!(sqn_back, sqn);
    assert_eq!(o, o2);
    let mut bad = autn;
    bad[15] ^= 1;
    assert!(m.verify_autn(&rand, &bad).is_err());

    let auts = m.generate_auts(&rand, &[0, 0, 0, 0, 0x12, 0x34]);
    assert_eq!(
        m.verify_auts(&rand, &auts).unwrap(),
        [0, 0, 0, 0, 0x12, 0x34]
    );
    let mut bad = auts;
    bad[13] ^= 0x80;
    assert!(m.verify_auts(&rand, &bad).is_err());
}
