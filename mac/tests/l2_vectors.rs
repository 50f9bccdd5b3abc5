//! Replays `vectors/data/mac/l2_pdus.toml`: every PDU decodes to the listed fields and
//! re-encodes to the same bytes (`ntn_mac::conformance::l2_pdus`, shared with
//! `ntn conformance`); every PDU also goes through the fuzz entry points (the file doubles as
//! their seed corpus).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_mac::conformance::{L2File, l2_pdus};
use ntn_mac::mac::pdu::fuzz_decode_mac;
use ntn_mac::pdcp::pdu::fuzz_decode_pdcp;
use ntn_mac::rlc::pdu::fuzz_decode_rlc;
use ntn_types::conformance::hex_bytes;

const FILE: &str = include_str!("../../vectors/data/mac/l2_pdus.toml");

fn file() -> L2File {
    toml::from_str(FILE).unwrap()
}

#[test]
fn every_pdu_decodes_and_re_encodes() {
    let f = file();
    let r = l2_pdus(FILE);
    let n = f.rlc_amd.len()
        + f.rlc_umd.len()
        + f.rlc_status.len()
        + f.pdcp_data.len()
        + f.mac_pdu.len()
        + f.rar.len();
    assert_eq!(r.cases.len(), n);
    assert!(r.all_passed(), "{:?}", r.failures());
}

/// The vectors as a fuzz seed corpus: each PDU, every prefix and every single-bit flip
/// through every decoder.
#[test]
fn corpus_replay_with_mutations() {
    let f = file();
    let all: Vec<Vec<u8>> = f
        .rlc_amd
        .iter()
        .map(|v| &v.hex)
        .chain(f.rlc_umd.iter().map(|v| &v.hex))
        .chain(f.rlc_status.iter().map(|v| &v.hex))
        .chain(f.pdcp_data.iter().map(|v| &v.hex))
        .chain(f.mac_pdu.iter().map(|v| &v.hex))
        .chain(f.rar.iter().map(|v| &v.hex))
        .map(|h| hex_bytes(h).unwrap())
        .collect();
    let mut runs = 0;
    for b in &all {
        for n in 0..=b.len() {
            run_all(&b[..n]);
            runs += 1;
        }
        for bit in 0..b.len() * 8 {
            let mut m = b.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            run_all(&m);
            runs += 1;
        }
    }
    assert!(runs > 500);
}

fn run_all(b: &[u8]) {
    fuzz_decode_rlc(b);
    fuzz_decode_pdcp(b);
    fuzz_decode_mac(b);
}
