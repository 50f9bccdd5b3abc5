//! PDCP on the real EEA/EIA algorithms ([`PdcpAlgorithms`]): the published TS 33.401 Annex C
//! and ETSI/SAGE EEA3 test sets whose length is whole octets go through the `PdcpSecurity`
//! seam and must give the published output; an SRB1 PDU built by the entity equals the one
//! computed by hand from the algorithms with COUNT, BEARER = rb_id − 1 and DIRECTION; PDCP
//! round trips with every algorithm pair, across an HFN wrap; a flipped bit is an integrity
//! failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use ntn_mac::pdcp::entity::{PdcpBearer, PdcpConfig, PdcpEntity, PdcpEvent};
use ntn_mac::pdcp::pdu::PdcpSnLength;
use ntn_mac::pdcp::security::PdcpAlgorithms;
use ntn_mac::pdcp::{Direction, PdcpSecurity};
use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, IntegrityAlgorithm, IntegrityAlgorithmId,
};
use ntn_types::Instant;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn key(s: &str) -> [u8; 16] {
    hex(s).try_into().unwrap()
}

fn cipher_id(s: &str) -> CipheringAlgorithmId {
    match s {
        "EEA1" => CipheringAlgorithmId::Eea1,
        "EEA2" => CipheringAlgorithmId::Eea2,
        "EEA3" => CipheringAlgorithmId::Eea3,
        _ => panic!("{s}"),
    }
}

fn mac_id(s: &str) -> IntegrityAlgorithmId {
    match s {
        "EIA1" => IntegrityAlgorithmId::Eia1,
        "EIA2" => IntegrityAlgorithmId::Eia2,
        "EIA3" => IntegrityAlgorithmId::Eia3,
        _ => panic!("{s}"),
    }
}

fn direction(d: i64) -> Direction {
    if d == 0 {
        Direction::Uplink
    } else {
        Direction::Downlink
    }
}

#[test]
fn published_test_sets_through_the_pdcp_seam() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/data/security/eea_eia_33401.toml"
    );
    let v: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut used = 0;
    for c in v["cipher"].as_array().unwrap() {
        let bits = c["bits"].as_integer().unwrap() as usize;
        if !bits.is_multiple_of(8) {
            continue;
        }
        let sec = PdcpAlgorithms {
            cipher: cipher_id(c["alg"].as_str().unwrap()),
            integrity: IntegrityAlgorithmId::Eia0,
            k_enc: key(c["key"].as_str().unwrap()),
            k_int: [0; 16],
        };
        let mut data = hex(c["input"].as_str().unwrap());
        data.truncate(bits / 8);
        sec.cipher(
            c["count"].as_integer().unwrap() as u32,
            c["bearer"].as_integer().unwrap() as u8,
            direction(c["direction"].as_integer().unwrap()),
            &mut data,
        );
        let want = hex(c["output"].as_str().unwrap());
        assert_eq!(data, want[..bits / 8], "{}", c["name"]);
        used += 1;
    }
    for m in v["mac"].as_array().unwrap() {
        let bits = m["bits"].as_integer().unwrap() as usize;
        if !bits.is_multiple_of(8) {
            continue;
        }
        let sec = PdcpAlgorithms {
            cipher: CipheringAlgorithmId::Eea0,
            integrity: mac_id(m["alg"].as_str().unwrap()),
            k_enc: [0; 16],
            k_int: key(m["key"].as_str().unwrap()),
        };
        let mut msg = hex(m["input"].as_str().unwrap());
        msg.truncate(bits / 8);
        let got = sec.integrity_mac(
            m["count"].as_integer().unwrap() as u32,
            m["bearer"].as_integer().unwrap() as u8,
            direction(m["direction"].as_integer().unwrap()),
            &msg,
        );
        assert_eq!(
            got.to_vec(),
            hex(m["mac"].as_str().unwrap()),
            "{}",
            m["name"]
        );
        used += 1;
    }
    println!("{used} octet-aligned published sets checked through PdcpSecurity");
    assert!(used >= 6, "{used}");
}

const K_ENC: [u8; 16] = [
    0x2b, 0xd6, 0x45, 0x9f, 0x82, 0xc4, 0x40, 0xe0, 0x95, 0x2c, 0x49, 0x10, 0x48, 0x05, 0xff, 0x48,
];
const K_INT: [u8; 16] = [
    0xd3, 0xc5, 0xd5, 0x92, 0x32, 0x7f, 0xb1, 0x1c, 0x40, 0x35, 0xc6, 0x68, 0x0a, 0xf8, 0xc6, 0xd1,
];

fn algs(c: CipheringAlgorithmId, i: IntegrityAlgorithmId) -> PdcpAlgorithms {
    PdcpAlgorithms {
        cipher: c,
        integrity: i,
        k_enc: K_ENC,
        k_int: K_INT,
    }
}

