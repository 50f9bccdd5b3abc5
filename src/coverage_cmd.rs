//! `ntn coverage`: constellation coverage over a ground grid (ntn-coverage). With no
//! arguments it runs a built-in default — one Walker shell (528 satellites, 550 km, 53°) over a
//! global 5° grid for 6 h at 60 s — and writes its per-cell CSV/GeoJSON, a JSON summary and
//! maps into `ntn-coverage/`.
//!
//! Scale-out: `--shard I/N` (time) and `--tile J/M` (grid rows) run one part and write a
//! partial-result file; `ntn coverage merge FILES…` combines the parts and writes the same
//! bytes as the single run.

use crate::common::{DEFAULT_DL_MHZ, DurationSpec, parse_utc};
use crate::output::{
    Budget, Format, Interrupted, MemoryArgs, Table, check_outputs, interrupted, interruptible,
};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use ntn_coverage::constellation::presets;
use ntn_coverage::map::{MapOptions, MapQuantity};
use ntn_coverage::output::{write_cells_csv, write_cells_geojson, write_summary_json};
use ntn_coverage::{
    Constellation, CoverageConfig, CoveragePartial, Grid, GridSpec, LinkParams, Method, Part,
    Shard, TimeWindow, merge, read_partial, statistics, write_partial,
};
use ntn_orbit::UtcTime;
use ntn_orbit::walker::{WalkerPattern, WalkerShell};
use ntn_sdr::atomic::AtomicFile;
use ntn_types::validate::within;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Options of `ntn coverage`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CoverageArgs {
    #[command(subcommand)]
    pub command: Option<CoverageCmd>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Subcommands of `ntn coverage`.
#[derive(Subcommand, Debug)]
pub enum CoverageCmd {
    /// Merge partial results (from --shard/--tile runs) and write the outputs.
    Merge(MergeArgs),
}

/// A constellation preset.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Preset {
    /// One shell: 528 satellites (24 planes), 550 km, 53° (the default).
    Default,
    /// Six shells, 6 008 satellites (Starlink-size; shaped after public Gen1 filings).
    StarlinkLike,
}

/// How visible satellites are found.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum MethodArg {
    /// Spatial index (fast).
    #[default]
    Indexed,
    /// Every cell against every satellite (the oracle; slow).
    BruteForce,
}

/// Map file format.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum MapFormat {
    #[default]
    Png,
    Svg,
    /// No maps.
    None,
}

/// Options of a run.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Element sets (TLE, OMM JSON or OMM CSV file) instead of Walker shells.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["walker", "preset"])]
    pub tle: Option<PathBuf>,
    /// A Walker shell T/P/F,ALT_KM,INC_DEG[,star][,RAAN0_DEG]; repeat for several shells.
    #[arg(long, value_name = "SHELL", conflicts_with = "preset")]
    pub walker: Vec<ShellSpec>,
    /// A built-in constellation.
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// Start of the window, UTC [default: 2024-03-01T00:00:00Z for Walker shells (also their
    /// element epoch); the first element set's epoch, to the minute, for --tle].
    #[arg(long, value_parser = parse_utc)]
    pub start: Option<UtcTime>,
    /// Window length.
    #[arg(long, default_value = "6h")]
    pub duration: DurationSpec,
    /// Sampling step.
    #[arg(long, default_value = "60s")]
    pub step: DurationSpec,
    /// Elevation mask, degrees, in [0, 90).
    #[arg(long, default_value_t = 25.0, allow_negative_numbers = true)]
    pub mask: f64,
    /// Grid resolution, degrees (must divide the box).
    #[arg(long, default_value_t = 5.0)]
    pub res: f64,
    /// Lat/lon box SOUTH,NORTH,WEST,EAST in degrees [default: the globe].
    #[arg(long, value_name = "S,N,W,E", allow_hyphen_values = true)]
    pub r#box: Option<BoxSpec>,
    /// Downlink carrier for Doppler and path loss, MHz [default: 2185, n256].
    #[arg(long, value_name = "MHZ", default_value_t = DEFAULT_DL_MHZ)]
    pub dl_mhz: f64,
    /// Skip the best-server C/N (on by default, with the link options below).
    #[arg(long, conflicts_with_all = ["eirp_density", "g_over_t", "bandwidth_khz", "other_losses"])]
    pub no_link: bool,
    /// Satellite EIRP density, dBW/MHz [default: 34, TR 38.821 LEO-600 S-band].
    #[arg(long, allow_negative_numbers = true)]
    pub eirp_density: Option<f64>,
    /// Terminal G/T, dB/K [default: −31.6, handheld].
    #[arg(long, allow_negative_numbers = true)]
    pub g_over_t: Option<f64>,
    /// Bandwidth, kHz [default: 360].
    #[arg(long)]
    pub bandwidth_khz: Option<f64>,
    /// Further fixed losses, dB [default: 3].
    #[arg(long, allow_negative_numbers = true)]
    pub other_losses: Option<f64>,
    /// Run only this time part I/N (1-based) and write a partial-result file.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Run only this grid-row part J/M (1-based) and write a partial-result file.
    #[arg(long, value_name = "J/M")]
    pub tile: Option<String>,
    /// Partial-result file to write [default: OUT_DIR/part-tI-N-rJ-M.ntncov when sharded].
    #[arg(long, value_name = "FILE")]
    pub partial: Option<PathBuf>,
    /// Visibility search.
    #[arg(long, value_enum, default_value_t = MethodArg::Indexed)]
    pub method: MethodArg,
    #[command(flatten)]
    pub memory: MemoryArgs,
    #[command(flatten)]
    pub out: WriteArgs,
}

