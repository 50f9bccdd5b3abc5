//! `ntn link-sim`: link-level error-rate curves (BLER, or miss rate for detection) of our
//! transmitter → channel → our receiver over SNR points, as a table (text/JSON/CSV), a
//! regression CSV with its provenance (`--csv`) and a plot (`--plot`).
//!
//! Each subcommand is one physical channel; they share [`CurveArgs`] (channel model, SNR grid,
//! trials, seed, outputs) and [`report`], which takes the finished points. A new channel
//! (NPUSCH, NPRACH) is a new variant with its own argument struct and a function that turns
//! `CurveArgs` into a [`CurveRun`].

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ntn_phy::PhyError;
use ntn_phy::link_sim::{CurveProvenance, LinkChannel, LinkPoint, LinkSimConfig, curve_csv};
use ntn_phy::nbiot::NrsPorts;
use ntn_phy::nbiot::ul::npusch::{NpuschConfig, UlModulation, UlSpacing};
use ntn_phy::nbiot::ul::npusch_link::{FadingHook, NpuschLinkConfig};
use ntn_sim::link_sim::{LinkChannelModel, with_model};

use crate::output::{
    Budget, Cell, Interrupted, OutputArgs, PlotArgs, Table, check_outputs, emit, interrupted,
    interruptible, write_file,
};
use crate::plot::{Figure, Panel, Series};

/// The curves `ntn link-sim` draws.
#[derive(Subcommand, Debug)]
pub enum LinkSimCmd {
    /// NPSS detection with no prior over ±55 kHz on 20 ms at a random timing and a ±50 kHz
    /// offset (an error: a miss, timing off by > 2 samples or offset off by > 2.5 kHz).
    Npss(DlArgs),
    /// MIB-NB soft-combined over one 640 ms TTI (an error: CRC failure or wrong MIB-NB).
    Npbch(DlArgs),
    /// DCI N1 on the largest candidate of a UE-specific search space (an error: no CRC pass
    /// there).
    Npdcch(NpdcchArgs),
    /// One NPDSCH transport block (an error: CRC failure).
    Npdsch(NpdschArgs),
    /// Cold acquisition (NPSS, fine offset, NSSS) on 80 ms, ±50 kHz and ±600 Hz/s (an error:
    /// wrong cell, timing > 2 samples, wrong n_f mod 8 or offset error > 150 Hz).
    CellSearch(DlArgs),
    /// One NPUSCH format 1 transport block through our SC-FDMA transmitter with a residual
    /// timing (±1 sample) and carrier (±100 Hz) offset, received by our cell-side receiver
    /// (an error: CRC failure or wrong bits).
    Npusch(NpuschArgs),
}

/// What every curve takes.
#[derive(Args, Debug, Clone)]
pub struct CurveArgs {
    /// Channel between transmitter and receiver: awgn or tdl-c (NTN-TDL-C, 100 ns, 3 km/h).
    #[arg(long, default_value = "awgn", value_parser = parse_model)]
    pub channel: LinkChannelModel,
    /// SNR grid per RE in the 180 kHz carrier, `FROM:TO:STEP` dB (TO included); default per
    /// channel.
    #[arg(long = "snr-db", value_name = "A:B:STEP", allow_hyphen_values = true, value_parser = parse_snr_grid)]
    pub snr_db: Option<SnrGrid>,
    /// Trials per SNR point.
    #[arg(long, default_value_t = 100)]
    pub trials: usize,
    /// Refuse to start a run of more trials than this in total (points × trials).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_TRIALS)]
    pub max_trials: u64,
    /// Run seed (each SNR point has its own stream derived from it).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Also write the curve as a regression CSV (with its provenance) to FILE.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Date written into the CSV provenance (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub plot: PlotArgs,
}

/// The default `--max-trials`: at a few milliseconds a trial, hours of work.
pub const DEFAULT_MAX_TRIALS: u64 = 10_000_000;

/// Before any work: the outputs can be written, and the run is within `--max-trials`.
fn preflight(c: &CurveArgs, points: usize) -> Result<u64> {
    check_outputs(
        [&c.output.out, &c.csv, &c.plot.plot]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path),
        &[],
    )?;
    let total = points as f64 * c.trials as f64;
    Budget {
        resource: "trials",
        basis: format!("{points} SNR points × {} trials", c.trials),
        estimate: total,
        limit: c.max_trials as f64,
        show: |v| format!("{v:.0}"),
        flag: "--max-trials",
    }
    .check()?;
    Ok(total as u64)
}

