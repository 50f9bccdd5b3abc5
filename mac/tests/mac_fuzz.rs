//! Stable stand-in for fuzzing the MAC and PDCP entities that take bytes from the air (the
//! codec-level 10⁶-input runs are in `mac_codec.rs`, the corpus replay in `l2_vectors.rs`):
//! - the RA procedure's `handle_rar` / `handle_msg4` in every state, fed random bytes and
//!   mutations of valid RARs and Msg4s;
//! - PDCP SRB and DRB entities on the real EEA2/EIA2 (`PdcpAlgorithms`), fed random bytes and
//!   bit-flipped protected PDUs (every flip must be caught on the SRB);
//! - the MAC decoders on mutated valid PDUs with every new control element.
//!
//! 10⁶ inputs in total by default; `NTN_FUZZ_SCALE=k` multiplies the counts for a longer run
//! outside CI (e.g. `NTN_FUZZ_SCALE=100 cargo test -p ntn-mac --release --test mac_fuzz`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use ntn_mac::mac::pdu::{
    DifferentialKoffset, Dpr, LinkDirection, MacPduRepr, MacSubPdu, NbRar, NbRarGrant, RarPduRepr,
    fuzz_decode_mac,
};
use ntn_mac::mac::ra::{NtnTiming, RaConfig, RaProcedure, RaTransmit};
use ntn_mac::pdcp::Direction;
use ntn_mac::pdcp::entity::{PdcpBearer, PdcpConfig, PdcpEntity, PdcpEvent};
use ntn_mac::pdcp::pdu::{PdcpSnLength, fuzz_decode_pdcp};
use ntn_mac::pdcp::security::PdcpAlgorithms;
use ntn_security::{CipheringAlgorithmId, IntegrityAlgorithmId};
use ntn_types::{Duration, Instant};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn scale() -> u64 {
    std::env::var("NTN_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn mutate(rng: &mut ChaCha8Rng, v: &mut Vec<u8>) {
    match rng.random_range(0..4) {
        0 => {
            for _ in 0..rng.random_range(1..4) {
                if !v.is_empty() {
                    let k = rng.random_range(0..v.len());
                    v[k] ^= 1 << rng.random_range(0..8);
                }
            }
        }
        1 => {
            let n = rng.random_range(0..=v.len());
            v.truncate(n);
        }
        2 => {
            for _ in 0..rng.random_range(1..6) {
                v.push(rng.random());
            }
        }
        _ => {
            let n = rng.random_range(0..40);
            *v = (0..n).map(|_| rng.random()).collect();
        }
    }
}

fn ra_config() -> RaConfig {
    let ms = Duration::from_millis;
    RaConfig {
        preamble_trans_max: 10,
        max_attempts_per_ce: vec![4, 4, 4],
        preamble_duration: ms(6),
        rar_window_delay: ms(4),
        ra_response_window: ms(20),
        contention_resolution_timer: ms(64),
        msg3_duration: ms(8),
        initial_target_power_dbm: -112.0,
        power_ramping_step_db: 2.0,
        p_cmax_dbm: 23.0,
        ntn: NtnTiming::from_sib31(30, Some(4)),
        seed: 7,
    }
}

#[test]
fn ra_procedure_survives_garbage() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x0a11);
    let n = 200_000 * scale();
    let mut ue = RaProcedure::new(ra_config(), Instant::ZERO);
    let mut now = Instant::ZERO;
    let ccch = vec![0x2a, 0x24, 0x68, 0xac, 0xf1, 0x34, 0xa6];
    ue.start(
        now,
        ccch.clone(),
        Dpr::for_bytes(1, 20),
        Duration::from_millis(26),
    );
    let mut valid_rar = {
        let mut v = Vec::new();
        RarPduRepr {
            backoff_indicator: Some(2),
            rars: vec![(
                3,
                NbRar {
                    ta: 5,
                    grant: NbRarGrant::from_bits(0x1234),
                    tc_rnti: 77,
                },
            )],
        }
        .emit(&mut v)
        .unwrap();
        v
    };
    let valid_msg4 = {
        let mut v = Vec::new();
        MacPduRepr {
            elements: vec![
                MacSubPdu {
                    lcid: 28,
                    payload: &ccch[..6],
                },
                MacSubPdu {
                    lcid: 0,
                    payload: &[0x30, 0x12, 0x3e],
                },
            ],
            padding: 0,
        }
        .emit(LinkDirection::Downlink, 14, &mut v)
        .unwrap();
        v
    };
    let mut events = 0u64;
    for i in 0..n {
        now += Duration::from_micros(rng.random_range(0..4000));
        if ue.poll_timeout().is_some_and(|t| t <= now) {
            ue.handle_timeout(now);
        }
        while let Some(tx) = ue.poll_transmit() {
            if let RaTransmit::Preamble { rapid, .. } = tx {
                valid_rar.clear();
                RarPduRepr {
                    backoff_indicator: Some(2),
                    rars: vec![(
                        rapid,
                        NbRar {
                            ta: 5,
                            grant: NbRarGrant::from_bits(0x1234),
                            tc_rnti: 77,
                        },
                    )],
                }
                .emit(&mut valid_rar)
                .unwrap();
            }
        }
        while ue.poll_event().is_some() {
            events += 1;
        }
        // Restart now and then so that every state (including a fresh RAR window after a
        // large backoff from a garbage BI) keeps being visited.
        if i % 2000 == 0 {
            ue.start(
                now,
                ccch.clone(),
                Dpr::for_bytes(1, 20),
                Duration::from_millis(26),
            );
        }
        let mut v = if i % 2 == 0 {
            valid_rar.clone()
        } else {
            valid_msg4.clone()
        };
        if rng.random_range(0..8) != 0 {
            mutate(&mut rng, &mut v);
        }
        if rng.random() {
            ue.handle_rar(now, &v);
        } else {
            ue.handle_msg4(now, rng.random_range(75..79), &v);
        }
    }
    let st = ue.stats();
    println!("{n} RA inputs, {events} procedure outcomes, {st:?}");
    assert!(
        st.preambles > 50 && st.rars_ignored + st.malformed > 1000,
        "{st:?}"
    );
}