/// Where and what to write.
#[derive(Args, Debug, Clone)]
pub struct WriteArgs {
    /// Output directory.
    #[arg(long, value_name = "DIR", default_value = "ntn-coverage")]
    pub out_dir: PathBuf,
    /// Map format.
    #[arg(long, value_enum, default_value_t = MapFormat::Png)]
    pub maps: MapFormat,
    /// Skip the per-cell GeoJSON (large for fine grids).
    #[arg(long)]
    pub no_geojson: bool,
    /// Format of the summary printed on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `ntn coverage merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Partial-result files, in any order.
    #[arg(required = true, value_name = "FILE")]
    pub parts: Vec<PathBuf>,
    /// Write the merged partial here instead of the outputs (for a merge in stages).
    #[arg(long, value_name = "FILE")]
    pub partial: Option<PathBuf>,
    #[command(flatten)]
    pub out: WriteArgs,
    #[command(flatten)]
    pub memory: MemoryArgs,
}

/// A Walker shell on the command line: T/P/F,ALT_KM,INC_DEG[,star][,RAAN0_DEG].
#[derive(Clone, Copy, Debug)]
pub struct ShellSpec(pub WalkerShell);

impl FromStr for ShellSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            |why: &str| format!("{s:?}: {why} (expected T/P/F,ALT_KM,INC_DEG[,star][,RAAN0])");
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() < 3 || parts.len() > 5 {
            return Err(bad("wrong number of fields"));
        }
        let tpf: Vec<u32> = parts[0]
            .split('/')
            .map(|x| x.trim().parse::<u32>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad("T/P/F must be three whole numbers"))?;
        let [total, planes, phasing] = tpf[..] else {
            return Err(bad("T/P/F must be three whole numbers"));
        };
        let alt_km: f64 = parts[1].parse().map_err(|_| bad("altitude"))?;
        let inclination_deg: f64 = parts[2].parse().map_err(|_| bad("inclination"))?;
        let mut pattern = WalkerPattern::Delta;
        let mut raan0_deg = 0.0;
        for extra in &parts[3..] {
            match *extra {
                "star" => pattern = WalkerPattern::Star,
                "delta" => pattern = WalkerPattern::Delta,
                x => raan0_deg = x.parse().map_err(|_| bad("RAAN0"))?,
            }
        }
        let shell = WalkerShell {
            total,
            planes,
            phasing,
            altitude_m: alt_km * 1e3,
            inclination_deg,
            pattern,
            raan0_deg,
        };
        shell.validate().map_err(|e| format!("{s:?}: {e}"))?;
        Ok(ShellSpec(shell))
    }
}

/// A lat/lon box S,N,W,E.
#[derive(Clone, Copy, Debug)]
pub struct BoxSpec(pub [f64; 4]);

impl FromStr for BoxSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let v: Vec<f64> = s
            .split(',')
            .map(|x| x.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("{s:?}: expected SOUTH,NORTH,WEST,EAST in degrees"))?;
        let [a, b, c, d] = v[..] else {
            return Err(format!(
                "{s:?}: expected four numbers SOUTH,NORTH,WEST,EAST"
            ));
        };
        Ok(BoxSpec([a, b, c, d]))
    }
}

const WALKER_EPOCH: &str = "2024-03-01T00:00:00Z";

