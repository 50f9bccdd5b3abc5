//! Replays the cargo-fuzz corpus (and any crash artifacts) of the MAC, RLC and PDCP targets
//! through the entry points those targets call (`fuzz/README.md`): no input may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../fuzz/replay.rs"]
mod replay;

#[test]
fn mac_corpus() {
    replay::replay_nonempty("mac", ntn_mac::mac::pdu::fuzz_decode_mac);
}

#[test]
fn rlc_corpus() {
    replay::replay_nonempty("rlc", ntn_mac::rlc::pdu::fuzz_decode_rlc);
}

#[test]
fn pdcp_corpus() {
    replay::replay_nonempty("pdcp", ntn_mac::pdcp::pdu::fuzz_decode_pdcp);
}
