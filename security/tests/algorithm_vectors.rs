//! Published test sets for EEA1/2/3 and EIA1/2/3 (vectors/data/security/eea_eia_33401.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, IntegrityAlgorithm, IntegrityAlgorithmId,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    cipher: Vec<CipherSet>,
    mac: Vec<MacSet>,
}

#[derive(Deserialize)]
struct CipherSet {
    alg: String,
    name: String,
    key: String,
    count: u32,
    bearer: u8,
    direction: u8,
    bits: usize,
    input: String,
    output: String,
}

#[derive(Deserialize)]
struct MacSet {
    alg: String,
    name: String,
    key: String,
    count: u32,
    bearer: u8,
    direction: u8,
    bits: usize,
    input: String,
    mac: String,
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn load() -> File {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/eea_eia_33401.toml"
    );
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn dir(d: u8) -> Direction {
    if d == 0 {
        Direction::Uplink
    } else {
        Direction::Downlink
    }
}

fn cipher_id(s: &str) -> CipheringAlgorithmId {
    match s {
        "EEA1" => CipheringAlgorithmId::Eea1,
        "EEA2" => CipheringAlgorithmId::Eea2,
        "EEA3" => CipheringAlgorithmId::Eea3,
        other => panic!("unknown {other}"),
    }
}

fn mac_id(s: &str) -> IntegrityAlgorithmId {
    match s {
        "EIA1" => IntegrityAlgorithmId::Eia1,
        "EIA2" => IntegrityAlgorithmId::Eia2,
        "EIA3" => IntegrityAlgorithmId::Eia3,
        other => panic!("unknown {other}"),
    }
}

#[test]
fn cipher_test_sets() {
    let f = load();
    let mut n = [0usize; 4];
    for t in &f.cipher {
        let key: [u8; 16] = hex(&t.key).try_into().unwrap();
        let nbytes = t.bits.div_ceil(8);
        let mut input = hex(&t.input);
        input.truncate(nbytes);
        let mut expected = hex(&t.output);
        expected.truncate(nbytes);
        assert_eq!(input.len(), nbytes, "{}: input too short", t.name);
        let alg = cipher_id(&t.alg);
        let mut buf = input.clone();
        alg.apply(&key, t.count, t.bearer, dir(t.direction), &mut buf, t.bits)
            .unwrap();
        assert_eq!(buf, expected, "{} {}", t.alg, t.name);
        // Deciphering restores the plaintext up to its last bit (tail bits zeroed).
        alg.apply(&key, t.count, t.bearer, dir(t.direction), &mut buf, t.bits)
            .unwrap();
        let mut want = input.clone();
        if t.bits % 8 != 0 {
            let last = want.len() - 1;
            want[last] &= 0xff << (8 - t.bits % 8);
        }
        assert_eq!(buf, want, "{} {} decipher", t.alg, t.name);
        n[alg.code() as usize] += 1;
    }
    assert_eq!(n, [0, 6, 6, 5], "sets per algorithm");
}

#[test]
fn integrity_test_sets() {
    let f = load();
    let mut n = [0usize; 4];
    for t in &f.mac {
        let key: [u8; 16] = hex(&t.key).try_into().unwrap();
        let input = hex(&t.input);
        let expected: [u8; 4] = hex(&t.mac).try_into().unwrap();
        let alg = mac_id(&t.alg);
        let got = alg
            .mac(&key, t.count, t.bearer, dir(t.direction), &input, t.bits)
            .unwrap();
        assert_eq!(got, expected, "{} {}", t.alg, t.name);
        n[alg.code() as usize] += 1;
    }
    assert_eq!(n, [0, 7, 8, 5], "sets per algorithm");
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