/// The trial hook of a run: a progress bar with ETA on standard error, stopped by Ctrl-C.
fn with_progress<T>(
    total: u64,
    run: impl FnOnce(&ntn_phy::link_sim::TrialHook<'_>) -> Result<T, PhyError>,
) -> Result<T> {
    interruptible();
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{spinner} link-sim {bar:40} {pos}/{len} trials, {elapsed} (ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let r = run(&|| {
        bar.inc(1);
        !interrupted()
    });
    bar.finish_and_clear();
    match r {
        Err(PhyError::Stopped) => Err(Interrupted.into()),
        r => Ok(r?),
    }
}

/// Arguments of a downlink curve.
#[derive(Args, Debug, Clone)]
pub struct DlArgs {
    #[command(flatten)]
    pub curve: CurveArgs,
    /// NRS ports of the cell (1 or 2).
    #[arg(long, default_value_t = 1)]
    pub ports: u8,
}

/// Arguments of the NPDCCH curve.
#[derive(Args, Debug, Clone)]
pub struct NpdcchArgs {
    #[command(flatten)]
    pub dl: DlArgs,
    /// R_max of the UE-specific search space (1, 2, 4, …, 2048).
    #[arg(long, default_value_t = 4)]
    pub r_max: usize,
}

/// Arguments of the NPDSCH curve.
#[derive(Args, Debug, Clone)]
pub struct NpdschArgs {
    #[command(flatten)]
    pub dl: DlArgs,
    /// I_TBS (0…13).
    #[arg(long, default_value_t = 4)]
    pub itbs: u8,
    /// I_SF (0…7).
    #[arg(long, default_value_t = 2)]
    pub isf: u8,
    /// I_Rep (0…15).
    #[arg(long, default_value_t = 0)]
    pub irep: u8,
}

/// Arguments of the NPUSCH curve.
#[derive(Args, Debug, Clone)]
pub struct NpuschArgs {
    #[command(flatten)]
    pub curve: CurveArgs,
    /// Subcarrier spacing in kHz: 15 or 3.75 (3.75 kHz is single-tone only).
    #[arg(long, default_value = "15")]
    pub spacing_khz: String,
    /// Tones: 1, 3, 6 or 12.
    #[arg(long, default_value_t = 12)]
    pub tones: usize,
    /// Modulation: qpsk (multi-tone), pi4-qpsk or pi2-bpsk (single-tone) [default: pi4-qpsk
    /// for one tone, qpsk otherwise (TS 36.211 §10.1.3)].
    #[arg(long)]
    pub modulation: Option<String>,
    /// I_TBS (0…13).
    #[arg(long, default_value_t = 5)]
    pub itbs: u8,
    /// I_RU (0…7).
    #[arg(long, default_value_t = 0)]
    pub iru: u8,
    /// Repetitions M_rep (1, 2, 4, …, 128).
    #[arg(long, default_value_t = 1)]
    pub reps: usize,
}

/// An SNR grid, dB.
#[derive(Debug, Clone, PartialEq)]
pub struct SnrGrid(pub Vec<f32>);

fn parse_model(s: &str) -> Result<LinkChannelModel, String> {
    LinkChannelModel::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = LinkChannelModel::ALL.iter().map(|m| m.name()).collect();
        format!("unknown channel {s:?} (one of {})", names.join(", "))
    })
}

/// `A:B:STEP` (or a single value `A`) → the points A, A+STEP, … up to B inclusive.
fn parse_snr_grid(s: &str) -> Result<SnrGrid, String> {
    let nums: Vec<f32> = s
        .split(':')
        .map(|t| t.trim().parse::<f32>().map_err(|e| format!("{t:?}: {e}")))
        .collect::<Result<_, _>>()?;
    if nums.iter().any(|v| !v.is_finite()) {
        return Err("SNR values must be finite".into());
    }
    match nums[..] {
        [a] => Ok(SnrGrid(vec![a])),
        [a, b, step] => {
            if step <= 0.0 || b < a {
                return Err("need FROM ≤ TO and STEP > 0".into());
            }
            let n = ((b - a) / step + 1e-3).floor() as usize + 1;
            if n > 1000 {
                return Err(format!("{n} SNR points is too many (≤ 1000)"));
            }
            Ok(SnrGrid((0..n).map(|i| a + step * i as f32).collect()))
        }
        _ => Err("expected FROM:TO:STEP or one value".into()),
    }
}

