//! Random byte strings into every decoder: each returns `Ok` or `Err`, never panics.
//! 10⁵ inputs per decoder here (seeded, so reproducible), lengths 0–64 bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 100_000;

fn hammer<T>(seed: u64, decode: impl Fn(&[u8]) -> Result<T, ntn_rrc::RrcError>) -> (usize, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut buf = [0u8; 64];
    let (mut ok, mut err) = (0, 0);
    for _ in 0..N {
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
    assert_eq!(ok + err, N);
}

#[test]
fn bcch_dl_sch_never_panics() {
    let (ok, err) = hammer(2, ntn_rrc::decode_bcch_dl_sch);
    assert_eq!(ok + err, N);
}

#[test]
fn sib1_never_panics() {
    let (ok, err) = hammer(3, ntn_rrc::decode_sib1);
    assert_eq!(ok + err, N);
}

#[test]
fn sib31_never_panics() {
    let (ok, err) = hammer(4, ntn_rrc::decode_sib31);
    assert_eq!(ok + err, N);
}

#[test]
fn dl_ccch_never_panics() {
    let (ok, err) = hammer(5, ntn_rrc::decode_dl_ccch);
    assert_eq!(ok + err, N);
}

#[test]
fn ul_ccch_never_panics() {
    let (ok, err) = hammer(6, ntn_rrc::decode_ul_ccch);
    assert_eq!(ok + err, N);
}

#[test]
fn dl_dcch_never_panics() {
    let (ok, err) = hammer(7, ntn_rrc::decode_dl_dcch);
    assert_eq!(ok + err, N);
}

#[test]
fn ul_dcch_never_panics() {
    let (ok, err) = hammer(8, ntn_rrc::decode_ul_dcch);
    assert_eq!(ok + err, N);
}

#[test]
fn pcch_never_panics() {
    let (ok, err) = hammer(9, ntn_rrc::decode_pcch);
    assert_eq!(ok + err, N);
}
