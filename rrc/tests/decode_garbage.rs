//! Random byte strings into every decoder: each returns `Ok` or `Err`, never panics.
//! 10⁶ inputs per decoder here (seeded, so reproducible), lengths 0–64 bytes, plus 2000
//! mutations of each reference vector.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 1_000_000;

/// Inputs per decoder: `N`, or `NTN_FUZZ_N` for a longer run outside CI.
fn n() -> usize {
    std::env::var("NTN_FUZZ_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(N)
}

fn hammer<T>(seed: u64, decode: impl Fn(&[u8]) -> Result<T, ntn_rrc::RrcError>) -> (usize, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut buf = [0u8; 64];
    let (mut ok, mut err) = (0, 0);
    for _ in 0..n() {
        let len = rng.random_range(0..=buf.len());
        rng.fill(&mut buf[..len]);
        match decode(&buf[..len]) {
            Ok(_) => ok += 1,
            Err(_) => err += 1,
        }
    }
    (ok, err)
}

#[test]
fn bcch_bch_never_panics() {
    let (ok, err) = hammer(1, ntn_rrc::decode_bcch_bch);
    assert_eq!(ok + err, n());
}

#[test]
fn bcch_dl_sch_never_panics() {
    let (ok, err) = hammer(2, ntn_rrc::decode_bcch_dl_sch);
    assert_eq!(ok + err, n());
}

#[test]
fn sib1_never_panics() {
    let (ok, err) = hammer(3, ntn_rrc::decode_sib1);
    assert_eq!(ok + err, n());
}

#[test]
fn sib31_never_panics() {
    let (ok, err) = hammer(4, ntn_rrc::decode_sib31);
    assert_eq!(ok + err, n());
}

#[test]
fn dl_ccch_never_panics() {
    let (ok, err) = hammer(5, ntn_rrc::decode_dl_ccch);
    assert_eq!(ok + err, n());
}

#[test]
fn ul_ccch_never_panics() {
    let (ok, err) = hammer(6, ntn_rrc::decode_ul_ccch);
    assert_eq!(ok + err, n());
}

#[test]
fn dl_dcch_never_panics() {
    let (ok, err) = hammer(7, ntn_rrc::decode_dl_dcch);
    assert_eq!(ok + err, n());
}

#[test]
fn ul_dcch_never_panics() {
    let (ok, err) = hammer(8, ntn_rrc::decode_ul_dcch);
    assert_eq!(ok + err, n());
}

#[test]
fn pcch_never_panics() {
    let (ok, err) = hammer(9, ntn_rrc::decode_pcch);
    assert_eq!(ok + err, n());
}

/// Mutated valid encodings reach deeper than random bytes: every pycrate vector (the seed
/// corpus) with random bit flips, truncations and extensions, into its message's decoder.
#[test]
fn mutated_vectors_never_panic() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/rrc/nb_pycrate.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut total = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let hex = v["hex"].as_str().unwrap();
        let seed: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let decode: fn(&[u8]) -> bool = match v["type"].as_str().unwrap() {
            "BCCH-BCH-Message-NB" => |b| ntn_rrc::decode_bcch_bch(b).is_ok(),
            "BCCH-DL-SCH-Message-NB" => |b| ntn_rrc::decode_bcch_dl_sch(b).is_ok(),
            "SystemInformationBlockType1-NB" => |b| ntn_rrc::decode_sib1(b).is_ok(),
            "SystemInformationBlockType31-NB-r17" => |b| ntn_rrc::decode_sib31(b).is_ok(),
            "DL-CCCH-Message-NB" => |b| ntn_rrc::decode_dl_ccch(b).is_ok(),
            "UL-CCCH-Message-NB" => |b| ntn_rrc::decode_ul_ccch(b).is_ok(),
            "DL-DCCH-Message-NB" => |b| ntn_rrc::decode_dl_dcch(b).is_ok(),
            "UL-DCCH-Message-NB" => |b| ntn_rrc::decode_ul_dcch(b).is_ok(),
            "PCCH-Message-NB" => |b| ntn_rrc::decode_pcch(b).is_ok(),
            other => panic!("no decoder for {other}"),
        };
        assert!(decode(&seed), "{} must decode", v["name"]);
        for _ in 0..2_000 {
            let mut b = seed.clone();
            for _ in 0..rng.random_range(1..=4) {
                match rng.random_range(0..3) {
                    0 if !b.is_empty() => {
                        let i = rng.random_range(0..b.len() * 8);
                        b[i / 8] ^= 0x80 >> (i % 8);
                    }
                    1 if !b.is_empty() => b.truncate(rng.random_range(0..b.len())),
                    _ => b.push(rng.random()),
                }
            }
            let _ = decode(&b);
            total += 1;
        }
    }
    assert!(total >= 100_000, "{total}");
}
