//! Published test sets for EEA1/2/3 and EIA1/2/3 (vectors/data/security/eea_eia_33401.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, IntegrityAlgorithm, IntegrityAlgorithmId,
};

fn hex(s: &str) -> Vec<u8> {
    ntn_types::conformance::hex_bytes(s).unwrap()
}

/// Every EEA/EIA set of the file (EEA1-3: 6, 6, 5; EIA1-3: 7, 8, 5):
/// `ntn_security::conformance::eea_eia_33401`, shared with `ntn conformance`.
#[test]
fn cipher_and_integrity_test_sets() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/eea_eia_33401.toml"
    );
    let r = ntn_security::conformance::eea_eia_33401(&std::fs::read_to_string(path).unwrap());
    for (prefix, n) in [
        ("EEA1 ", 6),
        ("EEA2 ", 6),
        ("EEA3 ", 5),
        ("EIA1 ", 7),
        ("EIA2 ", 8),
        ("EIA3 ", 5),
    ] {
        assert_eq!(
            r.cases
                .iter()
                .filter(|c| c.name.starts_with(prefix))
                .count(),
            n,
            "{prefix}"
        );
    }
    assert!(r.all_passed(), "{:?}", r.failures());
}

#[test]
fn bits_after_the_length_do_not_change_the_mac() {
    // EIA2 Test Set 1 is 58 bits long; whatever the last 6 bits of the buffer hold, the MAC is
    // the published one.
    let key: [u8; 16] = hex("2bd6459f82c5b300952c49104881ff48").try_into().unwrap();
    for tail in [0x00u8, 0x3f, 0x15] {
        let mut m = hex("3332346263393840");
        m[7] = (m[7] & 0xc0) | tail;
        for alg in [
            IntegrityAlgorithmId::Eia1,
            IntegrityAlgorithmId::Eia2,
            IntegrityAlgorithmId::Eia3,
        ] {
            let a = alg
                .mac(&key, 0x38a6f056, 0x18, Direction::Uplink, &m, 58)
                .unwrap();
            let b = alg
                .mac(
                    &key,
                    0x38a6f056,
                    0x18,
                    Direction::Uplink,
                    &hex("3332346263393840"),
                    58,
                )
                .unwrap();
            assert_eq!(a, b, "{alg:?}");
        }
    }
}

#[test]
fn bad_lengths_are_errors_not_panics() {
    let key = [0u8; 16];
    let mut buf = [0u8; 4];
    for alg in [
        CipheringAlgorithmId::Eea0,
        CipheringAlgorithmId::Eea1,
        CipheringAlgorithmId::Eea2,
        CipheringAlgorithmId::Eea3,
    ] {
        assert!(
            alg.apply(&key, 0, 0, Direction::Uplink, &mut buf, 33)
                .is_err()
        );
        assert!(
            alg.apply(&key, 0, 32, Direction::Uplink, &mut buf, 8)
                .is_err()
        );
    }
    for alg in [
        IntegrityAlgorithmId::Eia0,
        IntegrityAlgorithmId::Eia1,
        IntegrityAlgorithmId::Eia2,
        IntegrityAlgorithmId::Eia3,
    ] {
        assert!(alg.mac(&key, 0, 0, Direction::Uplink, &buf, 33).is_err());
    }
    assert_eq!(
        IntegrityAlgorithmId::Eia0.mac(&key, 0, 0, Direction::Uplink, &buf, 32),
        Ok([0; 4])
    );
}
