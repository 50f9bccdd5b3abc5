//! `ntn pass`: the main job. Finds the next pass of a satellite over the terminal and shows
//! what the radio link goes through: elevation, Doppler and Doppler rate on both carriers,
//! delay, round-trip time and the timing advance the terminal must apply. The built-in
//! default is a real LEO element set (CBERS 2), a terminal in Montréal and NB-IoT NTN in
//! band n256; `--geo` takes the GEO case. Then it runs the scenario end to end through the
//! simulator's engine (`ntn_sim::e2e`: cell found, SIB31, random access, data, radio link
//! failure, next satellite, with the residual uplink errors the cell measured), prints the
//! timeline and summary, and writes the JSON report and the run's plots next to the orbit
//! plot. `--scenario FILE.toml` runs any other scenario, `--no-precomp` shows what fails
//! without pre-compensation, `--no-run` keeps only the orbit analysis.

use crate::common::{
    DEFAULT_GEO, DEFAULT_LEO, DEFAULT_SITE, DurationSpec, LinkArgs, SiteSpec, default_start,
    parse_utc,
};
use crate::orbit_cmd::site_text;
use crate::output::{Cell, OutputArgs, Table, emit};
use crate::plot::{Figure, Panel, Series};
use anyhow::{Context, Result, bail};
use clap::Args;
use ntn_orbit::passes::PassSearch;
use ntn_orbit::timing::TimingAdvance;
use ntn_orbit::{LinkConfig, UtcTime};
use ntn_sim::nbiot_dl::{DlProbe, DlProbeConfig, DlProbeResult};
use ntn_types::Hz;
use std::path::PathBuf;

/// Options of `ntn pass`.
#[derive(Args, Debug)]
pub struct PassArgs {
    /// Use the bundled GEO satellite (XM-3, 85° W) instead of the LEO.
    #[arg(long)]
    pub geo: bool,
    #[command(flatten)]
    pub link: LinkArgs,
    /// Gateway LAT,LON[,H] of a transparent payload (adds the feeder link to the round trip).
    #[arg(long, value_name = "LAT,LON[,H]")]
    pub gateway: Option<SiteSpec>,
    /// Look for the next pass from this time (UTC) [default: the element-set epoch].
    #[arg(long, value_parser = parse_utc)]
    pub start: Option<UtcTime>,
    /// Elevation mask, degrees.
    #[arg(long, default_value_t = 10.0)]
    pub mask: f64,
    /// Sampling step of the curves.
    #[arg(long, default_value = "1s")]
    pub step: DurationSpec,
    /// Step of the printed rows (the plot uses --step).
    #[arg(long, default_value = "30s")]
    pub print_step: DurationSpec,
    /// How long to show when the satellite never sets (GEO).
    #[arg(long, default_value = "1h")]
    pub geo_span: DurationSpec,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::output::Format::Table)]
    pub format: crate::output::Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Plot file (.png or .svg).
    #[arg(long, value_name = "FILE", default_value = "ntn-pass.png")]
    pub plot: PathBuf,
    /// Do not draw the plot.
    #[arg(long)]
    pub no_plot: bool,
    /// Sample-level downlink check every STEP along the pass: our NB-IoT cell through the
    /// orbit channel to our terminal's cell search ("0s" turns it off).
    #[arg(long, default_value = "60s", value_name = "STEP")]
    pub acquire_every: DurationOrOff,
    /// SNR of that check over the 180 kHz carrier, dB.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub snr_db: f64,
    /// Run this end-to-end scenario (TOML, see assets/scenarios) instead of the built-in one.
    #[arg(long, value_name = "FILE.toml")]
    pub scenario: Option<PathBuf>,
    /// The terminal does not pre-compensate timing and frequency (shows what fails).
    #[arg(long)]
    pub no_precomp: bool,
    /// Seed of the end-to-end run [default: the scenario's].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Nodes of the run: `probe` (link-level probe cell/UE) or `full` (CellStack + UeStack:
    /// RRC, NAS attach, data over NAS) [default: the scenario's].
    #[arg(long, value_name = "probe|full")]
    pub stack: Option<String>,
    /// Run every transmission through our PHY at sample level (IQ through the residual
    /// channel of each receiver) instead of the link abstraction's BLER curves.
    #[arg(long)]
    pub sample_level: bool,
    /// Only the orbit analysis: do not run the scenario through the engine.
    #[arg(long)]
    pub no_run: bool,
    /// JSON report of the run [default: next to --plot, `<stem>-report.json`; none with
    /// --no-plot].
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// A duration, or `0`/`0s`/`off` for none.
#[derive(Clone, Copy, Debug)]
pub struct DurationOrOff(pub Option<f64>);

