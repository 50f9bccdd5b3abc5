//! Round trip of random valid values of every NB-IoT message type (values drawn by the
//! generated `RandomValue` impls, seeded): UPER encode, decode, compare. With
//! `NTN_WRITE_RANDOM=FILE`, writes the encodings for pycrate to decode
//! (`python3 vectors/gen/rrc_nb_vectors.py --decode FILE`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_rrc::asn1::{
    BCCHBCHMessageNB, BCCHDLSCHMessageNB, DLCCCHMessageNB, DLDCCHMessageNB, PCCHMessageNB,
    RandomSource, RandomValue, SystemInformationBlockType31NBR17, ULCCCHMessageNB, ULDCCHMessageNB,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rasn::{Decode, Encode};

const CASES: usize = 2_000;

struct Src(ChaCha8Rng);

impl RandomSource for Src {
    fn below(&mut self, n: u64) -> u64 {
        self.0.random_range(0..n.max(1))
    }
}

fn round_trip<T>(ty: &str, seed: u64, out: &mut Vec<serde_json::Value>)
where
    T: RandomValue + Encode + Decode + PartialEq + std::fmt::Debug,
{
    let mut src = Src(ChaCha8Rng::seed_from_u64(seed));
    for i in 0..CASES {
        let v = T::random(&mut src);
        let bytes =
            rasn::uper::encode(&v).unwrap_or_else(|e| panic!("{ty} #{i}: encode {e}: {v:?}"));
        let back: T =
            rasn::uper::decode(&bytes).unwrap_or_else(|e| panic!("{ty} #{i}: decode {e}: {v:?}"));
        if back != v {
            let (a, b) = (
                rasn::jer::encode(&v).unwrap(),
                rasn::jer::encode(&back).unwrap(),
            );
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            let from = at.saturating_sub(300);
            panic!(
                "{ty} #{i} differs at {at}:\n sent {}\n back {}",
                &a[from..(at + 80).min(a.len())],
                &b[from..(at + 80).min(b.len())]
            );
        }
        if i < 250 {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let value: serde_json::Value =
                serde_json::from_str(&rasn::jer::encode(&v).unwrap()).unwrap();
            out.push(serde_json::json!({"name": format!("{ty}#{i}"), "type": ty, "hex": hex, "value": value}));
        }
    }
}

#[test]
fn every_message_type_round_trips() {
    let mut out = Vec::new();
    round_trip::<BCCHBCHMessageNB>("BCCH-BCH-Message-NB", 1, &mut out);
    round_trip::<BCCHDLSCHMessageNB>("BCCH-DL-SCH-Message-NB", 2, &mut out);
    round_trip::<SystemInformationBlockType31NBR17>(
        "SystemInformationBlockType31-NB-r17",
        3,
        &mut out,
    );
    round_trip::<DLCCCHMessageNB>("DL-CCCH-Message-NB", 4, &mut out);
    round_trip::<ULCCCHMessageNB>("UL-CCCH-Message-NB", 5, &mut out);
    round_trip::<DLDCCHMessageNB>("DL-DCCH-Message-NB", 6, &mut out);
    round_trip::<ULDCCHMessageNB>("UL-DCCH-Message-NB", 7, &mut out);
    round_trip::<PCCHMessageNB>("PCCH-Message-NB", 8, &mut out);
    if let Some(path) = std::env::var_os("NTN_WRITE_RANDOM") {
        std::fs::write(path, serde_json::to_string_pretty(&out).unwrap()).unwrap();
    }
}
