//! Regression check of the stored NTN-TDL-C link-level curves
//! (`vectors/data/phy/link_*_tdlc.csv`, kind regression, made by `vectors/gen/phy_link_sim.sh`):
//! a few points are re-run through the same fading runner with another seed and fewer trials
//! and must agree with the stored error rates (two-proportion |z| ≤ 4, see
//! `ntn_phy::link_sim::agreement_z`). A stored point can only move this far by a change in the
//! transmitter, the receiver or the fading model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use ntn_phy::link_sim::parse_csv;
use ntn_sim::link_sim::LinkChannelModel;

/// NPDSCH, NPDCCH, NPSS and NPBCH through TDL-C: `ntn_sim::conformance::link_curves_tdlc`,
/// shared with `ntn conformance`.
#[test]
fn dl_tdlc_curves_still_hold() {
    let texts: Vec<String> = ntn_sim::conformance::LINK_RECHECK_TDLC
        .iter()
        .map(|(channel, _, _)| {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../vectors/data/phy")
                .join(format!("link_{}_tdlc.csv", channel.name()));
            std::fs::read_to_string(&path).expect("stored TDL-C curve")
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let r = ntn_sim::conformance::link_curves_tdlc(&refs);
    for c in &r.cases {
        println!("{}: {} — {}", c.name, c.passed, c.detail);
    }
    assert_eq!(r.cases.len(), 6);
    assert!(r.all_passed(), "{:?}", r.failures());
}

fn recheck_npusch(file: &str, npusch: ntn_phy::nbiot::ul::npusch::NpuschConfig, snr_db: f32) {
    use ntn_phy::link_sim::agreement_z;
    use ntn_phy::nbiot::ul::npusch_link::{FadingHook, NpuschLinkConfig, run_point};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/data/phy/ul")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("stored NPUSCH TDL-C curve");
    assert!(text.contains("NTN-TDL-C"), "{file} is not a TDL-C curve");
    let old = *parse_csv(&text)
        .unwrap()
        .iter()
        .find(|p| (p.snr_db - snr_db).abs() < 1e-3)
        .expect("stored point at that SNR");
    let mut cfg = NpuschLinkConfig::new(npusch, vec![snr_db], 80, 4242);
    cfg.fading = FadingHook(LinkChannelModel::TdlC.fading().unwrap());
    let new = run_point(&cfg, 0, snr_db).unwrap();
    let z = agreement_z(&old, &new);
    println!(
        "{file} {snr_db} dB: stored {}/{}, now {}/{} (|z| {z:.2})",
        old.errors, old.trials, new.errors, new.trials
    );
    assert!(z <= 4.0, "{file} at {snr_db} dB moved (|z| {z:.2})");
}

#[test]
fn npusch_tdlc_curves_still_hold() {
    use ntn_phy::nbiot::ul::npusch::{NpuschConfig, UlModulation, UlSpacing};
    recheck_npusch(
        "npusch_mt12_qpsk_tbs5_ru1_rep1_tdlc.csv",
        NpuschConfig::data(UlSpacing::Khz15, 12, UlModulation::Qpsk, 5, 1, 1),
        0.5,
    );
    recheck_npusch(
        "npusch_st15_qpsk_tbs5_ru1_rep4_tdlc.csv",
        NpuschConfig::data(UlSpacing::Khz15, 1, UlModulation::Pi4Qpsk, 5, 1, 4),
        -5.0,
    );
}
