//! Generates the NB-IoT DL link-level curves kept as regression vectors under
//! `vectors/data/phy/` (see `vectors/data/phy/README.md`):
//!
//! ```sh
//! cargo run -p ntn-phy --release --example link_sim -- --out vectors/data/phy --date 2026-11-28
//! ```
//!
//! Options: `--out DIR` (default `vectors/data/phy`), `--date YYYY-MM-DD` (written into the
//! provenance), `--seed N` (default 2026), `--only npss|npbch|npdcch|npdsch`.

use std::path::PathBuf;

use ntn_phy::link_sim::{LinkChannel, LinkSimConfig, run, to_csv};

fn grid(from: f32, step: f32, n: usize) -> Vec<f32> {
    (0..n).map(|i| from + step * i as f32).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let out = PathBuf::from(opt("--out").unwrap_or_else(|| "vectors/data/phy".into()));
    let date = opt("--date").unwrap_or_else(|| "unknown".into());
    let seed: u64 = opt("--seed").map_or(Ok(2026), |s| s.parse())?;
    let only = opt("--only");
    std::fs::create_dir_all(&out)?;
    let runs = [
        // (channel, SNR grid, trials)
        (LinkChannel::Npss, grid(-15.0, 1.5, 9), 200),
        (LinkChannel::Npbch, grid(-17.0, 1.0, 9), 100),
        (LinkChannel::Npdcch, grid(-14.0, 1.5, 9), 200),
        (LinkChannel::Npdsch, grid(-4.0, 1.25, 9), 200),
    ];
    for (channel, snrs, trials) in runs {
        if only.as_deref().is_some_and(|o| o != channel.name()) {
            continue;
        }
        let cfg = LinkSimConfig::new(channel, snrs, trials, seed);
        let points = run(&cfg)?;
        let command = format!(
            "cargo run -p ntn-phy --release --example link_sim -- --out {} --date {date} --seed {seed} --only {}",
            out.display(),
            channel.name()
        );
        let csv = to_csv(&cfg, &points, &command, &date);
        let path = out.join(format!("link_{}_awgn.csv", channel.name()));
        std::fs::write(&path, &csv)?;
        println!("{}:\n{csv}", path.display());
    }
    Ok(())
}
