//! `ntn orbit track | passes | ephemeris`.

use crate::common::{
    DEFAULT_LEO, DurationSpec, EopArgs, LinkArgs, SatArgs, SiteArgs, SiteSpec, default_start,
    parse_utc,
};
use crate::output::{Budget, Cell, OutputArgs, PlotArgs, Table, check_outputs, emit};
use crate::plot::{Figure, Panel, Series};
use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use ntn_orbit::ephemeris::{
    AgeErrorSpec, Ephemeris, EphemerisFields, EphemerisForm, UePropagator, error_vs_age,
};
use ntn_orbit::passes::PassSearch;
use ntn_orbit::satellite::satellites_from_elements;
use ntn_orbit::timing::{
    CellTiming, CommonTa, TaFlavour, TimingAdvance, feeder_link_common_ta, ue_specific_ta,
};
use ntn_orbit::{LinkConfig, Satellite, UtcTime};
use ntn_types::Hz;
use ntn_types::validate::within;

/// Orbit analysis commands.
#[derive(Subcommand, Debug)]
pub enum OrbitCmd {
    /// Time series of look angles, delay, Doppler, Doppler rate and timing advance.
    Track(TrackArgs),
    /// Passes above an elevation mask for one satellite or a whole catalog.
    Passes(PassesArgs),
    /// SIB19 / SIB31 ephemeris fields at an instant, and their error against SGP4 by age.
    Ephemeris(EphemerisArgs),
}

/// Options of `ntn orbit track`.
#[derive(Args, Debug)]
pub struct TrackArgs {
    #[command(flatten)]
    pub link: LinkArgs,
    /// Start (UTC, e.g. 2006-06-26T12:00:00Z) [default: the element-set epoch].
    #[arg(long, value_parser = parse_utc)]
    pub start: Option<UtcTime>,
    /// Length of the series.
    #[arg(long, default_value = "15m")]
    pub duration: DurationSpec,
    /// Step between rows.
    #[arg(long, default_value = "10s")]
    pub step: DurationSpec,
    /// Print only rows with the satellite at or above this elevation (degrees).
    #[arg(long, allow_negative_numbers = true)]
    pub min_elevation: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub plot: PlotArgs,
}

/// Options of `ntn orbit passes`.
#[derive(Args, Debug)]
pub struct PassesArgs {
    #[command(flatten)]
    pub sat: SatArgs,
    /// Search every satellite of the element-set file, not only --sat.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub site: SiteArgs,
    /// Window start (UTC) [default: the (first) element-set epoch].
    #[arg(long, value_parser = parse_utc)]
    pub start: Option<UtcTime>,
    /// Window length.
    #[arg(long, default_value = "24h")]
    pub duration: DurationSpec,
    /// Elevation mask, degrees.
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    pub mask: f64,
    /// Refuse a window longer than this (element sets are only good for days to weeks).
    #[arg(long, default_value = "366d")]
    pub max_duration: DurationSpec,
    #[command(flatten)]
    pub eop: EopArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `ntn orbit ephemeris`.
#[derive(Args, Debug)]
pub struct EphemerisArgs {
    #[command(flatten)]
    pub link: LinkArgs,
    /// Epoch of the broadcast ephemeris (UTC) [default: the element-set epoch].
    #[arg(long, value_parser = parse_utc)]
    pub time: Option<UtcTime>,
    /// Which spec's field names and common-TA units to print.
    #[arg(long, value_enum, default_value_t = SibArg::Sib31)]
    pub sib: SibArg,
    /// Gateway LAT,LON[,H] of a transparent payload: the common TA then carries the
    /// feeder-link round trip (uplink reference point at the gateway).
    #[arg(long, value_name = "LAT,LON[,H]")]
    pub gateway: Option<SiteSpec>,
    /// Ages (seconds) of the error table, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,5,10,30,60,120,300,600"
    )]
    pub ages: Vec<f64>,
    /// Number of ephemeris epochs the error table averages over (spread over one orbit).
    #[arg(long, default_value_t = 24)]
    pub epochs: usize,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which system information block.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SibArg {
    /// NB-IoT / eMTC SystemInformationBlockType31 (TS 36.331).
    Sib31,
    /// NR SIB19 NTN-Config (TS 38.331).
    Sib19,
}