fn srb_pair(
    rb_id: u8,
    sec: &PdcpAlgorithms,
) -> (PdcpEntity<PdcpAlgorithms>, PdcpEntity<PdcpAlgorithms>) {
    let t = Instant::ZERO;
    let b = PdcpBearer::Srb { rb_id };
    let mut ue = PdcpEntity::new(
        PdcpConfig::new(b, PdcpSnLength::Five, Direction::Uplink).unwrap(),
        sec.clone(),
        t,
    );
    let mut enb = PdcpEntity::new(
        PdcpConfig::new(b, PdcpSnLength::Five, Direction::Downlink).unwrap(),
        sec.clone(),
        t,
    );
    ue.activate_security(t, sec.clone(), true, true);
    enb.activate_security(t, sec.clone(), true, true);
    (ue, enb)
}

/// The SRB1 uplink PDU for COUNT 37 (HFN 1, SN 5) computed from the algorithms directly:
/// header 0x05, MAC-I = EIA2(K_RRCint, 37, BEARER 0, UL, header ‖ SDU), then EEA2(K_RRCenc,
/// 37, BEARER 0, UL) over SDU ‖ MAC-I.
#[test]
fn srb1_pdu_matches_the_algorithms_by_hand() {
    let sec = algs(CipheringAlgorithmId::Eea2, IntegrityAlgorithmId::Eia2);
    let (mut ue, _) = srb_pair(1, &sec);
    ue.set_counts(37, 0);
    let sdu = b"\x1a\x00securityModeComplete";
    ue.handle_sdu(Instant::ZERO, Bytes::from_static(sdu))
        .unwrap();
    let pdu = ue.poll_transmit().unwrap();

    let mut msg = vec![0x05];
    msg.extend_from_slice(sdu);
    let mac = IntegrityAlgorithmId::Eia2
        .mac(
            &K_INT,
            37,
            0,
            ntn_security::Direction::Uplink,
            &msg,
            msg.len() * 8,
        )
        .unwrap();
    let mut body = sdu.to_vec();
    body.extend_from_slice(&mac);
    let n = body.len() * 8;
    CipheringAlgorithmId::Eea2
        .apply(&K_ENC, 37, 0, ntn_security::Direction::Uplink, &mut body, n)
        .unwrap();
    let mut want = vec![0x05];
    want.extend_from_slice(&body);
    assert_eq!(&pdu[..], &want[..]);
}

#[test]
fn round_trips_with_every_algorithm_pair_across_an_hfn_wrap() {
    use CipheringAlgorithmId as C;
    use IntegrityAlgorithmId as I;
    for (c, i) in [
        (C::Eea1, I::Eia1),
        (C::Eea2, I::Eia2),
        (C::Eea3, I::Eia3),
        (C::Eea0, I::Eia2),
        (C::Eea2, I::Eia1),
    ] {
        let sec = algs(c, i);
        let (mut ue, mut enb) = srb_pair(2, &sec);
        // Start 3 below an HFN boundary (5-bit SN: 32 per HFN).
        ue.set_counts(3 * 32 - 3, 0);
        enb.set_counts(0, 3 * 32 - 3);
        for k in 0..8u8 {
            let sdu = Bytes::from(vec![k; 10 + usize::from(k)]);
            ue.handle_sdu(Instant::ZERO, sdu.clone()).unwrap();
            let pdu = ue.poll_transmit().unwrap();
            if c != C::Eea0 {
                assert_ne!(&pdu[1..1 + sdu.len()], &sdu[..], "ciphered");
            }
            enb.handle_pdu(Instant::ZERO, &pdu);
            match enb.poll_event() {
                Some(PdcpEvent::Sdu { count, sdu: got }) => {
                    assert_eq!(got, sdu);
                    assert_eq!(count, 3 * 32 - 3 + u32::from(k));
                }
                e => panic!("{c:?}/{i:?}: {e:?}"),
            }
        }
        // A flipped bit: integrity failure, nothing delivered.
        ue.handle_sdu(Instant::ZERO, Bytes::from_static(b"payload"))
            .unwrap();
        let mut pdu = ue.poll_transmit().unwrap().to_vec();
        pdu[3] ^= 0x10;
        enb.handle_pdu(Instant::ZERO, &pdu);
        assert!(
            matches!(enb.poll_event(), Some(PdcpEvent::IntegrityFailure { .. })),
            "{c:?}/{i:?}"
        );
    }
}

#[test]
fn drb_round_trip_ciphered() {
    let sec = algs(CipheringAlgorithmId::Eea3, IntegrityAlgorithmId::Eia0);
    let t = Instant::ZERO;
    let b = PdcpBearer::DrbAm { rb_id: 1 };
    let mut ue = PdcpEntity::new(
        PdcpConfig::new(b, PdcpSnLength::Seven, Direction::Uplink).unwrap(),
        sec.clone(),
        t,
    );
    let mut enb = PdcpEntity::new(
        PdcpConfig::new(b, PdcpSnLength::Seven, Direction::Downlink).unwrap(),
        sec.clone(),
        t,
    );
    ue.activate_security(t, sec.clone(), false, true);
    enb.activate_security(t, sec, false, true);
    for k in 0..300u32 {
        let sdu = Bytes::from(k.to_be_bytes().repeat(5));
        ue.handle_sdu(t, sdu.clone()).unwrap();
        let pdu = ue.poll_transmit().unwrap();
        enb.handle_pdu(t, &pdu);
        assert_eq!(enb.poll_event(), Some(PdcpEvent::Sdu { count: k, sdu }));
    }
}
