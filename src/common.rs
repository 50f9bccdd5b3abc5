//! Arguments shared by the orbit-driven commands: satellite selection, ground site, time
//! window, carriers, Earth orientation.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use ntn_orbit::element_age::check_element_age;
use ntn_orbit::{
    EarthOrientation, EopSpan, EopTable, GroundSite, Satellite, Sgp4Mode, UtcTime, parse_catalog,
};
use std::path::PathBuf;
use std::str::FromStr;

/// The bundled element sets (assets/tle/README.md says where each comes from).
pub const DEFAULT_TLE: &str = include_str!("../assets/tle/default.tle");
/// The default LEO of the built-in scenario.
pub const DEFAULT_LEO: &str = "CBERS 2";
/// The default GEO of the built-in scenario.
pub const DEFAULT_GEO: &str = "XM-3";
/// The default terminal: Montréal, Canada (sees the bundled LEO pass and the XM-3 GEO).
pub const DEFAULT_SITE: &str = "45.5017,-73.5673,50";
/// NB-IoT NTN in band n256 (S-band): DL 2170–2200 MHz, UL 1980–2010 MHz; mid-band carriers.
pub const DEFAULT_DL_MHZ: f64 = 2185.0;
/// Uplink carrier paired with [`DEFAULT_DL_MHZ`] (190 MHz duplex spacing).
pub const DEFAULT_UL_MHZ: f64 = 1995.0;

/// SGP4 variant, as a CLI choice.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum ModeArg {
    /// WGS-72, opsmode 'i' (matches the Vallado output and Skyfield).
    #[default]
    Wgs72,
    /// WGS-72, AFSPC opsmode 'a'.
    Afspc,
    /// WGS-84 constants.
    Wgs84,
}

impl From<ModeArg> for Sgp4Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Wgs72 => Sgp4Mode::Wgs72,
            ModeArg::Afspc => Sgp4Mode::Afspc,
            ModeArg::Wgs84 => Sgp4Mode::Wgs84,
        }
    }
}

/// Which element sets, and which satellite of them.
#[derive(Args, Clone, Debug, Default)]
pub struct SatArgs {
    /// Element sets: TLE (2/3-line), OMM JSON or OMM CSV file [default: the bundled set].
    #[arg(long, value_name = "FILE")]
    pub tle: Option<PathBuf>,
    /// Satellite by name (case-insensitive) or NORAD number [default: CBERS 2, or the first
    /// of --tle].
    #[arg(long, value_name = "NAME|NORAD")]
    pub sat: Option<String>,
    /// SGP4 variant.
    #[arg(long, value_enum, default_value_t = ModeArg::Wgs72)]
    pub sgp4_mode: ModeArg,
    /// Propagate an element set however far from its epoch (beyond 1 year for LEO, 10 years
    /// for anything; it still warns beyond 3 days for LEO, 30 days otherwise).
    #[arg(long)]
    pub allow_stale_elements: bool,
}

impl SatArgs {
    /// Every element set of the chosen file (or the bundled set).
    pub fn catalog(&self) -> Result<Vec<ntn_orbit::Elements>> {
        let (text, origin) = match &self.tle {
            Some(p) => (
                std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read element sets from {}", p.display()))?,
                p.display().to_string(),
            ),
            None => (
                DEFAULT_TLE.to_owned(),
                "the bundled element sets".to_owned(),
            ),
        };
        parse_catalog(&text).with_context(|| format!("in {origin}"))
    }

    /// The chosen satellite; `fallback` names the default when neither --sat nor --tle is given.
    pub fn satellite(&self, fallback: &str) -> Result<Satellite> {
        let catalog = self.catalog()?;
        let wanted = match (&self.sat, &self.tle) {
            (Some(s), _) => Some(s.clone()),
            (None, None) => Some(fallback.to_owned()),
            (None, Some(_)) => None,
        };
        let el = match wanted {
            None => catalog
                .into_iter()
                .next()
                .ok_or_else(|| anyhow!("no element sets"))?,
            Some(w) => {
                let by_id = w.parse::<u64>().ok();
                let names: Vec<String> = catalog
                    .iter()
                    .map(|e| {
                        e.object_name
                            .clone()
                            .unwrap_or_else(|| e.norad_id.to_string())
                    })
                    .collect();
                catalog
                    .into_iter()
                    .find(|e| {
                        Some(e.norad_id) == by_id
                            || e.object_name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(&w))
                    })
                    .ok_or_else(|| {
                        anyhow!(
                            "no satellite {w:?} in the element sets (have: {})",
                            names.join(", ")
                        )
                    })?
            }
        };
        Ok(Satellite::with_mode(el, self.sgp4_mode.into())?)
    }
}

