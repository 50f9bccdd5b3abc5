//! Replays the cargo-fuzz corpus (and any crash artifacts) of the NAS targets, plain and
//! security-protected, through the entry points those targets call (`fuzz/README.md`): no
//! input may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_nas::eps::security::{NasSystem, fuzz_unprotect_parse};

#[path = "../../fuzz/replay.rs"]
mod replay;

#[test]
fn eps_corpus() {
    replay::replay_nonempty("nas_eps", ntn_nas::eps::fuzz_parse);
}

#[test]
fn fivegs_corpus() {
    replay::replay_nonempty("nas_5gs", ntn_nas::fivegs::fuzz_parse);
}

#[test]
fn eps_protected_corpus() {
    replay::replay_nonempty("nas_eps_protected", |b| {
        fuzz_unprotect_parse(NasSystem::Eps, b)
    });
}

#[test]
fn fivegs_protected_corpus() {
    replay::replay_nonempty("nas_5gs_protected", |b| {
        fuzz_unprotect_parse(NasSystem::FiveGs, b)
    });
}