fn pdcp_pair(
    bearer: PdcpBearer,
    sn: PdcpSnLength,
) -> (PdcpEntity<PdcpAlgorithms>, PdcpEntity<PdcpAlgorithms>) {
    let sec = PdcpAlgorithms {
        cipher: CipheringAlgorithmId::Eea2,
        integrity: IntegrityAlgorithmId::Eia2,
        k_enc: [0x42; 16],
        k_int: [0x24; 16],
    };
    let t = Instant::ZERO;
    let srb = matches!(bearer, PdcpBearer::Srb { .. });
    let mut tx = PdcpEntity::new(
        PdcpConfig::new(bearer, sn, Direction::Uplink).unwrap(),
        sec.clone(),
        t,
    );
    let mut rx = PdcpEntity::new(
        PdcpConfig::new(bearer, sn, Direction::Downlink).unwrap(),
        sec.clone(),
        t,
    );
    tx.activate_security(t, sec.clone(), srb, true);
    rx.activate_security(t, sec, srb, true);
    (tx, rx)
}

#[test]
fn pdcp_entities_with_real_security_survive_garbage() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x9dc9);
    let n = 100_000 * scale();
    let t = Instant::ZERO;
    let (mut stx, mut srx) = pdcp_pair(PdcpBearer::Srb { rb_id: 1 }, PdcpSnLength::Five);
    let (mut dtx, mut drx) = pdcp_pair(PdcpBearer::DrbAm { rb_id: 2 }, PdcpSnLength::Twelve);
    let mut flips_caught = 0u64;
    let mut flips = 0u64;
    for i in 0..n {
        let sdu = Bytes::from(vec![i as u8; rng.random_range(1..30)]);
        if i % 2 == 0 {
            stx.handle_sdu(t, sdu).unwrap();
            let mut v = stx.poll_transmit().unwrap().to_vec();
            let flip = rng.random_range(0..4) == 0;
            if flip {
                // One bit after the header: must fail integrity.
                let k = rng.random_range(8..v.len() * 8);
                v[k / 8] ^= 1 << (k % 8);
                flips += 1;
            } else if rng.random_range(0..4) == 0 {
                mutate(&mut rng, &mut v);
            }
            srx.handle_pdu(t, &v);
            while let Some(e) = srx.poll_event() {
                if flip && matches!(e, PdcpEvent::IntegrityFailure { .. }) {
                    flips_caught += 1;
                }
            }
        } else {
            dtx.handle_sdu(t, sdu).unwrap();
            let mut v = dtx.poll_transmit().unwrap().to_vec();
            if rng.random_range(0..3) == 0 {
                mutate(&mut rng, &mut v);
            }
            drx.handle_pdu(t, &v);
            while drx.poll_event().is_some() {}
        }
        let mut g: Vec<u8> = (0..rng.random_range(0..24)).map(|_| rng.random()).collect();
        fuzz_decode_pdcp(&g);
        srx.handle_pdu(t, &g);
        g.reverse();
        drx.handle_pdu(t, &g);
        while srx.poll_event().is_some() {}
        while drx.poll_event().is_some() {}
    }
    println!("{n} PDCP rounds: {flips_caught}/{flips} single-bit flips caught by EIA2");
    assert_eq!(flips_caught, flips);
}

#[test]
fn mac_decoders_on_mutated_valid_pdus() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xce);
    let n = 500_000 * scale();
    let dk = DifferentialKoffset { k_ue_offset: 45 }.emit().unwrap();
    let seeds: Vec<Vec<u8>> = vec![
        vec![0x3c, 0x3d, 0x03, 1, 2, 3, 4, 5, 6, 0x21, 0xaa, 0xbb],
        vec![0x2f, 0x1b, 0x02, 0x1d, 0x46, 0x01],
        vec![0x00, 0x25, 0x2a, 0x24, 0x68, 0xac, 0xf1, 0x34],
        vec![0x85, 0x51, 0x2a, 0xb9, 0x8a, 0x60, 0x46, 0x01],
        vec![0x21, dk[0], 0x3f, 0x3f, 0x01, 0x99],
    ];
    for i in 0..n {
        let mut v = seeds[(i % seeds.len() as u64) as usize].clone();
        mutate(&mut rng, &mut v);
        fuzz_decode_mac(&v);
        let _ = DifferentialKoffset::parse(&v);
    }
}