pub fn run(cmd: OrbitCmd) -> Result<()> {
    match cmd {
        OrbitCmd::Track(a) => track(a),
        OrbitCmd::Passes(a) => passes(a),
        OrbitCmd::Ephemeris(a) => ephemeris(a),
    }
}

fn track(a: TrackArgs) -> Result<()> {
    check_outputs(
        [&a.output.out, &a.plot.plot]
            .into_iter()
            .flatten()
            .map(|p| p.as_path()),
        &[],
    )?;
    a.link.radio.check()?;
    if let Some(m) = a.min_elevation {
        within(
            "--min-elevation",
            m,
            -90.0..=90.0,
            "an elevation must be within ±90°",
        )?;
    }
    let n = (a.duration.0 / a.step.0).floor();
    if n > 5e6 {
        bail!(
            "--duration / --step = {n:.0} rows is too many (at most 5 000 000): use a larger --step or a shorter --duration"
        );
    }
    let n = n as usize;
    let sat = a.link.sat.satellite(DEFAULT_LEO)?;
    let start = a.start.unwrap_or_else(|| default_start(&sat));
    let end = start.add_secs(a.duration.0);
    let age_warning = a.link.sat.check_age(&sat, start, end)?;
    let link = LinkConfig {
        ue: a.link.site.site.0,
        gateway: None,
        f_dl: Hz(a.link.radio.dl_mhz * 1e6),
        f_ul: Hz(a.link.radio.ul_mhz * 1e6),
        eop: a.link.radio.eop_for(start, end)?,
    };
    let mut t = Table::new(
        format!(
            "{} (NORAD {}) from {}",
            sat.name(),
            sat.norad_id(),
            site_text(&a.link.site)
        ),
        &[
            ("time", "UTC"),
            ("t", "s"),
            ("azimuth", "deg"),
            ("elevation", "deg"),
            ("range", "km"),
            ("range_rate", "m/s"),
            ("delay", "ms"),
            ("doppler_dl", "Hz"),
            ("doppler_rate_dl", "Hz/s"),
            ("doppler_ul", "Hz"),
            ("ta_ue", "ms"),
        ],
    );
    t.summary("satellite", sat.name());
    t.summary("norad_id", sat.norad_id());
    t.summary("element_set_epoch", sat.epoch().to_string());
    if let Some(w) = age_warning {
        t.summary("element_set_age_warning", w);
    }
    t.summary("dl_carrier_mhz", a.link.radio.dl_mhz);
    t.summary("ul_carrier_mhz", a.link.radio.ul_mhz);
    let mut fig = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for k in 0..=n {
        let time = start.add_secs(k as f64 * a.step.0);
        let s = link.snapshot(&sat, time)?;
        let el = s.look.elevation.rad().to_degrees();
        if a.min_elevation.is_some_and(|m| el < m) {
            continue;
        }
        let ta = TimingAdvance {
            ue_specific_s: s.rtt_regenerative.s(),
            ..Default::default()
        };
        let ts = k as f64 * a.step.0;
        fig[0].push((ts, el));
        fig[1].push((ts, s.doppler_dl.hz() / 1e3));
        fig[2].push((ts, s.doppler_rate_dl_hz_s));
        fig[3].push((ts, s.one_way_delay.s() * 1e3));
        t.push(vec![
            Cell::Text(time.to_string()),
            Cell::Num(ts, 1),
            Cell::Num(s.look.azimuth.rad().to_degrees(), 3),
            Cell::Num(el, 3),
            Cell::Num(s.look.range.km(), 6),
            Cell::Num(s.look.range_rate.mps(), 4),
            Cell::Num(s.one_way_delay.s() * 1e3, 4),
            Cell::Num(s.doppler_dl.hz(), 1),
            Cell::Num(s.doppler_rate_dl_hz_s, 2),
            Cell::Num(s.doppler_ul.hz(), 1),
            Cell::Num(ta.total_s() * 1e3, 4),
        ]);
    }
    if let Some(path) = &a.plot.plot {
        let [el, dop, rate, delay] = fig;
        let one = |label: &str, pts| Panel {
            y_label: label.into(),
            series: vec![Series {
                label: label.into(),
                points: pts,
            }],
        };
        Figure {
            title: format!("{} seen from {}", sat.name(), site_text(&a.link.site)),
            x_label: format!("seconds after {start}"),
            panels: vec![
                one("elevation [deg]", el),
                one("DL Doppler [kHz]", dop),
                one("DL Doppler rate [Hz/s]", rate),
                one("one-way delay [ms]", delay),
            ],
        }
        .save(path)?;
    }
    emit(&a.output, &t.render(a.output.format))
}