impl SatArgs {
    /// Check how far from its epoch `sat` is used over `[start, end]`: an error beyond the
    /// refusal limit (unless --allow-stale-elements), a warning on standard error beyond the
    /// warning limit. Returns the warning text (for the JSON summary), if any.
    pub fn check_age(
        &self,
        sat: &Satellite,
        start: UtcTime,
        end: UtcTime,
    ) -> Result<Option<String>> {
        let warning = match check_element_age(sat, start, end) {
            Ok(w) => w.map(|w| w.to_string()),
            Err(e) if self.allow_stale_elements => Some(e.to_string()),
            Err(e) => return Err(anyhow!("{e} (--allow-stale-elements overrides)")),
        };
        if let Some(w) = &warning {
            warn_once(w);
        }
        Ok(warning)
    }
}

/// Satellite, terminal and carriers: what every link-geometry command needs.
#[derive(Args, Clone, Debug)]
pub struct LinkArgs {
    #[command(flatten)]
    pub sat: SatArgs,
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub radio: RadioArgs,
}

/// A ground point given as "lat,lon[,height_m]" in degrees.
#[derive(Clone, Copy, Debug)]
pub struct SiteSpec(pub GroundSite);

impl FromStr for SiteSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(format!(
                "{s:?}: expected LAT,LON[,HEIGHT_M] in degrees and metres"
            ));
        }
        let num = |t: &str, what: &str| {
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("{s:?}: {what} {t:?} is not a number"))
        };
        let lat = num(parts[0], "latitude")?;
        let lon = num(parts[1], "longitude")?;
        let h = if parts.len() == 3 {
            num(parts[2], "height")?
        } else {
            0.0
        };
        // One set of ground bounds for sites given anywhere (TOML scenarios too).
        GroundSite::checked("LAT,LON,H", [lat, lon, h])
            .map(SiteSpec)
            .map_err(|e| format!("{s:?}: {e}"))
    }
}

/// The longest duration any option takes: 100 Julian years, in seconds.
const MAX_DURATION_S: f64 = 100.0 * 365.25 * 86_400.0;

/// A duration: seconds, or a number with s/m/h/d.
#[derive(Clone, Copy, Debug)]
pub struct DurationSpec(pub f64);

impl FromStr for DurationSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let (num, mul) = match t.char_indices().last() {
            Some((i, 's')) => (&t[..i], 1.0),
            Some((i, 'm')) => (&t[..i], 60.0),
            Some((i, 'h')) => (&t[..i], 3600.0),
            Some((i, 'd')) => (&t[..i], 86_400.0),
            _ => (t, 1.0),
        };
        let v: f64 = num
            .parse()
            .map_err(|_| format!("{s:?} is not a duration (e.g. 90, 90s, 15m, 6h, 1d)"))?;
        if !(v.is_finite() && v > 0.0) {
            return Err(format!("{s:?}: a duration must be positive"));
        }
        // Beyond a century a duration is a typo (element sets are good for days); each
        // command sets its own tighter budget.
        let secs = v * mul;
        if secs > MAX_DURATION_S {
            return Err(format!("{s:?}: a duration must be at most 100 years"));
        }
        Ok(DurationSpec(secs))
    }
}

/// The terminal position.
#[derive(Args, Clone, Debug)]
pub struct SiteArgs {
    /// Terminal position LAT,LON[,HEIGHT_M] (degrees, metres) [default: Montréal].
    #[arg(long, value_name = "LAT,LON[,H]", default_value = DEFAULT_SITE)]
    pub site: SiteSpec,
}

