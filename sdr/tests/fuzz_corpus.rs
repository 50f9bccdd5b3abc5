//! Replays the cargo-fuzz corpus (and any crash artifacts) of the SigMF reader targets through
//! the entry points those targets call (`fuzz/README.md`): no input may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../fuzz/replay.rs"]
mod replay;

#[test]
fn samples_corpus() {
    replay::replay_nonempty("sdr_samples", ntn_sdr::sigmf::fuzz_decode_samples);
}

#[test]
fn meta_corpus() {
    replay::replay_nonempty("sdr_meta", ntn_sdr::sigmf::fuzz_parse_meta);
}