pub fn run(a: CoverageArgs) -> Result<()> {
    match a.command {
        Some(CoverageCmd::Merge(m)) => run_merge(m),
        None => run_one(a.run),
    }
}

/// Memory of a run, estimated from its sizes before anything is allocated: the satellites
/// (their SGP4 state, and four samples of positions and index entries each), the grid cells
/// with their accumulators and histograms (in the engine and again in the result), the per-
/// sample, per-row coverage counts, and the per-cell statistics and text of the outputs.
fn memory_estimate(
    satellites: f64,
    rows: f64,
    cols: f64,
    samples: f64,
    config: &CoverageConfig,
) -> (f64, String) {
    let cells = rows * cols;
    let per_sat = (std::mem::size_of::<ntn_orbit::Satellite>() + 4 * 64) as f64;
    let hist = 4.0 * (f64::from(config.visible_bins) + config.cn_bins_used() as f64);
    let per_cell = std::mem::size_of::<ntn_coverage::grid::Cell>() as f64
        + 2.0 * (std::mem::size_of::<ntn_coverage::accum::CellAccum>() as f64 + hist)
        + 512.0;
    let bytes = satellites * per_sat + cells * per_cell + rows * samples * 4.0 + samples * 8.0;
    (
        bytes,
        format!(
            "{satellites:.0} satellites × {per_sat:.0} B + {cells:.0} cells × {per_cell:.0} B + \
             {rows:.0} rows × {samples:.0} samples × 4 B"
        ),
    )
}

/// The satellites a run will set up, counted before any is (Walker shells and presets; an
/// element-set file is read first, its size bounding its count).
fn satellite_count(a: &RunArgs) -> f64 {
    if a.tle.is_some() {
        return 0.0;
    }
    let shells = if a.walker.is_empty() {
        match a.preset.unwrap_or(Preset::Default) {
            Preset::Default => presets::default_shell(),
            Preset::StarlinkLike => presets::starlink_like(),
        }
    } else {
        a.walker.iter().map(|s| s.0).collect()
    };
    shells.iter().map(|s| f64::from(s.total)).sum()
}

/// Outputs of a run or merge, checked before the work: the directory is created and
/// writable, and no output is one of `inputs`.
fn check_write_args(out: &WriteArgs, partial: Option<&Path>, inputs: &[&Path]) -> Result<()> {
    std::fs::create_dir_all(&out.out_dir)
        .with_context(|| format!("cannot create {}", out.out_dir.display()))?;
    let files = ["cells.csv", "cells.geojson", "summary.json"].map(|f| out.out_dir.join(f));
    check_outputs(files.iter().map(PathBuf::as_path).chain(partial), inputs)
}