/// UTC instant option (parsed).
pub fn parse_utc(s: &str) -> Result<UtcTime, String> {
    s.parse::<UtcTime>().map_err(|e| e.to_string())
}

/// Carriers and Earth orientation.
#[derive(Args, Clone, Debug)]
pub struct RadioArgs {
    /// Downlink carrier, MHz [default: 2185, NB-IoT NTN in n256].
    #[arg(long, value_name = "MHZ", default_value_t = DEFAULT_DL_MHZ)]
    pub dl_mhz: f64,
    /// Uplink carrier, MHz [default: 1995, n256].
    #[arg(long, value_name = "MHZ", default_value_t = DEFAULT_UL_MHZ)]
    pub ul_mhz: f64,
    #[command(flatten)]
    pub eop: EopArgs,
}

/// Earth orientation parameters for TEME → ITRF: from the bundled IERS table (or `--eop`),
/// each of which `--dut1`/`--xp`/`--yp` can override by hand.
#[derive(Args, Clone, Debug, Default)]
pub struct EopArgs {
    /// IERS Earth-orientation file in the IERS `finals2000A.all` format (or the compact form
    /// of orbit/data/eop_finals2000A.txt) to use instead of the bundled table (2006 to the end
    /// of its 2027 predictions).
    #[arg(long = "eop", value_name = "FILE")]
    pub eop_file: Option<PathBuf>,
    /// UT1 − UTC, seconds [default: from the Earth-orientation table].
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub dut1: Option<f64>,
    /// Polar motion x_p, arcseconds [default: from the Earth-orientation table].
    #[arg(long, value_name = "ARCSEC", allow_negative_numbers = true)]
    pub xp: Option<f64>,
    /// Polar motion y_p, arcseconds [default: from the Earth-orientation table].
    #[arg(long, value_name = "ARCSEC", allow_negative_numbers = true)]
    pub yp: Option<f64>,
}

/// UT1 − UTC may change by this much across a window before the one value used for the whole
/// window (taken at its midpoint) is worth a warning: 10 ms turns the Earth by 4.6 m at the
/// equator. A leap second inside the window, or a window of a week or more, exceeds it; the
/// few-day search windows of `passes` and `pass` (LOD ≈ 1 ms/day: ≤ 2 m) do not.
const EOP_WINDOW_CHANGE_WARN_S: f64 = 10e-3;

impl EopArgs {
    /// The Earth-orientation table in force: `--eop FILE`, or the bundled one.
    pub fn table(&self) -> Result<std::borrow::Cow<'static, EopTable>> {
        match &self.eop_file {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| {
                    format!("cannot read the Earth-orientation file {}", p.display())
                })?;
                let table = EopTable::parse(&text)
                    .with_context(|| format!("{}: not an IERS finals2000A table", p.display()))?;
                Ok(std::borrow::Cow::Owned(table))
            }
            None => Ok(std::borrow::Cow::Borrowed(
                EopTable::bundled().context("the bundled Earth-orientation table")?,
            )),
        }
    }

    /// Earth orientation at one instant (see [`EopArgs::eop_for`]).
    pub fn eop_at(&self, t: UtcTime) -> Result<EarthOrientation> {
        self.eop_for(t, t)
    }

    /// Earth orientation for a window `[start, end]`: the table's value at the midpoint,
    /// with `--dut1`/`--xp`/`--yp` overriding. Warns on standard error (once per run) when the
    /// window lies outside the table (the nearest row is used), or when UT1 − UTC changes by
    /// more than 10 ms across it (a leap second, or a window of a week or more).
    pub fn eop_for(&self, start: UtcTime, end: UtcTime) -> Result<EarthOrientation> {
        if let Some(d) = self.dut1
            && !(d.is_finite() && d.abs() <= 0.9)
        {
            bail!("--dut1 {d} s: UT1 − UTC stays within ±0.9 s");
        }
        for (name, v) in [("--xp", self.xp), ("--yp", self.yp)] {
            if let Some(v) = v
                && !(v.is_finite() && v.abs() <= 2.0)
            {
                bail!("{name} {v}″: polar motion stays within ±2 arcseconds");
            }
        }
        let table = self.table()?;
        let mid = start.add_secs(0.5 * end.secs_since(start));
        let value = table.at(mid);
        let (first, last) = table.span();
        let origin = match &self.eop_file {
            Some(p) => p.display().to_string(),
            None => "the bundled IERS table".to_owned(),
        };
        let outside = [start, end]
            .iter()
            .any(|&t| table.at(t).span != EopSpan::Inside);
        if outside && self.dut1.is_none() {
            warn_once(&format!(
                "Earth orientation: {start} … {end} is outside {origin} ({first} … {last}); \
                 the nearest day's UT1 − UTC and polar motion are used (give a newer IERS \
                 finals2000A.all with --eop, or --dut1/--xp/--yp)"
            ));
        }
        let change_s = (table.at(end).eop.dut1_s - table.at(start).eop.dut1_s).abs();
        if change_s > EOP_WINDOW_CHANGE_WARN_S && self.dut1.is_none() {
            warn_once(&format!(
                "Earth orientation: UT1 − UTC changes by {:.1} ms between {start} and {end}; \
                 the value at the midpoint ({mid}) is used for the whole window",
                change_s * 1e3
            ));
        }
        let arcsec = std::f64::consts::PI / (180.0 * 3600.0);
        let mut eop = value.eop;
        if let Some(d) = self.dut1 {
            eop.dut1_s = d;
        }
        if let Some(x) = self.xp {
            eop.xp_rad = x * arcsec;
        }
        if let Some(y) = self.yp {
            eop.yp_rad = y * arcsec;
        }
        Ok(eop)
    }
}

