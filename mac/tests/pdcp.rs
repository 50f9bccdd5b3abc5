//! PDCP entity tests: round trips with ciphering and integrity through the security trait,
//! COUNT wrap-around, tampered MAC-I, duplicate discard.
//!
//! `ToySecurity` is a keyed stand-in for EEA/EIA (not a real algorithm): a keystream and a
//! MAC that both depend on KEY, COUNT, BEARER and DIRECTION, so that any COUNT mismatch
//! between the two ends shows as an integrity failure or corrupt data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use ntn_mac::pdcp::entity::{PdcpBearer, PdcpConfig, PdcpEntity, PdcpEvent, PdcpSduRejected};
use ntn_mac::pdcp::pdu::PdcpSnLength;
use ntn_mac::pdcp::{Direction, PdcpSecurity};
use ntn_types::Instant;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
struct ToySecurity {
    key: u64,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl PdcpSecurity for ToySecurity {
    fn cipher(&self, count: u32, bearer: u8, direction: Direction, data: &mut [u8]) {
        let seed = self.key
            ^ (u64::from(count) << 8)
            ^ (u64::from(bearer) << 1)
            ^ u64::from(direction.bit());
        for (i, b) in data.iter_mut().enumerate() {
            *b ^= mix(seed.wrapping_add(i as u64)) as u8;
        }
    }
    fn integrity_mac(
        &self,
        count: u32,
        bearer: u8,
        direction: Direction,
        message: &[u8],
    ) -> [u8; 4] {
        let mut h = mix(self.key
            ^ u64::from(count)
            ^ (u64::from(bearer) << 40)
            ^ (u64::from(direction.bit()) << 48));
        for &b in message {
            h = mix(h ^ u64::from(b));
        }
        (h as u32).to_be_bytes()
    }
}

const T: Instant = Instant::ZERO;

fn pair(
    bearer: PdcpBearer,
    sn: PdcpSnLength,
) -> (PdcpEntity<ToySecurity>, PdcpEntity<ToySecurity>) {
    let sec = ToySecurity {
        key: 0x0123_4567_89ab_cdef,
    };
    let ue = PdcpConfig::new(bearer, sn, Direction::Uplink).unwrap();
    let enb = PdcpConfig::new(bearer, sn, Direction::Downlink).unwrap();
    let mut a = PdcpEntity::new(ue, sec, T);
    let mut b = PdcpEntity::new(enb, sec, T);
    let integrity = matches!(bearer, PdcpBearer::Srb { .. });
    a.activate_security(T, sec, integrity, true);
    b.activate_security(T, sec, integrity, true);
    (a, b)
}

fn send(a: &mut PdcpEntity<ToySecurity>, sdu: &[u8]) -> Bytes {
    a.handle_sdu(T, Bytes::copy_from_slice(sdu)).unwrap();
    a.poll_transmit().unwrap()
}

#[test]
fn srb_round_trip_is_ciphered_and_protected() {
    let (mut ue, mut enb) = pair(PdcpBearer::Srb { rb_id: 1 }, PdcpSnLength::Five);
    let pdu = send(&mut ue, b"RRCConnectionSetupComplete");
    assert_eq!(pdu.len(), 1 + 26 + 4);
    assert_eq!(pdu[0], 0x00); // SN 0, header in clear
    assert_ne!(&pdu[1..27], b"RRCConnectionSetupComplete"); // ciphered
    enb.handle_pdu(T, &pdu);
    assert_eq!(
        enb.poll_event(),
        Some(PdcpEvent::Sdu {
            count: 0,
            sdu: Bytes::from_static(b"RRCConnectionSetupComplete")
        })
    );
}

#[test]
fn tampered_mac_i_is_dropped_and_counted() {
    let (mut ue, mut enb) = pair(PdcpBearer::Srb { rb_id: 1 }, PdcpSnLength::Five);
    let pdu = send(&mut ue, b"msg");
    for bit in [0usize, 8, 20, 35] {
        let mut bad = pdu.to_vec();
        bad[bit / 8] ^= 1 << (bit % 8);
        enb.handle_pdu(T, &bad);
    }
    assert_eq!(enb.stats().integrity_failures, 4);
    assert!(matches!(
        enb.poll_event(),
        Some(PdcpEvent::IntegrityFailure { .. })
    ));
    // State did not move: the genuine PDU still verifies.
    while enb.poll_event().is_some() {}
    enb.handle_pdu(T, &pdu);
    assert_eq!(
        enb.poll_event(),
        Some(PdcpEvent::Sdu {
            count: 0,
            sdu: Bytes::from_static(b"msg")
        })
    );
    // A truncated PDU (shorter than header + MAC-I) is malformed, not an integrity failure.
    enb.handle_pdu(T, &pdu[..3]);
    assert_eq!(enb.stats().malformed, 1);
}

#[test]
fn srb_count_wraps_into_hfn() {
    let (mut ue, mut enb) = pair(PdcpBearer::Srb { rb_id: 2 }, PdcpSnLength::Five);
    // 70 PDUs: the 5-bit SN wraps twice; the receiver's COUNT must follow HFN.
    for i in 0..70u32 {
        let pdu = send(&mut ue, &i.to_be_bytes());
        assert_eq!(u32::from(pdu[0]), i % 32);
        enb.handle_pdu(T, &pdu);
        assert_eq!(
            enb.poll_event(),
            Some(PdcpEvent::Sdu {
                count: i,
                sdu: Bytes::copy_from_slice(&i.to_be_bytes())
            })
        );
    }
    assert_eq!(ue.tx_count(), 70);
    assert_eq!(enb.stats().integrity_failures, 0);
}

#[test]
fn count_near_2_pow_32_then_exhausted() {
    let (mut ue, mut enb) = pair(PdcpBearer::DrbAm { rb_id: 1 }, PdcpSnLength::Twelve);
    let start = u32::MAX - 3;
    ue.set_counts(start, 0);
    enb.set_counts(0, start);
    for k in 0..3u32 {
        let pdu = send(&mut ue, b"x");
        enb.handle_pdu(T, &pdu);
        assert_eq!(
            enb.poll_event(),
            Some(PdcpEvent::Sdu {
                count: start + k,
                sdu: Bytes::from_static(b"x")
            })
        );
    }
    // COUNT 2^32 − 1 would be the last value: refused so that RRC re-keys first.
    assert_eq!(
        ue.handle_sdu(T, Bytes::from_static(b"y")),
        Err(PdcpSduRejected::CountExhausted)
    );
}

#[test]
fn drb_am_discards_duplicates() {
    let (mut ue, mut enb) = pair(PdcpBearer::DrbAm { rb_id: 3 }, PdcpSnLength::Twelve);
    let p0 = send(&mut ue, b"a");
    let p1 = send(&mut ue, b"b");
    enb.handle_pdu(T, &p0);
    enb.handle_pdu(T, &p1);
    enb.handle_pdu(T, &p0);
    enb.handle_pdu(T, &p1);
    assert_eq!(enb.stats().sdus_rx, 2);
    assert_eq!(enb.stats().discarded, 2);
}

proptest! {
    /// DRB over UM with a 7-bit SN (wraps every 128): COUNT follows across several wraps,
    /// and every SDU comes back byte for byte.
    #[test]
    fn drb_um_round_trip(sdus in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..50), 1..400)) {
        let (mut ue, mut enb) = pair(PdcpBearer::DrbUm { rb_id: 1 }, PdcpSnLength::Seven);
        for (i, s) in sdus.iter().enumerate() {
            let pdu = send(&mut ue, s);
            prop_assert_eq!(pdu[0], 0x80 | (i % 128) as u8);
            enb.handle_pdu(T, &pdu);
            prop_assert_eq!(enb.poll_event(), Some(PdcpEvent::Sdu { count: i as u32, sdu: Bytes::copy_from_slice(s) }));
        }
    }

    /// Random bytes into every PDCP decoder and entity: no panic.
    #[test]
    fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
        ntn_mac::pdcp::pdu::fuzz_decode_pdcp(&data);
        for bearer in [PdcpBearer::Srb { rb_id: 1 }, PdcpBearer::DrbAm { rb_id: 1 }, PdcpBearer::DrbUm { rb_id: 1 }] {
            let sn = if matches!(bearer, PdcpBearer::Srb { .. }) { PdcpSnLength::Five } else { PdcpSnLength::Twelve };
            let (_, mut enb) = pair(bearer, sn);
            enb.handle_pdu(T, &data);
        }
    }
}
