//! NPUSCH BLER curves (AWGN, residual ±100 Hz and ±1 sample): the generator of
//! `vectors/data/phy/ul/npusch_*.csv` (ignored; run in release, see [`CURVES`]) and a cheap
//! regression check of those files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_phy::link_sim::{LinkPoint, parse_csv};
use ntn_phy::nbiot::ul::npusch::{NpuschConfig, UlModulation, UlSpacing};
use ntn_phy::nbiot::ul::npusch_link::{NpuschLinkConfig, run, run_point, to_csv};

const COMMAND: &str = "cargo test --release -p ntn-phy --test nbiot_npusch_bler -- --ignored";
const SEED: u64 = 20_261_128;

/// (file stem, spacing, tones, modulation, I_TBS, I_RU, M_rep, first SNR dB).
type Curve = (
    &'static str,
    UlSpacing,
    usize,
    UlModulation,
    u8,
    u8,
    usize,
    f32,
);

/// The curves: single tone (15 kHz π/4-QPSK, 3.75 kHz π/2-BPSK) and 12 tones, a few `I_TBS`
/// and repetition counts. 15 SNR points 1 dB apart from the first.
const CURVES: [Curve; 7] = [
    (
        "npusch_st15_qpsk_tbs5_ru1_rep1",
        UlSpacing::Khz15,
        1,
        UlModulation::Pi4Qpsk,
        5,
        1,
        1,
        -6.0,
    ),
    (
        "npusch_st15_qpsk_tbs5_ru1_rep4",
        UlSpacing::Khz15,
        1,
        UlModulation::Pi4Qpsk,
        5,
        1,
        4,
        -12.0,
    ),
    (
        "npusch_st15_qpsk_tbs5_ru1_rep16",
        UlSpacing::Khz15,
        1,
        UlModulation::Pi4Qpsk,
        5,
        1,
        16,
        -18.0,
    ),
    (
        "npusch_st3k75_bpsk_tbs0_ru0_rep1",
        UlSpacing::Khz3_75,
        1,
        UlModulation::Pi2Bpsk,
        0,
        0,
        1,
        -8.0,
    ),
    (
        "npusch_mt12_qpsk_tbs5_ru1_rep1",
        UlSpacing::Khz15,
        12,
        UlModulation::Qpsk,
        5,
        1,
        1,
        -6.0,
    ),
    (
        "npusch_mt12_qpsk_tbs5_ru1_rep4",
        UlSpacing::Khz15,
        12,
        UlModulation::Qpsk,
        5,
        1,
        4,
        -12.0,
    ),
    (
        "npusch_mt12_qpsk_tbs10_ru1_rep1",
        UlSpacing::Khz15,
        12,
        UlModulation::Qpsk,
        10,
        1,
        1,
        -3.0,
    ),
];

fn link_config(c: &Curve, snr: Vec<f32>, trials: usize) -> NpuschLinkConfig {
    let npusch = NpuschConfig::data(c.1, c.2, c.3, c.4, c.5, c.6);
    NpuschLinkConfig::new(npusch, snr, trials, SEED)
}

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/data/phy/ul")
}

#[test]
#[ignore = "generator: about 2 minutes in release; writes vectors/data/phy/ul/npusch_*.csv"]
fn generate_npusch_bler_curves() {
    let date = std::env::var("NPUSCH_BLER_DATE").unwrap_or_else(|_| "2026-11-28".into());
    for c in &CURVES {
        let snr: Vec<f32> = (0..15).map(|i| c.7 + i as f32).collect();
        let cfg = link_config(c, snr, 200);
        let pts = run(&cfg).unwrap();
        // The grid spans the waterfall: (almost) all wrong at the bottom, none at the top.
        assert!(pts[0].error_rate() >= 0.5, "{}: {pts:?}", c.0);
        assert!(pts[14].error_rate() <= 0.02, "{}: {pts:?}", c.0);
        let csv = to_csv(&cfg, &pts, COMMAND, &date);
        std::fs::write(data_dir().join(format!("{}_awgn.csv", c.0)), csv).unwrap();
    }
}

/// Re-runs, with another seed, the point of each cheap curve closest to 50 % BLER and checks it
/// against the stored file with a two-proportion test (|z| ≤ 4).
#[test]
fn stored_curves_reproduce() {
    for c in CURVES.iter().filter(|c| c.6 == 1) {
        let path = data_dir().join(format!("{}_awgn.csv", c.0));
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("skipped: {} not found", path.display());
            continue;
        };
        let stored: Vec<LinkPoint> = parse_csv(&text).unwrap();
        let mid = stored
            .iter()
            .min_by(|a, b| {
                (a.error_rate() - 0.5)
                    .abs()
                    .total_cmp(&(b.error_rate() - 0.5).abs())
            })
            .copied()
            .unwrap();
        let mut cfg = link_config(c, vec![mid.snr_db], 60);
        cfg.seed = 99;
        let now = run_point(&cfg, 0, mid.snr_db).unwrap();
        let (p1, p2) = (mid.error_rate(), now.error_rate());
        let pooled = (mid.errors + now.errors) as f64 / (mid.trials + now.trials) as f64;
        let se = (pooled * (1.0 - pooled) * (1.0 / mid.trials as f64 + 1.0 / now.trials as f64))
            .sqrt()
            .max(1e-9);
        let z = (p1 - p2) / se;
        assert!(
            z.abs() <= 4.0,
            "{}: stored {mid:?} now {now:?} (z {z:.2})",
            c.0
        );
    }
}