/// Print a warning on standard error unless the same text was printed before in this run.
pub fn warn_once(text: &str) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !seen.iter().any(|s| s == text) {
        eprintln!("warning: {text}");
        seen.push(text.to_owned());
    }
}

impl RadioArgs {
    /// Earth orientation for the window `[start, end]` ([`EopArgs::eop_for`]).
    pub fn eop_for(&self, start: UtcTime, end: UtcTime) -> Result<EarthOrientation> {
        self.eop.eop_for(start, end)
    }

    pub fn check(&self) -> Result<()> {
        for (name, v) in [("--dl-mhz", self.dl_mhz), ("--ul-mhz", self.ul_mhz)] {
            if !(v.is_finite() && v > 0.0 && v < 1e6) {
                bail!("{name} {v}: a carrier must be a positive frequency in MHz");
            }
        }
        Ok(())
    }
}

/// The satellite's epoch rounded down to the minute: the default start of a window, since the
/// bundled element sets are old and nothing here can fetch new ones.
pub fn default_start(sat: &Satellite) -> UtcTime {
    let ns = sat.epoch().ns_since_j2000();
    UtcTime::from_ns_since_j2000(ns - ns.rem_euclid(60_000_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_set_loads_and_defaults_resolve() {
        let a = SatArgs::default();
        assert_eq!(a.catalog().unwrap().len(), 5);
        assert_eq!(a.satellite(DEFAULT_LEO).unwrap().norad_id(), 28057);
        assert_eq!(a.satellite(DEFAULT_GEO).unwrap().norad_id(), 28626);
        let by_id = SatArgs {
            sat: Some("25544".into()),
            ..Default::default()
        };
        assert_eq!(by_id.satellite(DEFAULT_LEO).unwrap().name(), "ISS (ZARYA)");
        let missing = SatArgs {
            sat: Some("nope".into()),
            ..Default::default()
        };
        assert!(
            missing
                .satellite(DEFAULT_LEO)
                .unwrap_err()
                .to_string()
                .contains("CBERS 2")
        );
    }

    #[test]
    fn site_and_duration_specs() {
        assert!("43.6,1.44".parse::<SiteSpec>().is_ok());
        assert!("95,0".parse::<SiteSpec>().unwrap_err().contains("latitude"));
        assert!("a,b".parse::<SiteSpec>().is_err());
        assert_eq!("15m".parse::<DurationSpec>().unwrap().0, 900.0);
        assert_eq!("1.5h".parse::<DurationSpec>().unwrap().0, 5400.0);
        assert!("0".parse::<DurationSpec>().is_err());
        assert!("soon".parse::<DurationSpec>().is_err());
    }
}