/// A finished curve, from any channel.
pub struct CurveRun {
    /// Curve name (the subcommand).
    pub name: &'static str,
    /// One line: what an error is and the channel.
    pub description: String,
    /// The points.
    pub points: Vec<LinkPoint>,
}

pub fn run(cmd: LinkSimCmd) -> Result<()> {
    let (channel, dl, r_max, npdsch) = match cmd {
        LinkSimCmd::Npss(a) => (LinkChannel::Npss, a, None, None),
        LinkSimCmd::Npbch(a) => (LinkChannel::Npbch, a, None, None),
        LinkSimCmd::CellSearch(a) => (LinkChannel::CellSearch, a, None, None),
        LinkSimCmd::Npdcch(a) => (LinkChannel::Npdcch, a.dl, Some(a.r_max), None),
        LinkSimCmd::Npdsch(a) => (
            LinkChannel::Npdsch,
            a.dl,
            None,
            Some((a.itbs, a.isf, a.irep)),
        ),
        LinkSimCmd::Npusch(a) => return report(&a.curve, &run_npusch(&a)?),
    };
    let curve = run_dl(channel, &dl, r_max, npdsch)?;
    report(&dl.curve, &curve)
}

/// Default SNR grid of a downlink curve: where it goes from all errors to none (AWGN).
fn default_grid(channel: LinkChannel, model: LinkChannelModel) -> Vec<f32> {
    let (from, step, n) = match channel {
        LinkChannel::Npss => (-15.0, 1.5, 9),
        LinkChannel::Npbch => (-17.0, 1.0, 9),
        LinkChannel::Npdcch => (-14.0, 1.5, 9),
        LinkChannel::Npdsch => (-4.0, 1.25, 9),
        LinkChannel::CellSearch => (-14.0, 1.5, 9),
    };
    // fading needs a dB more and a longer tail
    let (from, step) = match model {
        LinkChannelModel::Awgn => (from, step),
        LinkChannelModel::TdlC => (from + 1.0, 1.5),
    };
    (0..n).map(|i| from + step * i as f32).collect()
}

fn run_dl(
    channel: LinkChannel,
    a: &DlArgs,
    r_max: Option<usize>,
    npdsch: Option<(u8, u8, u8)>,
) -> Result<CurveRun> {
    let c = &a.curve;
    if c.trials == 0 {
        bail!("--trials must be at least 1");
    }
    let snr = c
        .snr_db
        .clone()
        .map_or_else(|| default_grid(channel, c.channel), |g| g.0);
    let mut cfg = LinkSimConfig::new(channel, snr, c.trials, c.seed);
    cfg.ports = match a.ports {
        1 => NrsPorts::One,
        2 => NrsPorts::Two,
        p => bail!("--ports must be 1 or 2, not {p}"),
    };
    if let Some(r) = r_max {
        cfg.npdcch_r_max = r;
    }
    if let Some(n) = npdsch {
        cfg.npdsch = n;
    }
    let total = preflight(c, cfg.snr_db.len())?;
    let cfg = with_model(&cfg, c.channel)?;
    let points = with_progress(total, |hook| ntn_phy::link_sim::run_with(&cfg, hook))
        .context("link-level run")?;
    Ok(CurveRun {
        name: channel.name(),
        description: cfg.describe(),
        points,
    })
}