impl std::str::FromStr for DurationOrOff {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "0" | "0s" | "off" | "none" => Ok(DurationOrOff(None)),
            t => t.parse::<DurationSpec>().map(|d| DurationOrOff(Some(d.0))),
        }
    }
}

pub fn run(a: PassArgs) -> Result<()> {
    crate::output::interruptible();
    check_pass_outputs(&a)?;
    a.link.radio.check()?;
    if !(-5.0..90.0).contains(&a.mask) {
        bail!("--mask {}: use an elevation mask within −5…90°", a.mask);
    }
    // A scenario file is read and checked before the orbit analysis, so a bad value fails
    // at once.
    let file_scenario = a.scenario.as_deref().map(scenario_file).transpose()?;
    let sat = a
        .link
        .sat
        .satellite(if a.geo { DEFAULT_GEO } else { DEFAULT_LEO })?;
    let start = a.start.unwrap_or_else(|| default_start(&sat));
    let end = start.add_secs(3.0 * 86_400.0);
    let age_warning = a.link.sat.check_age(&sat, start, end)?;
    let eop = a.link.radio.eop_for(start, end)?;
    let search = PassSearch {
        site: a.link.site.site.0,
        mask_deg: a.mask,
        start,
        end,
        eop,
    };
    let found = search.run(&sat);
    let Some(pass) = found.passes.first().cloned() else {
        match found.error {
            Some(e) => bail!("no pass found: {e}"),
            None => bail!(
                "{} does not rise above {}° at {} within 3 days of {start}",
                sat.name(),
                a.mask,
                site_text(&a.link.site)
            ),
        }
    };
    let never_sets = pass.aos_at_window_start && pass.los_at_window_end;
    let (t0, t1) = if never_sets {
        (start, start.add_secs(a.geo_span.0))
    } else {
        (pass.aos, pass.los)
    };
    let link = LinkConfig {
        ue: a.link.site.site.0,
        gateway: a.gateway.map(|g| g.0),
        f_dl: Hz(a.link.radio.dl_mhz * 1e6),
        f_ul: Hz(a.link.radio.ul_mhz * 1e6),
        // The pass itself, not the 3-day search window: UT1 − UTC at its middle.
        eop: a.link.radio.eop_for(t0, t1)?,
    };
    let span = t1.secs_since(t0);
    let n = (span / a.step.0).floor() as usize;
    if n > 2_000_000 {
        bail!("{n} samples: use a larger --step");
    }
    let every = (a.print_step.0 / a.step.0).round().max(1.0) as usize;
    let mut table = Table::new(
        format!(
            "ntn pass: {} (NORAD {}) over {}",
            sat.name(),
            sat.norad_id(),
            site_text(&a.link.site)
        ),
        &[
            ("time", "UTC"),
            ("t", "s"),
            ("elevation", "deg"),
            ("azimuth", "deg"),
            ("range", "km"),
            ("delay", "ms"),
            ("rtt", "ms"),
            ("doppler_dl", "Hz"),
            ("doppler_ul", "Hz"),
            ("doppler_rate_dl", "Hz/s"),
            ("ta", "ms"),
        ],
    );
    let mut curves: [Vec<(f64, f64)>; 7] = Default::default();
    let (mut max_dop, mut max_rate, mut max_el) = (0.0f64, 0.0f64, f64::MIN);
    let (mut rtt_min, mut rtt_max) = (f64::MAX, f64::MIN);
    let (mut ta_min, mut ta_max, mut ta_drift_max) = (f64::MAX, f64::MIN, 0.0f64);
    for k in 0..=n {
        let ts = (k as f64 * a.step.0).min(span);
        let time = t0.add_secs(ts);
        let s = link.snapshot(&sat, time)?;
        let rtt = s.rtt_transparent.unwrap_or(s.rtt_regenerative).s();
        // Regenerative payload: the uplink reference point is the satellite, the common TA is
        // zero and the UE pre-compensates the whole service-link round trip.
        let ta = TimingAdvance {
            ue_specific_s: s.rtt_regenerative.s(),
            ..Default::default()
        };
        let el = s.look.elevation.rad().to_degrees();
        max_dop = max_dop.max(s.doppler_dl.hz().abs());
        max_rate = max_rate.max(s.doppler_rate_dl_hz_s.abs());
        max_el = max_el.max(el);
        rtt_min = rtt_min.min(rtt);
        rtt_max = rtt_max.max(rtt);
        ta_min = ta_min.min(ta.total_s());
        ta_max = ta_max.max(ta.total_s());
        ta_drift_max = ta_drift_max.max((2.0 * s.delay_rate).abs());
        curves[0].push((ts, el));
        curves[1].push((ts, s.doppler_dl.hz() / 1e3));
        curves[2].push((ts, s.doppler_ul.hz() / 1e3));
        curves[3].push((ts, s.doppler_rate_dl_hz_s));
        curves[4].push((ts, s.one_way_delay.s() * 1e3));
        curves[5].push((ts, rtt * 1e3));
        curves[6].push((ts, ta.total_s() * 1e3));
        if k % every == 0 || k == n {
            table.push(vec![
                Cell::Text(time.to_string()),
                Cell::Num(ts, 0),
                Cell::Num(el, 2),
                Cell::Num(s.look.azimuth.rad().to_degrees(), 1),
                Cell::Num(s.look.range.km(), 1),
                Cell::Num(s.one_way_delay.s() * 1e3, 3),
                Cell::Num(rtt * 1e3, 3),
                Cell::Num(s.doppler_dl.hz(), 1),
                Cell::Num(s.doppler_ul.hz(), 1),
                Cell::Num(s.doppler_rate_dl_hz_s, 1),
                Cell::Num(ta.total_s() * 1e3, 3),
            ]);
        }
    }
    table.summary(
        "satellite",
        format!("{} (NORAD {})", sat.name(), sat.norad_id()),
    );
    table.summary("element_set_epoch", sat.epoch().to_string());
    if let Some(w) = &age_warning {
        table.summary("element_set_age_warning", w.clone());
    }
    table.summary("terminal", site_text(&a.link.site));
    table.summary(
        "carriers",
        format!(
            "DL {} MHz, UL {} MHz",
            a.link.radio.dl_mhz, a.link.radio.ul_mhz
        ),
    );
    table.summary(
        "payload",
        if a.gateway.is_some() {
            "transparent (RTT includes the feeder link)"
        } else {
            "regenerative"
        },
    );
    if never_sets {
        table.summary(
            "pass",
            format!("always above {}°: showing {t0} to {t1}", a.mask),
        );
    } else {
        table.summary("aos", pass.aos.to_string());
        table.summary("culmination", pass.culmination.to_string());
        table.summary("los", pass.los.to_string());
        table.summary("duration_s", (pass.duration_s() * 10.0).round() / 10.0);
    }
    table.summary("max_elevation_deg", (max_el * 100.0).round() / 100.0);
    table.summary("max_doppler_dl_hz", (max_dop * 10.0).round() / 10.0);
    table.summary(
        "max_doppler_rate_dl_hz_per_s",
        (max_rate * 10.0).round() / 10.0,
    );
    table.summary(
        "rtt_ms",
        format!("{:.3} … {:.3}", rtt_min * 1e3, rtt_max * 1e3),
    );
    table.summary(
        "timing_advance_ms",
        format!("{:.3} … {:.3}", ta_min * 1e3, ta_max * 1e3),
    );
    table.summary("max_ta_drift_us_per_s", (ta_drift_max * 1e7).round() / 10.0);
    let acquisition = match a.acquire_every.0 {
        Some(step) => Some(acquire_along(
            &sat,
            &link,
            t0,
            span,
            step,
            a.snr_db,
            a.link.radio.dl_mhz,
        )?),
        None => None,
    };
    if let Some(acq) = &acquisition {
        let ok = acq.iter().filter(|r| r.mib_decoded).count();
        let worst = acq
            .iter()
            .filter_map(|r| r.offset_error_hz())
            .fold(0.0f64, |w, e| w.max(e.abs()));
        table.summary(
            "downlink_check",
            format!(
                "NB-IoT cell found and MIB-NB decoded at {ok}/{} points (SNR {} dB over 180 kHz, \
                 no prior); worst Doppler measurement error {worst:.1} Hz",
                acq.len(),
                a.snr_db
            ),
        );
    }
    if !a.no_plot {
        let [el, dl, ul, rate, delay, rtt, ta] = curves;
        let series = |label: &str, points| Series {
            label: label.into(),
            points,
        };
        Figure {
            title: format!(
                "{} over {} — n256 DL {} MHz / UL {} MHz",
                sat.name(),
                site_text(&a.link.site),
                a.link.radio.dl_mhz,
                a.link.radio.ul_mhz
            ),
            x_label: format!("seconds after {t0}"),
            panels: vec![
                Panel {
                    y_label: "elevation [deg]".into(),
                    series: vec![series("elevation", el)],
                },
                Panel {
                    y_label: "Doppler [kHz]".into(),
                    series: vec![series("downlink", dl), series("uplink", ul)],
                },
                Panel {
                    y_label: "DL Doppler rate [Hz/s]".into(),
                    series: vec![series("DL Doppler rate", rate)],
                },
                Panel {
                    y_label: "time [ms]".into(),
                    // Regenerative: the round trip is the timing advance, drawn once.
                    series: if a.gateway.is_some() {
                        vec![
                            series("one-way delay", delay),
                            series("round trip (with feeder link)", rtt),
                            series("timing advance", ta),
                        ]
                    } else {
                        vec![
                            series("one-way delay", delay),
                            series("timing advance = round trip", ta),
                        ]
                    },
                },
            ],
        }
        .save(&a.plot)?;
        table.summary("plot", a.plot.display().to_string());
    }
    let out = OutputArgs {
        format: a.format,
        out: a.out.clone(),
    };
    let text = match (a.format, &acquisition) {
        (crate::output::Format::Json, Some(acq)) => {
            let mut v = table.to_json();
            if let Some(o) = v.as_object_mut() {
                o.insert("downlink_checks".into(), serde_json::to_value(acq)?);
            }
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        (f, Some(acq)) => {
            let mut t = table.render(f);
            t.push('\n');
            t.push_str(&acquisition_table(acq).render(f));
            t
        }
        (f, None) => table.render(f),
    };
    if a.no_run {
        return emit(&out, &text);
    }
    // The run covers the pass analysed above (from a minute before it, or from the window
    // start when the pass is already under way there).
    let run_start = if never_sets || pass.aos_at_window_start {
        t0
    } else {
        t0.add_secs(-60.0)
    };
    let report = run_scenario(&a, file_scenario, &sat, run_start)?;
    let text = match a.format {
        crate::output::Format::Json => {
            let mut v: serde_json::Value = serde_json::from_str(&text)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("run".into(), json_summary(&report)?);
            }
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        f => {
            let mut t = text;
            t.push('\n');
            t.push_str(&run_tables(&report, f));
            t
        }
    };
    emit(&out, &text)
}

/// The sample-level downlink check at every `step_s` of the pass.
fn acquire_along(
    sat: &ntn_orbit::Satellite,
    link: &LinkConfig,
    t0: UtcTime,
    span_s: f64,
    step_s: f64,
    snr_db: f64,
    dl_mhz: f64,
) -> Result<Vec<DlProbeResult>> {
    let mut probe = DlProbe::new(DlProbeConfig {
        carrier: Hz(dl_mhz * 1e6),
        snr_db,
        eop: link.eop,
        ..Default::default()
    })?;
    // Stop 50 ms short of the end so the searched frames stay inside the window.
    let n = ((span_s - 0.05).max(0.0) / step_s).floor() as usize;
    (0..=n)
        .map(|k| Ok(probe.run(sat, link.ue, t0.add_secs(k as f64 * step_s))?))
        .collect()
}

fn acquisition_table(acq: &[DlProbeResult]) -> Table {
    let mut t = Table::new(
        "Downlink check: our NB-IoT cell → orbit channel → our cell search",
        &[
            ("time", "UTC"),
            ("cell_found", ""),
            ("mib_decoded", ""),
            ("measured_offset", "Hz"),
            ("true_doppler", "Hz"),
            ("error", "Hz"),
            ("doppler_rate", "Hz/s"),
        ],
    );
    for r in acq {
        let opt = |v: Option<f64>| match v {
            Some(x) => Cell::Num(x, 1),
            None => Cell::Text("-".into()),
        };
        t.push(vec![
            Cell::Text(r.time.to_string()),
            Cell::Text(if r.cell_id.is_some() { "yes" } else { "no" }.into()),
            Cell::Text(if r.mib_decoded { "yes" } else { "no" }.into()),
            opt(r.measured_offset_hz),
            Cell::Num(r.true_doppler_hz, 1),
            opt(r.offset_error_hz()),
            Cell::Num(r.true_doppler_rate_hz_s, 1),
        ]);
    }
    t
}

/// The name of the built-in run: the satellite and the terminal actually used (the
/// built-in scenarios' own names say Montréal, the default site).
fn builtin_run_name(geo: bool, sat: &str, site: &crate::common::SiteArgs) -> String {
    let default_site = DEFAULT_SITE
        .parse::<SiteSpec>()
        .ok()
        .map(|d| d.0.geodetic());
    let g = site.site.0.geodetic();
    let is_default = default_site.is_some_and(|d| {
        (d.lat_deg() - g.lat_deg()).abs() < 1e-9
            && (d.lon_deg() - g.lon_deg()).abs() < 1e-9
            && (d.height.m() - g.height.m()).abs() < 1e-6
    });
    let place = if is_default {
        "Montréal".to_owned()
    } else {
        site_text(site)
    };
    if geo {
        format!("GEO: {sat} from {place}, n256")
    } else {
        format!("LEO pass: {sat} over {place}, n256")
    }
}

/// The scenario of `path`, every value checked; errors name the file, the key and the value.
fn scenario_file(path: &std::path::Path) -> Result<ntn_sim::e2e::E2eScenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the scenario {}", path.display()))?;
    Ok(ntn_sim::e2e::E2eScenario::from_toml_file_text(
        &text,
        &path.display().to_string(),
    )?)
}