fn run_one(a: RunArgs) -> Result<()> {
    interruptible();
    let spec = match a.r#box {
        Some(BoxSpec([s, n, w, e])) => GridSpec {
            lat_min_deg: s,
            lat_max_deg: n,
            lon_min_deg: w,
            lon_max_deg: e,
            resolution_deg: a.res,
        },
        None => GridSpec::global(a.res),
    };
    let mut config = CoverageConfig::new(
        TimeWindow {
            start: a.start.unwrap_or(walker_epoch()?),
            duration_s: a.duration.0,
            step_s: a.step.0,
        },
        a.mask,
    );
    config.carrier_hz = within(
        "--dl-mhz",
        a.dl_mhz,
        1.0..=100_000.0,
        "a carrier must be 1 MHz … 100 GHz",
    )? * 1e6;
    if !a.no_link {
        let d = LinkParams::default();
        config.link = Some(LinkParams {
            eirp_density_dbw_per_mhz: a.eirp_density.unwrap_or(d.eirp_density_dbw_per_mhz),
            g_over_t_db_per_k: a.g_over_t.unwrap_or(d.g_over_t_db_per_k),
            bandwidth_hz: a.bandwidth_khz.map_or(d.bandwidth_hz, |k| k * 1e3),
            other_losses_db: a.other_losses.unwrap_or(d.other_losses_db),
        });
    }
    config.validate()?;
    let shard = Shard {
        time: parse_part(a.shard.as_deref(), "--shard")?,
        tile: parse_part(a.tile.as_deref(), "--tile")?,
    };
    let (rows, cols) = spec.shape().with_context(|| {
        format!(
            "--box {},{},{},{} --res {}",
            spec.lat_min_deg,
            spec.lat_max_deg,
            spec.lon_min_deg,
            spec.lon_max_deg,
            spec.resolution_deg
        )
    })?;
    let (samples_bytes, basis) = memory_estimate(
        satellite_count(&a),
        f64::from(rows),
        f64::from(cols),
        f64::from(config.window.steps()?.1),
        &config,
    );
    Budget::memory(basis, samples_bytes, &a.memory).check()?;
    let inputs: Vec<&Path> = a.tle.as_deref().into_iter().collect();
    check_write_args(&a.out, a.partial.as_deref(), &inputs)?;
    let grid = Grid::new(spec)?;
    let (constellation, origin, default_start) = constellation(&a)?;
    if a.start.is_none() && a.tle.is_some() {
        config.window.start = default_start;
    }
    let start = config.window.start;
    config.eop = crate::common::EopArgs::default().eop_for(start, start.add_secs(a.duration.0))?;
    let method = match a.method {
        MethodArg::Indexed => Method::Indexed,
        MethodArg::BruteForce => Method::BruteForce,
    };
    if !a.out.quiet {
        eprintln!(
            "ntn coverage: {} satellites ({origin}) × {} cells ({}×{} at {}°) × {} samples, mask {}°{}",
            constellation.len(),
            grid.len(),
            grid.rows(),
            grid.cols(),
            spec.resolution_deg,
            config.window.steps()?.1,
            config.mask_deg,
            if shard == Shard::WHOLE {
                String::new()
            } else {
                format!(
                    ", time part {}/{} × tile {}/{}",
                    shard.time.index + 1,
                    shard.time.count,
                    shard.tile.index + 1,
                    shard.tile.count
                )
            }
        );
        if !constellation.rejected().is_empty() {
            eprintln!(
                "warning: {} element sets rejected by SGP4 (first: {})",
                constellation.rejected().len(),
                constellation.rejected()[0]
            );
        }
    }
    let bar = progress_bar(a.out.quiet);
    #[allow(clippy::disallowed_methods)] // the CLI reports wall time
    let t0 = std::time::Instant::now();
    let partial = match ntn_coverage::run_stoppable(
        &constellation,
        &grid,
        &config,
        shard,
        method,
        &mut |done, total| {
            if done == 1 {
                bar.set_length(total as u64);
            }
            bar.set_position(done as u64);
        },
        &interrupted,
    ) {
        Err(ntn_coverage::CoverageError::Stopped) => return Err(Interrupted.into()),
        r => r?,
    };
    bar.finish_and_clear();
    let elapsed = t0.elapsed().as_secs_f64();
    if !a.out.quiet {
        eprintln!("computed in {elapsed:.2} s");
    }
    if shard != Shard::WHOLE || a.partial.is_some() {
        let path = a.partial.clone().unwrap_or_else(|| {
            a.out.out_dir.join(format!(
                "part-t{}-{}-r{}-{}.ntncov",
                shard.time.index + 1,
                shard.time.count,
                shard.tile.index + 1,
                shard.tile.count
            ))
        });
        write_partial_file(&partial, &path)?;
        if shard != Shard::WHOLE {
            eprintln!(
                "wrote partial result {} (merge all parts with `ntn coverage merge`)",
                path.display()
            );
            return Ok(());
        }
    }
    write_outputs(&partial, &a.out)
}

fn run_merge(m: MergeArgs) -> Result<()> {
    let inputs: Vec<&Path> = m.parts.iter().map(PathBuf::as_path).collect();
    check_write_args(&m.out, m.partial.as_deref(), &inputs)?;
    // The parts are held while they merge, and the merged result is as large as they are.
    let mut part_bytes = 0u64;
    for p in &m.parts {
        let md = std::fs::metadata(p).with_context(|| format!("cannot open {}", p.display()))?;
        part_bytes = part_bytes.saturating_add(md.len());
    }
    Budget::memory(
        format!(
            "{} partial files, {} in all, and their merge",
            m.parts.len(),
            crate::output::human_bytes(part_bytes as f64)
        ),
        2.0 * part_bytes as f64,
        &m.memory,
    )
    .check()?;
    let mut parts = Vec::with_capacity(m.parts.len());
    for p in &m.parts {
        let f = std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
        let mut r = std::io::BufReader::new(f);
        parts.push(read_partial(&mut r).with_context(|| format!("in {}", p.display()))?);
    }
    let merged = merge(parts)?;
    if let Some(path) = &m.partial {
        write_partial_file(&merged, path)?;
        eprintln!("wrote merged partial result {}", path.display());
        return Ok(());
    }
    if !merged.is_complete() {
        bail!(
            "the parts cover samples {:?} of 0..{} and rows {:?} of 0..{}: give every part \
             (or use --partial to merge in stages)",
            merged.samples,
            merged.header.samples,
            merged.rows,
            merged.header.rows
        );
    }
    write_outputs(&merged, &m.out)
}

