//! Replays the cargo-fuzz corpus (and any crash artifacts) of every RRC decoder target through
//! the decoder the target calls (`fuzz/README.md`): no input may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../fuzz/replay.rs"]
#[allow(dead_code)] // this test uses `replay`, not `replay_nonempty`
mod replay;

/// A decoder reporting success.
type Decoder = fn(&[u8]) -> bool;

/// (target, decoder).
const TARGETS: [(&str, Decoder); 9] = [
    ("rrc_bcch_bch", |b| ntn_rrc::decode_bcch_bch(b).is_ok()),
    ("rrc_bcch_dl_sch", |b| {
        ntn_rrc::decode_bcch_dl_sch(b).is_ok()
    }),
    ("rrc_sib1", |b| ntn_rrc::decode_sib1(b).is_ok()),
    ("rrc_sib31", |b| ntn_rrc::decode_sib31(b).is_ok()),
    ("rrc_dl_ccch", |b| ntn_rrc::decode_dl_ccch(b).is_ok()),
    ("rrc_ul_ccch", |b| ntn_rrc::decode_ul_ccch(b).is_ok()),
    ("rrc_dl_dcch", |b| ntn_rrc::decode_dl_dcch(b).is_ok()),
    ("rrc_ul_dcch", |b| ntn_rrc::decode_ul_dcch(b).is_ok()),
    ("rrc_pcch", |b| ntn_rrc::decode_pcch(b).is_ok()),
];

#[test]
fn every_rrc_corpus() {
    for (target, decode) in TARGETS {
        let ok = std::cell::Cell::new(0usize);
        if let Some(n) = replay::replay(target, |b| ok.set(ok.get() + usize::from(decode(b)))) {
            // the seeds are valid encodings of the target's message: a corpus routed to the
            // wrong decoder would decode none
            assert!(
                n > 0 && ok.get() > 0,
                "{target}: {} of {n} decode",
                ok.get()
            );
        }
    }
}