/// The end-to-end scenario `ntn pass` runs: the `--scenario` file (read by [`scenario_file`]),
/// else the built-in LEO (or GEO with `--geo`) with the command line's terminal and carriers.
fn scenario_of(
    a: &PassArgs,
    file_scenario: Option<ntn_sim::e2e::E2eScenario>,
    sat: &ntn_orbit::Satellite,
    run_start: UtcTime,
) -> Result<ntn_sim::e2e::E2eScenario> {
    use ntn_sim::e2e::E2eScenario;
    let mut sc = match file_scenario {
        Some(sc) => sc,
        None => {
            let mut sc = if a.geo {
                E2eScenario::geo()
            } else {
                E2eScenario::default()
            };
            let g = a.link.site.site.0.geodetic();
            sc.ue.position = [g.lat_deg(), g.lon_deg(), g.height.m()];
            sc.name = builtin_run_name(a.geo, sat.name(), &a.link.site);
            // With --start, the run covers the pass analysed above; without, the scenario's own
            // choice (the first pass above 30°, as the README's sample run).
            if a.start.is_some() {
                sc.start = Some(run_start.to_string());
            }
            sc.dl_hz = a.link.radio.dl_mhz * 1e6;
            sc.ul_hz = a.link.radio.ul_mhz * 1e6;
            sc
        }
    };
    if a.no_precomp {
        sc.precompensation = false;
    }
    if let Some(seed) = a.seed {
        sc.seed = seed;
    }
    if let Some(stack) = &a.stack {
        sc.stack = stack.clone();
    }
    if a.sample_level {
        sc.level = ntn_sim::e2e::Level::Sample;
    }
    Ok(sc)
}

