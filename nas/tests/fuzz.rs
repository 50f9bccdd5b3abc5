//! Robustness: the decoders never panic. Replays a stable corpus (the pycrate vectors with
//! every truncation and single-byte mutation) and 10^6 seeded random inputs biased towards
//! valid headers. Deterministic (ChaCha8 with a fixed seed); the bound is the input count, not
//! wall-clock time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::fuzz_parse;
use ntn_nas::fivegs::fuzz_parse as fuzz_parse_5g;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for file in ["eps_pycrate.json", "5gs_pycrate.json"] {
        let path = format!("{}/../vectors/data/nas/{file}", env!("CARGO_MANIFEST_DIR"));
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            let s = v["hex"].as_str().unwrap();
            out.push(
                (0..s.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                    .collect(),
            );
        }
    }
    out
}

/// Both decoders (EPS and 5GS) on the same input.
fn both(data: &[u8]) {
    fuzz_parse(data);
    fuzz_parse_5g(data);
}

#[test]
fn corpus_truncations_and_mutations_never_panic() {
    let mut n = 0u64;
    for c in corpus() {
        for len in 0..=c.len() {
            both(&c[..len]);
            n += 1;
        }
        for i in 0..c.len() {
            for x in [0x00u8, 0xff, 0x80, 0x7f, 0x01] {
                let mut m = c.clone();
                m[i] = x;
                both(&m);
                n += 1;
            }
        }
    }
    assert!(n > 1000);
}

#[test]
fn a_million_random_inputs_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x006e_746e_5f6e_6173);
    let corpus = corpus();
    let mut buf = Vec::with_capacity(64);
    for i in 0..1_000_000u32 {
        buf.clear();
        match i % 4 {
            // fully random
            0 => {
                let len = rng.random_range(0..48);
                buf.resize(len, 0);
                rng.fill_bytes(&mut buf);
            }
            // valid EMM or 5GMM header, random message type and body
            1 => {
                if rng.random_bool(0.5) {
                    buf.push(0x7e);
                }
                buf.push(if buf.is_empty() {
                    0x07
                } else {
                    rng.random_range(0..5)
                });
                buf.push(rng.random_range(0x40..0x70));
                let len = rng.random_range(0..40);
                buf.extend((0..len).map(|_| rng.random::<u8>()));
            }
            // valid ESM or 5GSM header, random type and body
            2 => {
                buf.push(if rng.random_bool(0.5) {
                    0x2e
                } else {
                    0x02 | (rng.random_range(0..16u8) << 4)
                });
                buf.push(rng.random());
                buf.push(rng.random_range(0xc0..0xf0));
                let len = rng.random_range(0..40);
                buf.extend((0..len).map(|_| rng.random::<u8>()));
            }
            // a corpus message with random bytes changed / appended
            _ => {
                let c = &corpus[rng.random_range(0..corpus.len())];
                buf.extend_from_slice(c);
                for _ in 0..rng.random_range(1..4) {
                    let j = rng.random_range(0..buf.len());
                    buf[j] = rng.random();
                }
                if rng.random_bool(0.3) {
                    let len = rng.random_range(0..8);
                    buf.extend((0..len).map(|_| rng.random::<u8>()));
                }
            }
        }
        both(&buf);
    }
}
