//! Stable stand-in for the RLC fuzz targets: seeded random and mutated inputs through every
//! decoder and into the entities' `handle_pdu`. Nothing may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::{Bytes, BytesMut};
use ntn_mac::rlc::am::{RlcAmConfig, RlcAmEntity};
use ntn_mac::rlc::pdu::{UmSnLength, fuzz_decode_rlc};
use ntn_mac::rlc::timers::TReordering;
use ntn_mac::rlc::um::{RlcUmConfig, RlcUmEntity};
use ntn_types::{Duration, Instant};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn random_bytes_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    let mut buf = [0u8; 64];
    for _ in 0..200_000 {
        let n = rng.random_range(0..=buf.len());
        rng.fill(&mut buf[..n]);
        fuzz_decode_rlc(&buf[..n]);
    }
}

#[test]
fn entities_survive_garbage_and_mutations() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xbad);
    let t0 = Instant::ZERO;
    let mut tx = RlcAmEntity::new(RlcAmConfig::nb_iot_default(), t0);
    let mut rx = RlcAmEntity::new(RlcAmConfig::nb_iot_default(), t0);
    let um_cfg = RlcUmConfig::new(UmSnLength::Five, Some(TReordering::from_ms(5).unwrap()));
    let mut um = RlcUmEntity::new(um_cfg, t0);
    let mut now = t0;
    for i in 0..20_000u32 {
        now += Duration::from_millis(1);
        if i % 3 == 0 {
            let len = rng.random_range(1..200);
            let _ = tx.handle_sdu(now, Bytes::from(vec![i as u8; len]));
        }
        let mut o = BytesMut::new();
        tx.pull_pdu(now, rng.random_range(0..100), &mut o);
        let mut v = o.to_vec();
        // Flip a few bits in half of the PDUs, or replace them with noise.
        match rng.random_range(0..4) {
            0 => {
                for _ in 0..3 {
                    if !v.is_empty() {
                        let k = rng.random_range(0..v.len());
                        v[k] ^= 1 << rng.random_range(0..8);
                    }
                }
            }
            1 => {
                let n = rng.random_range(0..40);
                v = (0..n).map(|_| rng.random()).collect();
            }
            _ => {}
        }
        rx.handle_pdu(now, &v);
        um.handle_pdu(now, &v);
        let mut s = BytesMut::new();
        rx.pull_pdu(now, rng.random_range(0..50), &mut s);
        tx.handle_pdu(now, &s);
        for e in [&mut tx, &mut rx] {
            if e.poll_timeout().is_some_and(|t| t <= now) {
                e.handle_timeout(now);
            }
            while e.poll_event().is_some() {}
        }
        um.handle_timeout(now);
        while um.poll_event().is_some() {}
    }
    assert!(rx.stats().malformed + rx.stats().duplicates > 0);
    println!("tx {:?}\nrx {:?}", tx.stats(), rx.stats());
    assert!(tx.stats().pdus_tx > 100);
}