/// `--plot`'s path with its stem followed by `suffix`.
fn beside_plot(a: &PassArgs, suffix: &str) -> PathBuf {
    let stem = a
        .plot
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("ntn-pass");
    a.plot.with_file_name(format!("{stem}{suffix}"))
}

/// Where the run's JSON report goes (none with --no-plot and no --report).
fn report_path(a: &PassArgs) -> Option<PathBuf> {
    match (&a.report, a.no_plot) {
        (Some(p), _) => Some(p.clone()),
        (None, false) => Some(beside_plot(a, "-report.json")),
        (None, true) => None,
    }
}

/// Where the run's plot goes.
fn run_plot_path(a: &PassArgs) -> PathBuf {
    let ext = a.plot.extension().and_then(|e| e.to_str()).unwrap_or("png");
    beside_plot(a, &format!("-run.{ext}"))
}

/// Every file the command will write can be written and is not an input, checked before the
/// pass search and the run.
fn check_pass_outputs(a: &PassArgs) -> Result<()> {
    let mut outputs: Vec<PathBuf> = a.out.iter().cloned().collect();
    if !a.no_plot {
        outputs.push(a.plot.clone());
    }
    if !a.no_run {
        outputs.extend(report_path(a));
        if !a.no_plot {
            outputs.push(run_plot_path(a));
        }
    }
    let inputs: Vec<&std::path::Path> = [&a.scenario, &a.link.sat.tle]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect();
    crate::output::check_outputs(outputs.iter().map(PathBuf::as_path), &inputs)
}

