//! Replays the cargo-fuzz corpus (and any crash artifacts) of the NB-IoT downlink receive
//! target through `fuzz_receive` (`fuzz/README.md`): no input may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../fuzz/replay.rs"]
mod replay;

#[test]
fn dl_rx_corpus() {
    replay::replay_nonempty("phy_dl_rx", ntn_phy::nbiot::search::fuzz_receive);
}
