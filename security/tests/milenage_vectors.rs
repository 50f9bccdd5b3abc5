//! TS 35.208 MILENAGE test sets (vectors/data/security/milenage_35208.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::milenage::{Milenage, opc_from_op};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    set: Vec<Set>,
    auts: Vec<Auts>,
}

#[derive(Deserialize)]
struct Auts {
    name: String,
    set: usize,
    auts: String,
    sqn_ms: String,
}

#[derive(Deserialize)]
struct Set {
    name: String,
    k: String,
    rand: String,
    sqn: String,
    amf: String,
    op: String,
    opc: String,
    f1: String,
    f1star: String,
    f2: String,
    f3: String,
    f4: String,
    f5: String,
    f5star: String,
}

fn hex<const N: usize>(s: &str) -> [u8; N] {
    let v: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect();
    v.try_into().unwrap()
}

fn load() -> File {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/milenage_35208.toml"
    );
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn ts_35_208_test_sets() {
    let f = load();
    assert_eq!(f.set.len(), 20);
    for t in &f.set {
        let k = hex::<16>(&t.k);
        let opc = opc_from_op(&k, &hex(&t.op));
        assert_eq!(opc, hex::<16>(&t.opc), "{} OPc", t.name);
        let m = Milenage::with_op(&k, &hex(&t.op));
        let o = m.compute(&hex(&t.rand), &hex(&t.sqn), &hex(&t.amf));
        assert_eq!(o.mac_a, hex::<8>(&t.f1), "{} f1", t.name);
        assert_eq!(o.mac_s, hex::<8>(&t.f1star), "{} f1*", t.name);
        assert_eq!(o.res, hex::<8>(&t.f2), "{} f2", t.name);
        assert_eq!(o.ck, hex::<16>(&t.f3), "{} f3", t.name);
        assert_eq!(o.ik, hex::<16>(&t.f4), "{} f4", t.name);
        assert_eq!(o.ak, hex::<6>(&t.f5), "{} f5", t.name);
        assert_eq!(o.ak_star, hex::<6>(&t.f5star), "{} f5*", t.name);
    }
}

#[test]
fn autn_and_auts_round_trip_on_test_set_3() {
    let f = load();
    let t = &f.set[2];
    let m = Milenage::new(&hex(&t.k), &hex(&t.opc));
    let rand = hex::<16>(&t.rand);
    let sqn = hex::<6>(&t.sqn);
    let (autn, o) = m.generate_autn(&rand, &sqn, &hex(&t.amf));
    // AUTN = SQN ⊕ AK || AMF || MAC-A, from the published f1 and f5.
    let ak = hex::<6>(&t.f5);
    for i in 0..6 {
        assert_eq!(autn[i], sqn[i] ^ ak[i]);
    }
    assert_eq!(&autn[8..], &hex::<8>(&t.f1));
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

#[test]
fn hostap_auts_is_accepted() {
    let f = load();
    for a in &f.auts {
        let t = &f.set[a.set - 1];
        let m = Milenage::new(&hex(&t.k), &hex(&t.opc));
        let sqn = m.verify_auts(&hex(&t.rand), &hex(&a.auts)).unwrap();
        assert_eq!(sqn, hex::<6>(&a.sqn_ms), "{}", a.name);
        // and we produce the same AUTS from that SQN_MS
        assert_eq!(
            m.generate_auts(&hex(&t.rand), &sqn),
            hex::<14>(&a.auts),
            "{}",
            a.name
        );
    }
}
