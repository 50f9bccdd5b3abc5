//! Stable stand-in for the RLC fuzz targets: 10⁶ seeded random inputs and mutated PDUs through every
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
    for _ in 0..1_000_000 {
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

mod structured {
    use bytes::BytesMut;
    use ntn_mac::rlc::am::{RlcAmConfig, RlcAmEntity};
    use ntn_mac::rlc::pdu::{
        AmdPduRepr, FramingInfo, LiLength, Nack, SegmentInfo, StatusPduRepr, UmSnLength, UmdPduRepr,
    };
    use ntn_mac::rlc::timers::TReordering;
    use ntn_mac::rlc::um::{RlcUmConfig, RlcUmEntity};
    use ntn_types::{Duration, Instant};
    use proptest::prelude::*;

    /// Well-formed but adversarial PDUs: any SN, segment flags, SO, LIs, polls, STATUS
    /// PDUs with any ACK/NACK/SO values. The entities must not panic and must keep their
    /// invariants (delivered bytes never exceed received bytes).
    #[derive(Debug, Clone)]
    enum Op {
        Amd(u16, bool, u8, Option<(bool, u16)>, Vec<u16>, usize),
        Status(u16, Vec<(u16, Option<(u16, u16)>)>),
        Tick(u16),
        Pull(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (
                0u16..1024,
                any::<bool>(),
                0u8..4,
                proptest::option::of((any::<bool>(), 0u16..300)),
                proptest::collection::vec(1u16..40, 0..4),
                1usize..40
            )
                .prop_map(|(sn, p, fi, seg, lis, tail)| Op::Amd(sn, p, fi, seg, lis, tail)),
            (
                0u16..1024,
                proptest::collection::vec(
                    (0u16..1024, proptest::option::of((0u16..400, 0u16..0x8000))),
                    0..5
                )
            )
                .prop_map(|(a, n)| Op::Status(a, n)),
            (0u16..300).prop_map(Op::Tick),
            (0usize..200).prop_map(Op::Pull),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn adversarial_pdus_never_panic(ops in proptest::collection::vec(op(), 1..80)) {
            let mut now = Instant::ZERO;
            let cfg = RlcAmConfig {
                t_reordering: Some(TReordering::from_ms(20).unwrap()),
                ..RlcAmConfig::nb_iot_default()
            };
            let mut am = RlcAmEntity::new(cfg, now);
            let mut um = RlcUmEntity::new(
                RlcUmConfig::new(UmSnLength::Ten, Some(TReordering::from_ms(20).unwrap())),
                now,
            );
            for i in 0..5u8 {
                am.handle_sdu(now, bytes::Bytes::from(vec![i; 30])).unwrap();
            }
            let mut received = 0usize;
            for o in ops {
                match o {
                    Op::Amd(sn, poll, fi, seg, lis, tail) => {
                        let r = AmdPduRepr {
                            poll,
                            fi: FramingInfo::from_bits(fi),
                            sn,
                            segment: seg.map(|(lsf, so)| SegmentInfo { lsf, so }),
                            lis: lis.clone(),
                        };
                        let mut v = Vec::new();
                        r.emit(LiLength::Eleven, &mut v).unwrap();
                        let n = lis.iter().map(|&l| usize::from(l)).sum::<usize>() + tail;
                        v.resize(v.len() + n, 0xab);
                        received += n;
                        am.handle_pdu(now, &v);
                        let u = UmdPduRepr { sn, fi: FramingInfo::from_bits(fi), lis };
                        let mut w = Vec::new();
                        u.emit(UmSnLength::Ten, LiLength::Eleven, &mut w).unwrap();
                        w.resize(w.len() + n, 0xcd);
                        um.handle_pdu(now, &w);
                    }
                    Op::Status(ack, nacks) => {
                        let s = StatusPduRepr {
                            ack_sn: ack,
                            nacks: nacks
                                .into_iter()
                                .map(|(sn, so)| Nack { sn, so: so.map(|(a, b)| (a.min(b), a.max(b))) })
                                .collect(),
                        };
                        let mut v = Vec::new();
                        s.emit(&mut v).unwrap();
                        am.handle_pdu(now, &v);
                    }
                    Op::Tick(ms) => {
                        now += Duration::from_millis(i64::from(ms));
                        am.handle_timeout(now);
                        um.handle_timeout(now);
                    }
                    Op::Pull(g) => {
                        let mut o = BytesMut::new();
                        am.pull_pdu(now, g, &mut o);
                    }
                }
                let mut delivered = 0usize;
                while let Some(e) = am.poll_event() {
                    if let ntn_mac::rlc::RlcEvent::Sdu(s) = e {
                        delivered += s.len();
                    }
                }
                prop_assert!(delivered <= received);
                while um.poll_event().is_some() {}
            }
        }
    }
}