pub fn site_text(s: &SiteArgs) -> String {
    let g = s.site.0.geodetic();
    format!(
        "{:.4}°, {:.4}°, {:.0} m",
        g.lat_deg(),
        g.lon_deg(),
        g.height.m()
    )
}

fn passes(a: PassesArgs) -> Result<()> {
    if !(-90.0..90.0).contains(&a.mask) {
        bail!("--mask {}: an elevation mask must be in −90…90°", a.mask);
    }
    Budget {
        resource: "search span",
        basis: format!("--duration {} s", a.duration.0),
        estimate: a.duration.0,
        limit: a.max_duration.0,
        show: |s| format!("{:.0}d", s / 86_400.0),
        flag: "--max-duration",
    }
    .check()?;
    if let Some(out) = &a.output.out {
        check_outputs([out.as_path()], &[])?;
    }
    let (sats, bad): (Vec<Satellite>, _) = if a.all {
        satellites_from_elements(a.sat.catalog()?, a.sat.sgp4_mode.into())
    } else {
        (vec![a.sat.satellite(DEFAULT_LEO)?], Vec::new())
    };
    let Some(first) = sats.first() else {
        bail!("no satellite could be set up from the element sets");
    };
    let start = a.start.unwrap_or_else(|| default_start(first));
    let end = start.add_secs(a.duration.0);
    // One satellite: a stale element set is an error; a catalog: it is left out and listed.
    let mut age_warnings = Vec::new();
    let mut age_errors = Vec::new();
    let total = sats.len();
    let mut usable = Vec::with_capacity(total);
    for sat in sats {
        match a.sat.check_age(&sat, start, end) {
            Ok(w) => {
                age_warnings.extend(w);
                usable.push(sat);
            }
            Err(e) if a.all => age_errors.push(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    let sats = usable;
    let search = PassSearch {
        site: a.site.site.0,
        mask_deg: a.mask,
        start,
        end,
        eop: a.eop.eop_for(start, end)?,
    };
    let bar = ProgressBar::new(sats.len() as u64).with_style(
        ProgressStyle::with_template(
            "{spinner} passes {bar:40} {pos}/{len} satellites, {elapsed} (ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    crate::output::interruptible();
    let results = search.run_catalog_with_progress(&sats, &|| {
        crate::output::exit_if_interrupted();
        bar.inc(1);
    });
    bar.finish_and_clear();
    let mut t = Table::new(
        format!(
            "Passes above {}° from {} between {} and {}",
            a.mask,
            site_text(&a.site),
            search.start,
            search.end
        ),
        &[
            ("satellite", ""),
            ("norad", ""),
            ("aos", "UTC"),
            ("culmination", "UTC"),
            ("max_elevation", "deg"),
            ("los", "UTC"),
            ("duration", "s"),
            ("aos_azimuth", "deg"),
            ("los_azimuth", "deg"),
        ],
    );
    let mut all: Vec<&ntn_orbit::passes::Pass> = results.iter().flat_map(|r| &r.passes).collect();
    all.sort_by_key(|p| (p.aos, p.norad_id));
    let errors: Vec<String> = bad
        .iter()
        .map(|e| e.to_string())
        .chain(
            results
                .iter()
                .filter_map(|r| r.error.as_ref().map(|e| e.to_string())),
        )
        .chain(age_errors)
        .collect();
    // Every satellite of the catalog, those left out for their element-set age among the
    // errors.
    t.summary("satellites", total);
    t.summary("passes", all.len());
    t.summary("satellites_with_errors", errors.len());
    if !errors.is_empty() {
        t.summary("errors", errors.clone());
    }
    if !age_warnings.is_empty() {
        t.summary("element_set_age_warnings", age_warnings);
    }
    for p in all {
        t.push(vec![
            Cell::Text(p.name.clone()),
            Cell::Int(p.norad_id as i64),
            Cell::Text(if p.aos_at_window_start {
                format!("{} (up)", p.aos)
            } else {
                p.aos.to_string()
            }),
            Cell::Text(p.culmination.to_string()),
            Cell::Num(p.max_elevation_deg, 2),
            Cell::Text(if p.los_at_window_end {
                format!("{} (up)", p.los)
            } else {
                p.los.to_string()
            }),
            Cell::Num(p.duration_s(), 1),
            Cell::Num(p.aos_azimuth_deg, 1),
            Cell::Num(p.los_azimuth_deg, 1),
        ]);
    }
    for e in &errors {
        eprintln!("warning: {e}");
    }
    emit(&a.output, &t.render(a.output.format))
}

fn ephemeris(a: EphemerisArgs) -> Result<()> {
    a.link.radio.check()?;
    if a.ages
        .iter()
        .any(|x| !(x.is_finite() && *x >= 0.0 && *x <= 86_400.0))
    {
        bail!("--ages: every age must be within 0…86400 s");
    }
    if a.epochs == 0 || a.epochs > 10_000 {
        bail!("--epochs must be within 1…10000");
    }
    let sat = a.link.sat.satellite(DEFAULT_LEO)?;
    // epochTime names a DL subframe start: take the first at or after the requested time,
    // with the cell's SFN 0 frames aligned to J2000 + k·10.24 s.
    let cell = CellTiming {
        sfn0: UtcTime::J2000,
    };
    let (epoch_time, time) =
        cell.epoch_time_at_or_after(a.time.unwrap_or_else(|| default_start(&sat)));
    let max_age_s = a.ages.iter().fold(0.0_f64, |m, &x| m.max(x));
    let end = time.add_secs(max_age_s);
    a.link.sat.check_age(&sat, time, end)?;
    let eop = a.link.radio.eop_for(time, end)?;
    let ue = a.link.site.site.0;
    let flavour = match a.sib {
        SibArg::Sib31 => TaFlavour::NbIotSib31,
        SibArg::Sib19 => TaFlavour::NrSib19,
    };
    let mut t = Table::new(
        format!(
            "Broadcast ephemeris of {} (NORAD {}) at {time}, {}",
            sat.name(),
            sat.norad_id(),
            match a.sib {
                SibArg::Sib31 => "SIB31 (TS 36.331 ServingSatelliteInfo-r17)",
                SibArg::Sib19 => "SIB19 (TS 38.331 NTN-Config-r17)",
            }
        ),
        &[
            ("form", ""),
            ("propagator", ""),
            ("age", "s"),
            ("position_rms", "m"),
            ("position_max", "m"),
            ("velocity_max", "m/s"),
            ("delay_max", "ns"),
            ("doppler_max", "Hz"),
        ],
    );
    t.summary(
        "epochTime (startSFN, startSubFrame)",
        vec![epoch_time.start_sfn, u16::from(epoch_time.start_subframe)],
    );
    let sv = Ephemeris::from_truth(&sat, time, EphemerisForm::StateVector, &eop)?;
    if let EphemerisFields::StateVector(f) = sv.fields {
        t.summary("positionX_Y_Z_r17 (1.3 m)", f.position.to_vec());
        t.summary("velocityVX_VY_VZ_r17 (0.06 m/s)", f.velocity.to_vec());
    }
    match Ephemeris::from_truth(&sat, time, EphemerisForm::Orbital, &eop) {
        Ok(Ephemeris {
            fields: EphemerisFields::Orbital(o),
            ..
        }) => {
            t.summary("semiMajorAxis_r17", o.semi_major_axis);
            t.summary("eccentricity_r17", o.eccentricity);
            t.summary("periapsis_r17", o.periapsis);
            t.summary("longitude_r17", o.longitude);
            t.summary("inclination_r17", o.inclination);
            t.summary("anomaly_r17", o.anomaly);
        }
        Ok(_) => {}
        Err(e) => t.summary("orbital_form", format!("not representable: {e}")),
    }
    // Regenerative payload (reference point at the satellite): no common TA, the UE-specific
    // TA is the whole service-link round trip. Transparent with --gateway: the common TA is
    // the feeder-link round trip, broadcast as a quadratic in time.
    let common = match &a.gateway {
        Some(gw) => feeder_link_common_ta(&sat, &gw.0, time, &eop)?,
        None => CommonTa::default(),
    };
    let ta_fields = common.to_fields(flavour)?;
    t.summary(
        "common_ta_fields (common, drift, variant)",
        vec![ta_fields.common, ta_fields.drift, ta_fields.variant],
    );
    if let Some(gw) = &a.gateway {
        let broadcast = CommonTa::from_fields(ta_fields, flavour)?;
        let errors_us: Result<Vec<f64>> = a
            .ages
            .iter()
            .map(|&age| {
                let s = sat.state_ecef(time.add_secs(age), &eop)?;
                let truth = 2.0 * gw.0.look(&s).range.m() / ntn_orbit::SPEED_OF_LIGHT_MPS;
                Ok(((broadcast.two_way_s(age).s() - truth) * 1e8).round() / 100.0)
            })
            .collect();
        t.summary("common_ta_error_us_at_ages", errors_us?);
    }
    let truth = sat.state_ecef(time, &eop)?;
    t.summary(
        "ue_specific_ta_ms",
        ue_specific_ta(&truth.position, &ue.ecef()).s() * 1e3,
    );
    let epochs: Vec<UtcTime> = (0..a.epochs)
        .map(|k| time.add_secs(k as f64 * sat.period_s() / a.epochs as f64))
        .collect();
    for form in [EphemerisForm::StateVector, EphemerisForm::Orbital] {
        for model in [UePropagator::Linear, UePropagator::Kepler, UePropagator::J2] {
            let spec = AgeErrorSpec {
                ue,
                f_c: Hz(a.link.radio.dl_mhz * 1e6),
                epochs: &epochs,
                ages_s: &a.ages,
                form,
                model,
                eop,
            };
            let rows = match error_vs_age(&sat, &spec) {
                Ok(r) => r,
                Err(e) if form == EphemerisForm::Orbital => {
                    eprintln!("orbital form skipped: {e}");
                    break;
                }
                Err(e) => return Err(e.into()),
            };
            for r in rows {
                t.push(vec![
                    Cell::Text(format!("{form:?}")),
                    Cell::Text(format!("{model:?}")),
                    Cell::Num(r.age_s, 0),
                    Cell::Num(r.pos_rms_m, 2),
                    Cell::Num(r.pos_max_m, 2),
                    Cell::Num(r.vel_max_mps, 4),
                    Cell::Num(r.delay_max_s * 1e9, 2),
                    Cell::Num(r.doppler_max_hz, 2),
                ]);
            }
        }
    }
    emit(&a.output, &t.render(a.output.format))
}