fn parse_part(s: Option<&str>, flag: &str) -> Result<Part> {
    match s {
        None => Ok(Part::WHOLE),
        Some(s) => s.parse().with_context(|| format!("{flag} {s}")),
    }
}

fn walker_epoch() -> Result<UtcTime> {
    Ok(WALKER_EPOCH.parse()?)
}

fn constellation(a: &RunArgs) -> Result<(Constellation, String, UtcTime)> {
    let walker_epoch = walker_epoch()?;
    if let Some(path) = &a.tle {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read element sets from {}", path.display()))?;
        let c = Constellation::from_catalog_text(&text)
            .with_context(|| format!("in {}", path.display()))?;
        let start = crate::common::default_start(&c.satellites()[0]);
        return Ok((c, path.display().to_string(), start));
    }
    let epoch = a.start.unwrap_or(walker_epoch);
    if !a.walker.is_empty() {
        let shells: Vec<WalkerShell> = a.walker.iter().map(|s| s.0).collect();
        let c = Constellation::from_walker(&shells, epoch)?;
        return Ok((c, format!("{} Walker shells", shells.len()), epoch));
    }
    let (shells, name) = match a.preset.unwrap_or(Preset::Default) {
        Preset::Default => (
            presets::default_shell(),
            "default Walker shell 528/24/7, 550 km, 53°",
        ),
        Preset::StarlinkLike => (presets::starlink_like(), "Starlink-like preset, 6 shells"),
    };
    Ok((
        Constellation::from_walker(&shells, epoch)?,
        name.to_owned(),
        epoch,
    ))
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} coverage {bar:40} {pos}/{len} samples, {elapsed} (ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

fn create(path: &Path) -> Result<AtomicFile> {
    AtomicFile::create(path).with_context(|| format!("cannot create {}", path.display()))
}

fn write_partial_file(p: &CoveragePartial, path: &Path) -> Result<()> {
    let mut w = create(path)?;
    write_partial(p, &mut w)?;
    w.commit()?;
    Ok(())
}

/// Per-cell CSV and GeoJSON, summary JSON, maps, and the printed summary.
fn write_outputs(result: &CoveragePartial, out: &WriteArgs) -> Result<()> {
    let (cells, summary) = statistics(result)?;
    let grid = Grid::new(result.header.grid)?;
    let dir = &out.out_dir;
    let mut written = vec![];
    let path = dir.join("cells.csv");
    {
        let mut w = create(&path)?;
        write_cells_csv(result, &cells, &mut w)?;
        w.commit()?;
    }
    written.push(path);
    if !out.no_geojson {
        let path = dir.join("cells.geojson");
        {
            let mut w = create(&path)?;
            write_cells_geojson(&grid, &cells, &mut w)?;
            w.commit()?;
        }
        written.push(path);
    }
    let path = dir.join("summary.json");
    {
        let mut w = create(&path)?;
        write_summary_json(result, &summary, &mut w)?;
        w.commit()?;
    }
    written.push(path);
    if out.maps != MapFormat::None {
        crate::plot::register_font();
        let subtitle = format!(
            "{} sats, mask {}°, {} × {} s",
            summary.satellites, summary.mask_deg, summary.samples, summary.step_s
        );
        for q in MapQuantity::ALL {
            if q == MapQuantity::CnMedian && result.header.config.link.is_none() {
                continue;
            }
            let opts = MapOptions::default();
            let path = match out.maps {
                MapFormat::Svg => dir.join(format!("map_{}.svg", q.slug())),
                _ => dir.join(format!("map_{}.png", q.slug())),
            };
            let mut w = create(&path)?;
            match out.maps {
                MapFormat::Svg => {
                    ntn_coverage::map::write_svg(&grid, &cells, q, &subtitle, &opts, &mut w)?
                }
                _ => ntn_coverage::map::write_png(&grid, &cells, q, &subtitle, &opts, &mut w)?,
            }
            w.commit()?;
            written.push(path);
        }
    }
    let mut t = Table::new("ntn coverage", &[]);
    t.summary("satellites", summary.satellites);
    t.summary("cells", summary.cells as u64);
    t.summary("samples", summary.samples);
    t.summary("step_s", summary.step_s);
    t.summary("mask_deg", summary.mask_deg);
    t.summary(
        "area_weighted_coverage",
        round(summary.area_weighted_coverage, 6),
    );
    t.summary(
        "area_always_covered",
        round(summary.area_fraction_always_covered, 6),
    );
    t.summary(
        "area_never_covered",
        round(summary.area_fraction_never_covered, 6),
    );
    t.summary("mean_visible", round(summary.mean_visible, 3));
    t.summary("longest_outage_s", summary.longest_outage_s);
    for (p, v) in &summary.covered_fraction_percentiles {
        t.summary(&format!("covered_fraction_p{p}"), round(*v, 6));
    }
    if summary.failed_propagations > 0 {
        t.summary("failed_propagations", summary.failed_propagations);
    }
    t.summary(
        "written",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    print!("{}", t.render(out.format));
    Ok(())
}

fn round(v: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (v * k).round() / k
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: CoverageArgs,
    }

    fn go(args: &[&str]) -> Result<()> {
        let mut argv = vec!["ntn-coverage"];
        argv.extend_from_slice(args);
        run(T::try_parse_from(argv)?.a)
    }

    #[test]
    fn shards_then_merge_write_the_single_run_bytes() {
        let dir = std::env::temp_dir().join(format!("ntn-coverage-cli-{}", std::process::id()));
        let d = |s: &str| dir.join(s).display().to_string();
        let common = [
            "--quiet",
            "--res",
            "15",
            "--duration",
            "1h",
            "--step",
            "120s",
        ];
        let mut args = common.to_vec();
        let single = d("single");
        args.extend(["--out-dir", &single, "--format", "json"]);
        go(&args).unwrap();
        let parts = d("parts");
        for (t, r) in [
            ("1/2", "1/2"),
            ("1/2", "2/2"),
            ("2/2", "1/2"),
            ("2/2", "2/2"),
        ] {
            let mut args = common.to_vec();
            args.extend(["--shard", t, "--tile", r, "--out-dir", &parts]);
            go(&args).unwrap();
        }
        let mut files: Vec<String> = std::fs::read_dir(dir.join("parts"))
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .collect();
        files.sort();
        assert_eq!(files.len(), 4);
        let merged = d("merged");
        let mut args = vec!["merge", "--quiet", "--out-dir", &merged, "--format", "json"];
        args.extend(files.iter().map(String::as_str));
        go(&args).unwrap();
        for f in [
            "cells.csv",
            "cells.geojson",
            "summary.json",
            "map_coverage.png",
            "map_cn.png",
        ] {
            let a = std::fs::read(dir.join("single").join(f)).unwrap();
            let b = std::fs::read(dir.join("merged").join(f)).unwrap();
            assert!(a == b, "{f} differs");
        }
        // Three of four parts is an error that says what is missing.
        let mut args = vec!["merge", "--quiet", "--out-dir", &merged];
        args.extend(files[..3].iter().map(String::as_str));
        assert!(go(&args).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_inputs_are_clear_errors() {
        let e = go(&["--quiet", "--mask", "90", "--maps", "none"]).unwrap_err();
        assert!(e.to_string().contains("elevation mask 90°"), "{e}");
        assert!(go(&["--step", "0"]).is_err());
        let empty = std::env::temp_dir().join(format!("ntn-empty-{}.tle", std::process::id()));
        std::fs::write(&empty, "").unwrap();
        let e = go(&["--quiet", "--tle", &empty.display().to_string()]).unwrap_err();
        assert!(format!("{e:#}").contains("empty"), "{e:#}");
        std::fs::remove_file(&empty).unwrap();
    }

    #[test]
    fn shell_and_box_specs() {
        let s: ShellSpec = "1584/72/39,550,53".parse().unwrap();
        assert_eq!((s.0.total, s.0.planes, s.0.phasing), (1584, 72, 39));
        assert_eq!(s.0.altitude_m, 550e3);
        let s: ShellSpec = "66/6/2,780,86.4,star".parse().unwrap();
        assert_eq!(s.0.pattern, WalkerPattern::Star);
        assert!("66/7/2,780,86.4".parse::<ShellSpec>().is_err());
        assert!("66/6,780,86.4".parse::<ShellSpec>().is_err());
        let b: BoxSpec = "30,60,-10,40".parse().unwrap();
        assert_eq!(b.0, [30.0, 60.0, -10.0, 40.0]);
        assert!("30,60,-10".parse::<BoxSpec>().is_err());
    }
}