/// Run the scenario with a progress line on standard error, write the report and the plots.
fn run_scenario(
    a: &PassArgs,
    file_scenario: Option<ntn_sim::e2e::E2eScenario>,
    sat: &ntn_orbit::Satellite,
    run_start: UtcTime,
) -> Result<ntn_sim::report::E2eReport> {
    use std::io::IsTerminal;
    let sc = scenario_of(a, file_scenario, sat, run_start)?;
    #[allow(clippy::disallowed_methods)] // the CLI reports the speed-up against wall time
    let t0 = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let bar = if tty {
        indicatif::ProgressBar::new(1000).with_style(
            indicatif::ProgressStyle::with_template("  {bar:30} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut progress = |t: f64, total: f64| {
        crate::output::exit_if_interrupted();
        let wall = t0.elapsed().as_secs_f64().max(1e-6);
        bar.set_position((1000.0 * t / total.max(1e-9)) as u64);
        bar.set_message(format!(
            "simulated {t:.0}/{total:.0} s, {:.0}× real time",
            t / wall
        ));
    };
    let report = ntn_sim::e2e::run(&sc, &mut progress).with_context(|| match &a.scenario {
        Some(p) => format!("scenario {}", p.display()),
        None => format!("scenario {:?}", sc.name),
    })?;
    bar.finish_and_clear();
    let wall = t0.elapsed().as_secs_f64().max(1e-6);
    eprintln!(
        "  simulated {:.0} s in {:.2} s: {:.0}× real time ({} receptions, {} at sample level \
         covering {:.1} s of air time)",
        report.simulated_s,
        wall,
        report.simulated_s / wall,
        report.deliveries,
        report.engine.sample_level,
        report.engine.air_time_s
    );
    let report_path = report_path(a);
    if let Some(p) = &report_path {
        crate::output::write_file(p, serde_json::to_string_pretty(&report)?.as_bytes())?;
        eprintln!("  report: {}", p.display());
    }
    if !a.no_plot {
        let p = run_plot_path(a);
        run_figure(&report).save(&p)?;
        eprintln!("  run plot: {}", p.display());
    }
    Ok(report)
}

/// The run's figure: Doppler and residual frequency, TA and residual timing error, SNR and
/// BLER along the pass, and the procedure timeline.
fn run_figure(r: &ntn_sim::report::E2eReport) -> Figure {
    use ntn_sim::engine::NbChannel;
    use ntn_sim::engine::SimEvent;
    let series = |label: &str, points: Vec<(f64, f64)>| Series {
        label: label.into(),
        points,
    };
    let pass = &r.pass;
    let decoded_ul: Vec<_> = r.ul.iter().filter(|p| p.decoded).collect();
    // Procedure timeline as steps: 0 searching … 4 connected, one level per milestone.
    let mut steps = vec![(0.0, 0.0)];
    for e in &r.timeline {
        let level = match e.event {
            SimEvent::CellFound { .. } => 1.0,
            SimEvent::Sib31Read { .. } => 2.0,
            SimEvent::RaStarted { .. } => 3.0,
            SimEvent::RaCompleted | SimEvent::Connected | SimEvent::Attached => 4.0,
            SimEvent::DataExchange { .. } => 5.0,
            SimEvent::RadioLinkFailure { .. } | SimEvent::RaFailed { .. } => 0.0,
            _ => continue,
        };
        let prev = steps.last().map_or(0.0, |p| p.1);
        steps.push((e.t_s, prev));
        steps.push((e.t_s, level));
    }
    steps.push((r.simulated_s, steps.last().map_or(0.0, |p| p.1)));
    let limit = r.summary.freq_limit_hz;
    let tlimit = r.summary.timing_limit_us;
    Figure {
        title: format!(
            "{} — seed {}, pre-compensation {}",
            r.scenario,
            r.seed,
            if r.precompensation { "on" } else { "off" }
        ),
        x_label: format!("seconds after {}", r.origin_utc),
        panels: vec![
            Panel {
                y_label: "DL Doppler [kHz]".into(),
                series: vec![
                    series(
                        "true DL Doppler at the UE",
                        pass.iter()
                            .map(|p| (p.t_s, p.doppler_dl_hz / 1e3))
                            .collect(),
                    ),
                    series(
                        "after the cell's beam-centre pre-compensation",
                        pass.iter()
                            .map(|p| (p.t_s, p.residual_dl_hz / 1e3))
                            .collect(),
                    ),
                ],
            },
            Panel {
                y_label: "UL residual frequency [Hz]".into(),
                series: vec![
                    series(
                        "measured by the cell",
                        decoded_ul
                            .iter()
                            .map(|p| (p.t_s, p.freq_error_hz))
                            .collect(),
                    ),
                    series("+0.1 ppm", vec![(0.0, limit), (r.simulated_s, limit)]),
                    series("−0.1 ppm", vec![(0.0, -limit), (r.simulated_s, -limit)]),
                ],
            },
            Panel {
                y_label: "delay / TA [ms]".into(),
                series: vec![
                    series(
                        "one-way delay",
                        pass.iter().map(|p| (p.t_s, p.delay_ms)).collect(),
                    ),
                    series(
                        "round trip = full TA",
                        pass.iter().map(|p| (p.t_s, 2.0 * p.delay_ms)).collect(),
                    ),
                ],
            },
            Panel {
                y_label: "UL residual timing [µs]".into(),
                series: vec![
                    series(
                        "NPUSCH, measured by the cell",
                        decoded_ul
                            .iter()
                            .filter(|p| p.channel == NbChannel::NpuschF1)
                            .filter_map(|p| Some((p.t_s, p.timing_error_us?)))
                            .collect(),
                    ),
                    series(
                        "NPRACH, measured by the cell",
                        decoded_ul
                            .iter()
                            .filter(|p| p.channel == NbChannel::Nprach)
                            .filter_map(|p| Some((p.t_s, p.timing_error_us?)))
                            .collect(),
                    ),
                    series("+CP", vec![(0.0, tlimit), (r.simulated_s, tlimit)]),
                    series("−CP", vec![(0.0, -tlimit), (r.simulated_s, -tlimit)]),
                ],
            },
            Panel {
                y_label: "SNR [dB] / BLER [%]".into(),
                series: vec![
                    series(
                        "DL SNR over 180 kHz",
                        pass.iter().map(|p| (p.t_s, p.snr_db)).collect(),
                    ),
                    series(
                        "UL SNR (cell)",
                        r.ul.iter().map(|p| (p.t_s, p.snr_db)).collect(),
                    ),
                    series(
                        "MIB-NB BLER [%] (curve at that SNR)",
                        pass.iter().map(|p| (p.t_s, 100.0 * p.bler)).collect(),
                    ),
                ],
            },
            Panel {
                y_label: "procedure (0 search … 5 data)".into(),
                series: vec![series("state", steps)],
            },
        ],
    }
}

/// Timeline and summary as tables.
fn run_tables(r: &ntn_sim::report::E2eReport, f: crate::output::Format) -> String {
    use ntn_sim::engine::SimEvent;
    let mut t = Table::new(
        format!("End-to-end run: {}", r.scenario),
        &[("t", "s"), ("event", ""), ("detail", "")],
    );
    // Data exchanges: the first, a count, and the last.
    let data: Vec<usize> = r
        .timeline
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.event, SimEvent::DataExchange { .. }))
        .map(|(i, _)| i)
        .collect();
    for (i, e) in r.timeline.iter().enumerate() {
        if data.len() > 3 && data[1..data.len() - 1].contains(&i) {
            if i == data[1] {
                t.push(vec![
                    Cell::Text("…".into()),
                    Cell::Text("data".into()),
                    Cell::Text(format!("{} more exchanges", data.len() - 2)),
                ]);
            }
            continue;
        }
        let (name, detail) = match &e.event {
            SimEvent::CellFound { cell } => ("cell found", format!("cell {cell}, MIB-NB decoded")),
            SimEvent::Sib31Read { epoch_age_s } => (
                "SIB31 read",
                format!("ephemeris epoch {epoch_age_s:.3} s old"),
            ),
            SimEvent::RaStarted { attempt } => ("RA", format!("preamble, attempt {attempt}")),
            SimEvent::RaCompleted => ("RA complete", "Msg4 received".into()),
            SimEvent::RaFailed { reason } => ("RA failed", reason.clone()),
            SimEvent::Attached => ("attached", "NAS attach complete".into()),
            SimEvent::Connected => ("connected", "RRC connection (probe: RA completed)".into()),
            SimEvent::DataExchange {
                ul_bytes,
                dl_bytes,
                latency_s,
            } => (
                "data",
                format!(
                    "{ul_bytes} B up, {dl_bytes} B down, {:.1} ms",
                    latency_s * 1e3
                ),
            ),
            SimEvent::RadioLinkFailure { reason } => ("RLF", reason.clone()),
            SimEvent::Authenticated => ("authenticated", "EPS AKA".into()),
            SimEvent::SecurityActivated => ("NAS security", "security mode complete".into()),
            SimEvent::AttachFailed => ("attach failed", String::new()),
            SimEvent::Released => ("released", "RRC connection release".into()),
            SimEvent::UlSyncLost => ("UL sync lost", "SIB31 validity expired".into()),
            _ => ("other", format!("{:?}", e.event)),
        };
        t.push(vec![
            Cell::Num(e.t_s, 3),
            Cell::Text(name.into()),
            Cell::Text(detail),
        ]);
    }
    let s = &r.summary;
    t.summary("verdict", s.verdict.clone());
    t.summary("nodes", r.nodes.clone());
    t.summary(
        "level",
        match r.level {
            ntn_sim::e2e::Level::Link => "link abstraction (BLER curves of our PHY)",
            ntn_sim::e2e::Level::Sample => {
                "sample level (our PHY on IQ through the residual channel)"
            }
        },
    );
    t.summary(
        "channel",
        match r.channel.as_str() {
            "tdl-c" => "NTN-TDL-C fading (TR 38.811: LOS, K 10.2 dB, 100 ns, 3 km/h) + AWGN".into(),
            other => other.to_uppercase(),
        },
    );
    t.summary("simulated_s", (r.simulated_s * 10.0).round() / 10.0);
    t.summary(
        "random_access",
        format!(
            "{} preambles, {} detected, {} procedures failed",
            s.preambles, s.preambles_detected, s.ra_failures
        ),
    );
    t.summary(
        "exchanges",
        format!("{}/{}", s.exchanges, s.exchanges_target),
    );
    t.summary(
        "ul_residual_timing_us",
        format!(
            "max |error| {} (limit {:.1} µs = NPUSCH CP), measured by the cell",
            s.max_ul_timing_error_us
                .map_or("-".into(), |v| format!("{v:.2}")),
            s.timing_limit_us
        ),
    );
    t.summary(
        "ul_residual_frequency_hz",
        format!(
            "max |error| {} (limit {:.1} Hz = 0.1 ppm), measured by the cell",
            s.max_ul_freq_error_hz
                .map_or("-".into(), |v| format!("{v:.1}")),
            s.freq_limit_hz
        ),
    );
    t.summary(
        "snr_dl_db",
        format!(
            "{} … {}",
            s.snr_min_db.map_or("-".into(), |v| format!("{v:.1}")),
            s.snr_max_db.map_or("-".into(), |v| format!("{v:.1}"))
        ),
    );
    t.summary(
        "bler",
        format!(
            "DL {:.3} over {} blocks, UL {:.3} over {} blocks",
            s.dl_bler, s.dl_blocks, s.ul_bler, s.ul_blocks
        ),
    );
    t.summary(
        "latency_ms",
        format!(
            "mean {}, max {}",
            s.latency_mean_s
                .map_or("-".into(), |v| format!("{:.1}", v * 1e3)),
            s.latency_max_s
                .map_or("-".into(), |v| format!("{:.1}", v * 1e3))
        ),
    );
    t.summary("throughput_bps", (s.throughput_bps * 10.0).round() / 10.0);
    t.summary("radio_link_failures", s.radio_link_failures);
    if s.sample_checks.1 > 0 {
        t.summary(
            "sample_level_dl",
            format!(
                "MIB-NB decoded at {}/{} sample-level cell searches",
                s.sample_checks.0, s.sample_checks.1
            ),
        );
    }
    t.summary("report_hash", r.report_hash.clone());
    let mut out = t.render(f);
    out.push('\n');
    out
}

/// The run as JSON for `--format json` (the timeline and summary; the full report goes to
/// its file).
fn json_summary(r: &ntn_sim::report::E2eReport) -> Result<serde_json::Value> {
    Ok(serde_json::json!({
        "scenario": r.scenario,
        "seed": r.seed,
        "precompensation": r.precompensation,
        "simulated_s": r.simulated_s,
        "nodes": r.nodes,
        "timeline": r.timeline,
        "summary": r.summary,
        "trace_hash": r.trace_hash,
        "report_hash": r.report_hash,
    }))
}
