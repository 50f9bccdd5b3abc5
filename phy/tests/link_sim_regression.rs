//! Regression check of the stored link-level curves (`vectors/data/phy/link_*_awgn.csv`, kind
//! regression): a few cheap points are re-run with a different seed and fewer trials and must
//! agree with the stored error rates within statistical tolerance (two-proportion z ≤ 4).

use std::path::PathBuf;

use ntn_phy::link_sim::{LinkChannel, LinkPoint, LinkSimConfig, parse_csv, recheck_points};

fn stored(name: &str) -> Vec<LinkPoint> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/data/phy")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} missing: {e}", path.display()));
    parse_csv(&text).expect("well-formed CSV")
}

fn check(channel: LinkChannel, file: &str, snrs: &[f32], trials: usize) {
    let points = stored(file);
    let cfg = LinkSimConfig::new(channel, snrs.to_vec(), trials, 777);
    for (old, new, zv) in recheck_points(&cfg, &points).expect("run") {
        println!(
            "{file} {} dB: stored {}/{} now {}/{} (z {zv:.2})",
            new.snr_db, old.errors, old.trials, new.errors, new.trials
        );
        assert!(zv <= 4.0, "{file} at {} dB moved: z = {zv:.2}", new.snr_db);
    }
}

#[test]
fn npdsch_curve_still_holds() {
    check(
        LinkChannel::Npdsch,
        "link_npdsch_awgn.csv",
        &[-1.5, 1.0],
        60,
    );
}

#[test]
fn npdcch_curve_still_holds() {
    check(
        LinkChannel::Npdcch,
        "link_npdcch_awgn.csv",
        &[-9.5, -6.5],
        40,
    );
}
