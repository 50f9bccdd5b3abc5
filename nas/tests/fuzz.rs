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

/// The entities (UE NAS, MME, 5GS UE, AMF) take random and mutated PDUs in every state they
/// reach without panicking: real traffic runs alongside the corpus with random byte changes
/// fed to both sides, plus idle-mode triggers (release, paging, TA change, data).
#[test]
fn entities_never_panic_on_mutated_pdus() {
    use ntn_nas::eps::mme::{Mme, MmeConfig, Subscriber};
    use ntn_nas::eps::ue::{UeNas, UeNasConfig};
    use ntn_nas::eps::usim::Usim;
    use ntn_nas::fivegs::procedures::{Amf, Subscriber5g, UeNas5g, UeNas5gConfig};
    use ntn_types::{Duration, Instant};

    const IMSI: &str = "001010123456789";
    let (k, opc) = ([0x11u8; 16], [0x22u8; 16]);
    let mut rng = ChaCha8Rng::seed_from_u64(0x006e_6173_5f65_6e74);
    let corpus = corpus();
    let mutated = |rng: &mut ChaCha8Rng| {
        let mut b = corpus[rng.random_range(0..corpus.len())].clone();
        for _ in 0..rng.random_range(0..4) {
            let j = rng.random_range(0..b.len());
            b[j] = rng.random();
        }
        b
    };
    let mut now = Instant::ZERO;
    let mut ue = UeNas::new(UeNasConfig::default(), Usim::new(IMSI, &k, &opc, 0));
    let mut mme = Mme::new(MmeConfig::default());
    let sub = Subscriber {
        k,
        opc,
        sqn: 32,
        ipv4: [10, 0, 0, 1],
    };
    mme.add_subscriber(IMSI, sub);
    let mut ue5 = UeNas5g::new(UeNas5gConfig::default(), Usim::new(IMSI, &k, &opc, 0));
    let mut amf = Amf::new("001", "01");
    amf.add_subscriber(
        IMSI,
        Subscriber5g {
            k,
            opc,
            sqn: 32,
            ipv4: [10, 0, 0, 2],
        },
    );
    ue.handle_attach(now);
    ue5.handle_register(now);
    for round in 0..2_000 {
        now += Duration::from_millis(100);
        // Real traffic, so the entities move through their states ...
        while let Some(p) = ue.poll_transmit() {
            mme.handle_uplink_nas(now, 1, &p);
        }
        while let Some((_, p)) = mme.poll_transmit() {
            ue.handle_pdu(now, &p);
        }
        while let Some(p) = ue5.poll_transmit() {
            amf.handle_uplink_nas(now, 1, &p);
        }
        while let Some((_, p)) = amf.poll_transmit() {
            ue5.handle_pdu(now, &p);
        }
        // ... and (after the first 5 s, so that attach and registration complete first)
        // garbage into every one of them.
        for _ in 0..if round < 50 { 0 } else { 5 } {
            ue.handle_pdu(now, &mutated(&mut rng));
            mme.handle_uplink_nas(now, rng.random_range(0..3), &mutated(&mut rng));
            ue5.handle_pdu(now, &mutated(&mut rng));
            amf.handle_uplink_nas(now, rng.random_range(0..3), &mutated(&mut rng));
        }
        if round % 200 == 100 {
            ue.handle_connection_released(now);
            mme.handle_connection_released(now, 1);
            ue.handle_paging(now);
            ue.handle_tracking_area(now, [0x00, 0xf1, 0x10], rng.random());
            ue5.handle_connection_released(now);
            amf.handle_connection_released(now, 1);
            ue5.handle_tracking_area(now, [0x00, 0xf1, 0x10], rng.random_range(0..1 << 24));
            let _ = mme.handle_downlink_data(now, IMSI, b"x");
            let _ = ue.handle_send_data(now, b"y");
        }
        ue.handle_timeout(now);
        mme.handle_timeout(now);
        ue5.handle_timeout(now);
        amf.handle_timeout(now);
    }
    eprintln!(
        "EPS UE {:?}, security {}; 5GS UE registered {}; dropped UE {} MME {} UE5G {} AMF {}",
        ue.state(),
        ue.security().is_some(),
        ue5.is_registered(),
        ue.stats().dropped,
        mme.stats().dropped,
        ue5.dropped(),
        amf.dropped()
    );
    // The garbage was dropped and counted, not acted on.
    assert!(ue.stats().dropped > 0 && mme.stats().dropped > 0);
    assert!(ue5.dropped() > 0 && amf.dropped() > 0);
}