fn run_npusch(a: &NpuschArgs) -> Result<CurveRun> {
    let c = &a.curve;
    if c.trials == 0 {
        bail!("--trials must be at least 1");
    }
    let spacing = match a.spacing_khz.as_str() {
        "15" => UlSpacing::Khz15,
        "3.75" => UlSpacing::Khz3_75,
        s => bail!("--spacing-khz must be 15 or 3.75, not {s:?}"),
    };
    let modulation =
        match a
            .modulation
            .as_deref()
            .unwrap_or(if a.tones == 1 { "pi4-qpsk" } else { "qpsk" })
        {
            "qpsk" => UlModulation::Qpsk,
            "pi4-qpsk" => UlModulation::Pi4Qpsk,
            "pi2-bpsk" => UlModulation::Pi2Bpsk,
            m => bail!("--modulation must be qpsk, pi4-qpsk or pi2-bpsk, not {m:?}"),
        };
    let npusch = NpuschConfig::data(spacing, a.tones, modulation, a.itbs, a.iru, a.reps);
    // fading needs more SNR; repetitions buy some back
    let snr = c.snr_db.clone().map_or_else(
        || {
            let from = match c.channel {
                LinkChannelModel::Awgn => -6.0,
                LinkChannelModel::TdlC => -4.0,
            } - 2.5 * (a.reps as f32).log2();
            (0..9).map(|i| from + 1.5 * i as f32).collect()
        },
        |g| g.0,
    );
    let total = preflight(c, snr.len())?;
    let mut cfg = NpuschLinkConfig::new(npusch, snr, c.trials, c.seed);
    cfg.fading = FadingHook(c.channel.fading()?);
    let points = with_progress(total, |hook| {
        ntn_phy::nbiot::ul::npusch_link::run_with(&cfg, hook)
    })
    .context("NPUSCH link-level run")?;
    Ok(CurveRun {
        name: "npusch",
        description: cfg.describe(),
        points,
    })
}

/// Prints the table (text/JSON/CSV), writes the regression CSV and the plot.
pub fn report(c: &CurveArgs, curve: &CurveRun) -> Result<()> {
    let command = std::iter::once("ntn".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let date = c.date.as_deref().unwrap_or("not given");
    let mut t = Table::new(
        format!("ntn link-sim {} ({})", curve.name, c.channel.name()),
        &[
            ("snr", "dB"),
            ("trials", ""),
            ("errors", ""),
            ("error_rate", ""),
        ],
    );
    t.summary("curve", curve.name);
    t.summary("channel", c.channel.name());
    t.summary("description", curve.description.clone());
    t.summary("seed", c.seed);
    t.summary("trials_per_point", c.trials as u64);
    for p in &curve.points {
        t.push(vec![
            Cell::Num(f64::from(p.snr_db), 2),
            Cell::Int(p.trials as i64),
            Cell::Int(p.errors as i64),
            Cell::Num(p.error_rate(), 4),
        ]);
    }
    if let Some(path) = &c.csv {
        let text = curve_csv(
            &CurveProvenance {
                name: curve.name,
                description: &curve.description,
                seed: c.seed,
                trials: c.trials,
                command: &command,
                date,
            },
            &curve.points,
        );
        write_file(path, text.as_bytes())?;
        t.summary("csv", path.display().to_string());
    }
    if let Some(path) = &c.plot.plot {
        Figure {
            title: format!("{} over {}", curve.name, c.channel.name()),
            x_label: "SNR per RE [dB]".into(),
            panels: vec![Panel {
                y_label: "log10 error rate".into(),
                series: vec![Series {
                    label: curve.name.to_string(),
                    // zero-error points have no logarithm: left out
                    points: curve
                        .points
                        .iter()
                        .filter(|p| p.errors > 0)
                        .map(|p| (f64::from(p.snr_db), p.error_rate().log10()))
                        .collect(),
                }],
            }],
        }
        .save(path)?;
        t.summary("plot", path.display().to_string());
    }
    emit(&c.output, &t.render(c.output.format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snr_grids() {
        assert_eq!(
            parse_snr_grid("-10:-8:1").unwrap(),
            SnrGrid(vec![-10.0, -9.0, -8.0])
        );
        assert_eq!(parse_snr_grid("3").unwrap(), SnrGrid(vec![3.0]));
        assert_eq!(parse_snr_grid("0:1:0.25").unwrap().0.len(), 5);
        for bad in ["", "1:2", "2:1:1", "0:1:0", "a:b:c", "0:1e9:0.001", "nan"] {
            assert!(parse_snr_grid(bad).is_err(), "{bad}");
        }
        assert!(parse_model("tdl-c").is_ok() && parse_model("tdl-z").is_err());
    }
}
