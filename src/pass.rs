//! `ntn pass`: the main job. Finds the next pass of a satellite over the terminal and shows
//! what the radio link goes through: elevation, Doppler and Doppler rate on both carriers,
//! delay, round-trip time and the timing advance the terminal must apply. The built-in
//! default is a real LEO element set (CBERS 2), a terminal in Montréal and NB-IoT NTN in
//! band n256; `--geo` takes the GEO case. Later stages run the whole NB-IoT NTN stack over
//! the same pass; the interface stays.

use crate::common::{
    DEFAULT_GEO, DEFAULT_LEO, DurationSpec, LinkArgs, SiteSpec, default_start, parse_utc,
};
use crate::orbit_cmd::site_text;
use crate::output::{Cell, OutputArgs, Table, emit};
use crate::plot::{Figure, Panel, Series};
use anyhow::{Result, bail};
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
    a.link.radio.check()?;
    if !(-5.0..90.0).contains(&a.mask) {
        bail!("--mask {}: use an elevation mask within −5…90°", a.mask);
    }
    let sat = a
        .link
        .sat
        .satellite(if a.geo { DEFAULT_GEO } else { DEFAULT_LEO })?;
    let start = a.start.unwrap_or_else(|| default_start(&sat));
    let eop = a.link.radio.eop()?;
    let search = PassSearch {
        site: a.link.site.site.0,
        mask_deg: a.mask,
        start,
        end: start.add_secs(3.0 * 86_400.0),
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
        eop,
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
        plot: None,
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
