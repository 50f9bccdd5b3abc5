//! `ntn link-budget`: EIRP, G/T, every loss term, C/N0 and C/N of a satellite link
//! (TR 38.821 §6.1.3), from a TR 38.821 Set-1 preset with any parameter overridden, at a
//! given elevation or at a time along a real orbit.

use crate::common::{DEFAULT_LEO, SatArgs, SiteArgs, parse_utc};
use crate::output::{Cell, OutputArgs, Table, emit};
use anyhow::{Result, anyhow, bail};
use clap::Args;
use ntn_orbit::UtcTime;
use ntn_sim::channel::large_scale::{LinkState, ModelRange, Scenario};
use ntn_sim::link_budget::LinkBudgetConfig;
use ntn_types::validate::within;
use ntn_types::{Degrees, Hz, Metres};

/// Options of `ntn link-budget`.
#[derive(Args, Debug)]
pub struct LinkBudgetArgs {
    /// TR 38.821 Set-1 preset: sc9-dl (LEO-600 S-band handheld), sc6-dl, sc6-ul (LEO-600
    /// Ka-band VSAT).
    #[arg(long, default_value = "sc9-dl")]
    pub preset: String,
    /// Elevation, degrees (ignored with --at).
    #[arg(long, value_name = "DEG")]
    pub elevation: Option<f64>,
    /// Satellite altitude, km (spherical-Earth slant range; ignored with --at).
    #[arg(long, value_name = "KM")]
    pub altitude_km: Option<f64>,
    /// Geometry from the orbit at this UTC time (satellite from --tle/--sat, terminal --site).
    #[arg(long, value_parser = parse_utc, value_name = "UTC")]
    pub at: Option<UtcTime>,
    #[command(flatten)]
    pub sat: SatArgs,
    #[command(flatten)]
    pub site: SiteArgs,
    /// Carrier, MHz.
    #[arg(long, value_name = "MHZ")]
    pub freq_mhz: Option<f64>,
    /// Receiver noise bandwidth, MHz.
    #[arg(long, value_name = "MHZ")]
    pub bandwidth_mhz: Option<f64>,
    /// Transmitter EIRP, dBW.
    #[arg(long, value_name = "DBW", allow_negative_numbers = true)]
    pub eirp_dbw: Option<f64>,
    /// Receiver G/T, dB/K.
    #[arg(long, value_name = "DB_K", allow_negative_numbers = true)]
    pub g_over_t: Option<f64>,
    /// Terminal angle off the satellite beam boresight, degrees.
    #[arg(long, value_name = "DEG")]
    pub off_boresight_deg: Option<f64>,
    /// Shadow-fading margin, dB.
    #[arg(long, value_name = "DB")]
    pub shadow_margin_db: Option<f64>,
    /// Zenith gas attenuation, dB [default: ITU-R P.676 at the carrier].
    #[arg(long, value_name = "DB")]
    pub gas_zenith_db: Option<f64>,
    /// Other losses (polarisation, body…), dB.
    #[arg(long, value_name = "DB")]
    pub other_loss_db: Option<f64>,
    /// Leave scintillation out.
    #[arg(long)]
    pub no_scintillation: bool,
    /// Terminal surroundings for TR 38.811 LOS probability and clutter loss: dense-urban,
    /// urban, suburban, rural.
    #[arg(long, value_name = "SCENARIO")]
    pub environment: Option<String>,
    /// With --environment: budget the NLOS state (adds the clutter loss).
    #[arg(long)]
    pub nlos: bool,
    /// Use ITU-R P.676 below 1 GHz and the TR 38.811 tables outside their carriers and
    /// elevations (nearest entry); the output then says what was extrapolated. Without it,
    /// such inputs are errors.
    #[arg(long)]
    pub extrapolate: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(a: LinkBudgetArgs) -> Result<()> {
    let mut c = LinkBudgetConfig::preset(&a.preset).ok_or_else(|| {
        anyhow!(
            "unknown preset {:?} (have: {})",
            a.preset,
            LinkBudgetConfig::PRESETS.join(", ")
        )
    })?;
    let range = if a.extrapolate {
        ModelRange::Extrapolate
    } else {
        ModelRange::Strict
    };
    let mut notes = Vec::new();
    if let Some(f) = a.freq_mhz {
        c.carrier = Hz::from_mhz(within(
            "--freq-mhz",
            f,
            1.0..=100_000.0,
            "a carrier must be 1 MHz … 100 GHz",
        )?);
        if a.gas_zenith_db.is_none() {
            let (gas_db, note) = LinkBudgetConfig::p676_zenith_db_in(c.carrier, range)
                .map_err(|e| anyhow!("--freq-mhz {f}: {e}"))?;
            c.gas_zenith_db = gas_db;
            notes.extend(note);
        }
    }
    if let Some(b) = a.bandwidth_mhz {
        c.bandwidth = Hz::from_mhz(within(
            "--bandwidth-mhz",
            b,
            1e-6..=10_000.0,
            "a noise bandwidth must be 1 Hz … 10 GHz",
        )?);
    }
    if let Some(v) = a.eirp_dbw {
        c.eirp_dbw = within(
            "--eirp-dbw",
            v,
            -100.0..=150.0,
            "an EIRP must be −100 … 150 dBW",
        )?;
    }
    if let Some(v) = a.g_over_t {
        c.g_over_t_db_k = within(
            "--g-over-t",
            v,
            -100.0..=100.0,
            "a G/T must be −100 … 100 dB/K",
        )?;
    }
    if let Some(v) = a.off_boresight_deg {
        c.off_boresight = Degrees(within(
            "--off-boresight-deg",
            v,
            0.0..=180.0,
            "an off-boresight angle must be 0 … 180°",
        )?)
        .to_radians();
    }
    if let Some(v) = a.shadow_margin_db {
        c.shadow_margin_db = within(
            "--shadow-margin-db",
            v,
            0.0..=100.0,
            "a shadow-fading margin must be 0 … 100 dB",
        )?;
    }
    if let Some(v) = a.gas_zenith_db {
        c.gas_zenith_db = within(
            "--gas-zenith-db",
            v,
            0.0..=100.0,
            "a zenith gas attenuation must be 0 … 100 dB",
        )?;
    }
    if let Some(v) = a.other_loss_db {
        c.other_loss_db = within(
            "--other-loss-db",
            v,
            -50.0..=200.0,
            "other losses must be −50 … 200 dB",
        )?;
    }
    c.scintillation = !a.no_scintillation;
    if let Some(env) = &a.environment {
        let sc = match env.as_str() {
            "dense-urban" => Scenario::DenseUrban,
            "urban" => Scenario::Urban,
            "suburban" => Scenario::Suburban,
            "rural" => Scenario::Rural,
            other => bail!("--environment {other:?}: dense-urban, urban, suburban or rural"),
        };
        let state = if a.nlos {
            LinkState::Nlos
        } else {
            LinkState::Los
        };
        c.clutter = Some((sc, state));
    } else if a.nlos {
        bail!("--nlos needs --environment");
    }
    let mut geometry = String::new();
    match a.at {
        Some(t) => {
            let sat = a.sat.satellite(DEFAULT_LEO)?;
            a.sat.check_age(&sat, t, t)?;
            let state = sat.state_ecef(t, &crate::common::EopArgs::default().eop_at(t)?)?;
            let look = a.site.site.0.look(&state);
            let el = look.elevation.rad().to_degrees();
            if el <= 0.0 {
                bail!(
                    "{} is below the horizon at {t} (elevation {el:.1}°); pick a time in a pass (ntn pass)",
                    sat.name()
                );
            }
            c.elevation = Degrees(el);
            c.slant_range = Some(look.range);
            geometry = format!("{} at {t}", sat.name());
        }
        None => {
            if let Some(e) = a.elevation {
                if !(e > 0.0 && e <= 90.0) {
                    bail!("--elevation = {e}: must be in (0, 90] degrees");
                }
                c.elevation = Degrees(e);
            }
            if let Some(h) = a.altitude_km {
                c.altitude = Metres::from_km(within(
                    "--altitude-km",
                    h,
                    0.1..=400_000.0,
                    "an altitude must be 0.1 … 400 000 km",
                )?);
            }
        }
    }
    notes.extend(c.validate(range)?);
    let b = c.evaluate();
    let mut t = Table::new(
        format!("Link budget: {}", c.name),
        &[("term", ""), ("value", ""), ("unit", "")],
    );
    t.summary("preset", a.preset.clone());
    if !geometry.is_empty() {
        t.summary("geometry", geometry);
    }
    if let Some(p) = b.los_probability {
        t.summary("LOS probability (TR 38.811 Table 6.6.1-1)", p);
    }
    if !notes.is_empty() {
        t.summary("extrapolated", notes.join("; "));
    }
    let rows: [(&str, f64, usize, &str); 16] = [
        ("carrier", c.carrier.hz() * 1e-6, 3, "MHz"),
        ("noise bandwidth", b.bandwidth_hz * 1e-6, 3, "MHz"),
        ("elevation", c.elevation.deg(), 2, "deg"),
        ("slant range", b.slant_range_m * 1e-3, 2, "km"),
        ("EIRP", b.eirp_dbw, 2, "dBW"),
        (
            "antenna off-boresight loss",
            b.antenna_off_boresight_db,
            2,
            "dB",
        ),
        ("G/T", b.g_over_t_db_k, 2, "dB/K"),
        ("free-space path loss", b.fspl_db, 2, "dB"),
        ("gas absorption (ITU-R P.676)", b.gas_db, 3, "dB"),
        ("shadow-fading margin", b.shadow_margin_db, 2, "dB"),
        ("scintillation", b.scintillation_db, 2, "dB"),
        ("clutter loss (NLOS)", b.clutter_loss_db, 2, "dB"),
        ("other losses", b.other_loss_db, 2, "dB"),
        (
            "Boltzmann 10·log10(k)",
            ntn_sim::link_budget::boltzmann_db(),
            2,
            "dBW/K/Hz",
        ),
        ("C/N0", b.c_over_n0_dbhz, 2, "dB-Hz"),
        ("C/N", b.c_over_n_db, 2, "dB"),
    ];
    for (name, v, p, unit) in rows {
        t.push(vec![
            Cell::Text(name.into()),
            Cell::Num(v, p),
            Cell::Text(unit.into()),
        ]);
    }
    let mut text = t.render(a.output.format);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    emit(&a.output, &text)
}
