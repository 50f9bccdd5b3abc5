//! KDF and key hierarchy examples (vectors/data/security/kdf.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::kdf::{PlmnId, fivegs};

fn hex<const N: usize>(s: &str) -> [u8; N] {
    ntn_types::conformance::hex_bytes(s)
        .unwrap()
        .try_into()
        .unwrap()
}

fn load() -> toml::Table {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/kdf.toml"
    );
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn text<'a>(v: &'a toml::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap()
}

/// The EPS hierarchy and the 5G AKA chain of the file: `ntn_security::conformance::kdf_vectors`,
/// shared with `ntn conformance`.
#[test]
fn eps_hierarchy_and_5g_chain() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/kdf.toml"
    );
    let r = ntn_security::conformance::kdf_vectors(&std::fs::read_to_string(path).unwrap());
    assert!(r.cases.len() >= 7, "{}", r.cases.len());
    assert!(r.all_passed(), "{:?}", r.failures());
}

/// What the vectors cannot check: the PLMN encoding and the KAMF framing.
#[test]
fn five_g_kamf_framing_and_plmn() {
    let f = load();
    let t = &f["fiveg"];
    let first = &f["kasme"][0];
    let plmn = PlmnId::from_digits(text(first, "mcc"), text(first, "mnc")).unwrap();
    assert_eq!(plmn.0, [0x00, 0xf1, 0x10]);
    let snn = fivegs::serving_network_name(text(t, "mcc"), text(t, "mnc"));
    assert_eq!(snn, "5G:mnc001.mcc001.3gppnetwork.org");
    // KAMF has no independent vector (see the TOML); check the framing by hand instead:
    // KDF(KSEAF, 0x6D || SUPI || len || ABBA || len).
    let kseaf = hex::<32>(text(t, "kseaf"));
    let supi = text(t, "supi");
    let kamf = fivegs::kamf(&kseaf, supi.as_bytes(), &[0, 0]);
    let mut s = vec![0x6d];
    s.extend_from_slice(supi.as_bytes());
    s.extend_from_slice(&[0, 15, 0, 0, 0, 2]);
    assert_eq!(kamf, hmac_sha256(&kseaf, &s));
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, KeyInit, Mac};
    let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().into()
}
