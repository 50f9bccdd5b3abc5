//! Regression check of the stored NTN-TDL-C link-level curves
//! (`vectors/data/phy/link_*_tdlc.csv`, kind regression, made by `vectors/gen/phy_link_sim.sh`):
//! a few points are re-run through the same fading runner with another seed and fewer trials
//! and must agree with the stored error rates (two-proportion |z| ≤ 4, see
//! `ntn_phy::link_sim::agreement_z`). A stored point can only move this far by a change in the
//! transmitter, the receiver or the fading model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use ntn_phy::link_sim::{LinkChannel, LinkSimConfig, parse_csv, recheck_points};
use ntn_sim::link_sim::{LinkChannelModel, with_model};

fn recheck(channel: LinkChannel, snrs: &[f32], trials: usize) {
    let file = format!("link_{}_tdlc.csv", channel.name());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/data/phy")
        .join(&file);
    let text = std::fs::read_to_string(&path).expect("stored TDL-C curve");
    assert!(text.contains("NTN-TDL-C"), "{file} is not a TDL-C curve");
    let stored = parse_csv(&text).unwrap();
    let cfg = with_model(
        &LinkSimConfig::new(channel, snrs.to_vec(), trials, 4242),
        LinkChannelModel::TdlC,
    )
    .unwrap();
    let checks = recheck_points(&cfg, &stored).expect("stored points at these SNRs");
    for (old, new, z) in checks {
        println!(
            "{file} {} dB: stored {}/{}, now {}/{} (|z| {z:.2})",
            new.snr_db, old.errors, old.trials, new.errors, new.trials
        );
        assert!(z <= 4.0, "{file} at {} dB moved (|z| {z:.2})", new.snr_db);
    }
}

#[test]
fn npdsch_tdlc_curve_still_holds() {
    recheck(LinkChannel::Npdsch, &[0.0, 3.0], 60);
}

#[test]
fn npdcch_tdlc_curve_still_holds() {
    recheck(LinkChannel::Npdcch, &[-8.5, -5.5], 60);
}

#[test]
fn npss_tdlc_curve_still_holds() {
    recheck(LinkChannel::Npss, &[-8.0], 60);
}

#[test]
fn npbch_tdlc_curve_still_holds() {
    recheck(LinkChannel::Npbch, &[-13.0], 24);
}
