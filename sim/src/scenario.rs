//! A channel scenario as the user writes it (TOML/JSON through serde), every field with a
//! default, turned into a [`ChannelConfig`] for a given recording.
//!
//! An empty scenario means: the bundled LEO (CBERS 2, 780 km) seen from Montréal at the
//! culmination of its first pass above 30° after the element-set epoch, downlink, regenerative
//! payload, carrier = the recording's centre frequency (else 2 GHz); NTN-TDL-C with 100 ns
//! delay spread and a 3 km/h terminal; AWGN at 10 dB SNR over the sample rate, relative to
//! the recording's measured mean power.
//!
//! ```toml
//! seed = 7
//! gain_db = 0.0
//! [orbit]
//! tle = ["1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
//!        "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550"]
//! ue = [45.5017, -73.5673, 50.0]
//! start = "2006-06-27T01:40:00Z"     # default: culmination of the first pass above 30°
//! direction = "downlink"             # or "uplink"
//! carrier_hz = 2185e6                # default: the recording's core:frequency, else 2 GHz
//! gateway = [45.0, -75.0, 100.0]     # transparent payload (absent: regenerative)
//! feeder_carrier_hz = 20e9
//! feeder_doppler_compensation = true
//! dl_reference_point = [45.6, -73.6, 0.0]
//! [fading]
//! profile = "tdl-c"                  # tdl-a|tdl-b|tdl-c|tdl-d|rayleigh|rician|none
//! delay_spread_ns = 100.0
//! ue_speed_kmh = 3.0
//! [noise]
//! snr_db = 10.0
//! snr_bandwidth_hz = 180e3           # default: the sample rate (per-sample SNR)
//! ```

use crate::channel::ChannelConfig;
use crate::channel::noise::NoiseConfig;
use crate::channel::propagation::{
    DEFAULT_GRID_STEP, Direction, OrbitPathConfig, PathError, Payload,
};
use crate::channel::tdl::{FadingProfile, TdlConfig};
use ntn_orbit::elements::parse_tle;
use ntn_orbit::passes::PassSearch;
use ntn_orbit::{GroundSite, Satellite, UtcTime};
use ntn_types::{Duration, Hz, InvalidValue};
use serde::{Deserialize, Serialize};

/// The bundled default LEO, CBERS 2 (NORAD 28057), from the SGP4 verification set of
/// Vallado et al., *Revisiting Spacetrack Report #3*, AIAA 2006-6753.
pub const DEFAULT_TLE: [&str; 2] = [
    "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
    "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
];

/// The default terminal: Montréal (lat, lon in degrees, height in metres).
pub const DEFAULT_UE: [f64; 3] = [45.5017, -73.5673, 50.0];

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelScenario {
    /// Seed of every random stream (fading and noise get distinct derived seeds).
    pub seed: u64,
    /// Constant gain after propagation, dB.
    pub gain_db: f64,
    /// The orbit path (`enabled = false` to leave it out).
    pub orbit: OrbitScenario,
    /// Fading.
    pub fading: FadingScenario,
    /// Noise.
    pub noise: NoiseScenario,
}

impl Default for ChannelScenario {
    fn default() -> Self {
        ChannelScenario {
            seed: 1,
            gain_db: 0.0,
            orbit: OrbitScenario::default(),
            fading: FadingScenario::default(),
            noise: NoiseScenario::default(),
        }
    }
}

/// The orbit part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrbitScenario {
    /// Apply delay and Doppler from the orbit.
    pub enabled: bool,
    /// The two TLE lines.
    pub tle: [String; 2],
    /// Terminal: latitude (°), longitude (°), height (m).
    pub ue: [f64; 3],
    /// UTC of the recording's first sample (RFC 3339); default: culmination of the first pass
    /// above 30° after the element-set epoch.
    pub start: Option<String>,
    /// `downlink` or `uplink`.
    pub direction: Direction,
    /// Service-link carrier, Hz (default: the recording's centre frequency, else 2 GHz).
    pub carrier_hz: Option<f64>,
    /// Gateway (lat °, lon °, height m) of a transparent payload; absent: regenerative.
    pub gateway: Option<[f64; 3]>,
    /// Feeder-link carrier, Hz.
    pub feeder_carrier_hz: f64,
    /// The gateway compensates the feeder link's Doppler.
    pub feeder_doppler_compensation: bool,
    /// Downlink Doppler pre-compensation to this reference point (lat °, lon °, height m).
    pub dl_reference_point: Option<[f64; 3]>,
    /// Geometry grid step, ms.
    pub grid_step_ms: u32,
    /// Interpolator half-length (2L taps).
    pub interp_half_length: usize,
}

impl Default for OrbitScenario {
    fn default() -> Self {
        OrbitScenario {
            enabled: true,
            tle: DEFAULT_TLE.map(String::from),
            ue: DEFAULT_UE,
            start: None,
            direction: Direction::Downlink,
            carrier_hz: None,
            gateway: None,
            feeder_carrier_hz: 20e9,
            feeder_doppler_compensation: true,
            dl_reference_point: None,
            grid_step_ms: (DEFAULT_GRID_STEP.as_nanos() / 1_000_000) as u32,
            interp_half_length: 8,
        }
    }
}

/// The fading part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FadingScenario {
    /// `tdl-a`, `tdl-b`, `tdl-c`, `tdl-d`, `rayleigh`, `rician` or `none`.
    pub profile: String,
    /// K factor of `rician`, dB.
    pub rician_k_db: f64,
    /// Delay spread, ns.
    pub delay_spread_ns: f64,
    /// Terminal speed, km/h (f_D = v·f_c/c).
    pub ue_speed_kmh: f64,
    /// LOS tap Doppler / f_D.
    pub los_doppler_ratio: f64,
    /// Sinusoids per Rayleigh tap.
    pub sinusoids: usize,
}

impl Default for FadingScenario {
    fn default() -> Self {
        FadingScenario {
            profile: "tdl-c".into(),
            rician_k_db: 10.0,
            delay_spread_ns: 100.0,
            ue_speed_kmh: 3.0,
            los_doppler_ratio: 1.0,
            sinusoids: 32,
        }
    }
}

/// The noise part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoiseScenario {
    /// Add noise.
    pub enabled: bool,
    /// SNR, dB, over `snr_bandwidth_hz`.
    pub snr_db: f64,
    /// Bandwidth of the SNR definition, Hz (default: the sample rate).
    pub snr_bandwidth_hz: Option<f64>,
    /// Reference signal power per sample (default: the recording's measured mean power).
    pub signal_power: Option<f64>,
}

impl Default for NoiseScenario {
    fn default() -> Self {
        NoiseScenario {
            enabled: true,
            snr_db: 10.0,
            snr_bandwidth_hz: None,
            signal_power: None,
        }
    }
}

/// What the recording contributes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecordingInfo {
    /// Sample rate.
    pub sample_rate: Hz,
    /// Centre frequency, if the metadata gives one.
    pub centre_frequency: Option<Hz>,
    /// Mean |x|² of the recording.
    pub mean_power: f64,
}

/// Why a scenario cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The TLE does not parse.
    #[error("orbit.tle: {0}")]
    Tle(String),
    /// The start time does not parse.
    #[error("orbit.start: {0}")]
    Start(String),
    /// No pass above 30° within two days of the epoch (for the default start).
    #[error("orbit: no pass above 30° within two days of the element-set epoch; give orbit.start")]
    NoPass,
    /// The satellite is below the horizon at the start.
    #[error("orbit: the satellite is {elevation_deg:.1}° below the horizon at the start")]
    BelowHorizon {
        /// Elevation, degrees.
        elevation_deg: f64,
    },
    /// Unknown fading profile.
    #[error("fading.profile: unknown {0:?} (tdl-a, tdl-b, tdl-c, tdl-d, rayleigh, rician, none)")]
    Profile(String),
    /// A number out of range.
    #[error("{0}")]
    Range(&'static str),
    /// Orbit propagation failed.
    #[error("orbit: {0}")]
    Path(#[from] PathError),
    /// The file is not a scenario (TOML syntax, a wrong type, an unknown key).
    #[error("{file}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// The parser's message (with the line and the key).
        message: String,
    },
    /// A value is not finite, out of its physical range or inconsistent with another.
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
}

/// The carriers the fading models of TR 38.811 (NTN-TDL, after TR 38.901) are given for, Hz.
pub const FADING_CARRIER_HZ: std::ops::RangeInclusive<f64> = 0.5e9..=100e9;

/// The fading profile a scenario names (`None`: no fading).
fn profile_of(f: &FadingScenario) -> Result<Option<FadingProfile>, ScenarioError> {
    Ok(match f.profile.to_ascii_lowercase().as_str() {
        "tdl-a" => Some(FadingProfile::TdlA),
        "tdl-b" => Some(FadingProfile::TdlB),
        "tdl-c" => Some(FadingProfile::TdlC),
        "tdl-d" => Some(FadingProfile::TdlD),
        "rayleigh" => Some(FadingProfile::FlatRayleigh),
        "rician" => Some(FadingProfile::FlatRician {
            k_db: f.rician_k_db,
        }),
        "none" => None,
        other => return Err(ScenarioError::Profile(other.to_owned())),
    })
}

/// A sub-seed for stream `k` of a scenario seed (SplitMix64 finaliser), so fading and noise
/// never share a stream.
fn sub_seed(seed: u64, k: u64) -> u64 {
    let mut z = seed.wrapping_add(k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl ChannelScenario {
    /// Parse a TOML scenario read from `file` and check it ([`ChannelScenario::validate`]);
    /// every error starts with the file name and names the key and the value.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, ScenarioError> {
        let sc: Self = toml::from_str(text).map_err(|e| ScenarioError::Syntax {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        sc.validate().map_err(|e| e.in_file(file))?;
        Ok(sc)
    }

    /// Check every number (finite, physical range) and name: ground positions (latitude
    /// ±90°, longitude ±180°, height −500 m … 20 km), positive carriers, bandwidths and
    /// powers, a fading model that exists.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        use ntn_types::validate::{ground_position, positive, within};
        within(
            "gain_db",
            self.gain_db,
            -300.0..=300.0,
            "must be within ±300 dB",
        )?;
        let o = &self.orbit;
        ground_position("[orbit] ue", o.ue)?;
        if let Some(f) = o.carrier_hz {
            positive("[orbit] carrier_hz", f)?;
        }
        if let Some(g) = o.gateway {
            ground_position("[orbit] gateway", g)?;
        }
        positive("[orbit] feeder_carrier_hz", o.feeder_carrier_hz)?;
        if let Some(r) = o.dl_reference_point {
            ground_position("[orbit] dl_reference_point", r)?;
        }
        if !(1..=60_000).contains(&o.grid_step_ms) {
            return Err(InvalidValue::new(
                "[orbit] grid_step_ms",
                o.grid_step_ms,
                "the geometry grid step must be within 1 … 60 000 ms",
            ));
        }
        if !(1..=64).contains(&o.interp_half_length) {
            return Err(InvalidValue::new(
                "[orbit] interp_half_length",
                o.interp_half_length,
                "the interpolator half-length must be within 1 … 64",
            ));
        }
        let f = &self.fading;
        if profile_of(f).is_err() {
            return Err(InvalidValue::new(
                "[fading] profile",
                format!("{:?}", f.profile),
                "use tdl-a, tdl-b, tdl-c, tdl-d, rayleigh, rician or none",
            ));
        }
        within(
            "[fading] rician_k_db",
            f.rician_k_db,
            -100.0..=100.0,
            "must be within ±100 dB",
        )?;
        within(
            "[fading] delay_spread_ns",
            f.delay_spread_ns,
            0.0..=1e6,
            "a delay spread must be within 0 … 1 ms",
        )?;
        within(
            "[fading] ue_speed_kmh",
            f.ue_speed_kmh,
            0.0..=1200.0,
            "a terminal moves at 0 … 1200 km/h",
        )?;
        within(
            "[fading] los_doppler_ratio",
            f.los_doppler_ratio,
            -1.0..=1.0,
            "the LOS Doppler is a fraction of f_D within ±1",
        )?;
        if !(1..=4096).contains(&f.sinusoids) {
            return Err(InvalidValue::new(
                "[fading] sinusoids",
                f.sinusoids,
                "sinusoids per tap must be within 1 … 4096",
            ));
        }
        let n = &self.noise;
        within(
            "[noise] snr_db",
            n.snr_db,
            -100.0..=200.0,
            "an SNR must be within −100 … 200 dB",
        )?;
        if let Some(b) = n.snr_bandwidth_hz {
            positive("[noise] snr_bandwidth_hz", b)?;
        }
        if let Some(p) = n.signal_power {
            positive("[noise] signal_power", p)?;
        }
        Ok(())
    }

    /// The carrier the scenario uses for a recording.
    pub fn carrier(&self, rec: &RecordingInfo) -> Hz {
        self.orbit
            .carrier_hz
            .map(Hz)
            .or(rec.centre_frequency)
            .unwrap_or(Hz(2e9))
    }

    /// The channel for a recording.
    pub fn to_config(&self, rec: &RecordingInfo) -> Result<ChannelConfig, ScenarioError> {
        self.validate()?;
        let fs = rec.sample_rate;
        ntn_types::validate::positive("sample rate", fs.hz())?;
        let carrier = self.carrier(rec);
        ntn_types::validate::positive(
            "carrier (orbit.carrier_hz or core:frequency)",
            carrier.hz(),
        )?;
        let profile = profile_of(&self.fading)?;
        if profile.is_some() {
            ntn_types::validate::within(
                "carrier (orbit.carrier_hz or core:frequency)",
                carrier.hz(),
                FADING_CARRIER_HZ,
                "outside 0.5 … 100 GHz, where the TR 38.811 fading models are given",
            )?;
        }
        let path = if self.orbit.enabled {
            Some(self.orbit_config(fs, carrier)?)
        } else {
            None
        };
        let fd = self.fading.ue_speed_kmh / 3.6 * carrier.hz() / ntn_orbit::SPEED_OF_LIGHT_MPS;
        let fading = profile.map(|p| {
            let mut t = TdlConfig::new(p, fs, sub_seed(self.seed, 1));
            t.delay_spread_s = self.fading.delay_spread_ns * 1e-9;
            t.max_doppler = Hz(fd);
            t.los_doppler_ratio = self.fading.los_doppler_ratio;
            t.sinusoids = self.fading.sinusoids;
            t
        });
        let noise = if self.noise.enabled {
            Some(NoiseConfig {
                snr_db: self.noise.snr_db,
                signal_power: self.noise.signal_power.unwrap_or(rec.mean_power),
                snr_bandwidth: self.noise.snr_bandwidth_hz.map(Hz),
                sample_rate: fs,
                seed: sub_seed(self.seed, 2),
            })
        } else {
            None
        };
        Ok(ChannelConfig {
            path,
            gain_db: self.gain_db,
            fading,
            noise,
        })
    }

    fn orbit_config(&self, fs: Hz, carrier: Hz) -> Result<OrbitPathConfig, ScenarioError> {
        let o = &self.orbit;
        let el = parse_tle(None, &o.tle[0], &o.tle[1], None)
            .map_err(|e| ScenarioError::Tle(e.to_string()))?;
        let sat = Satellite::new(el).map_err(|e| ScenarioError::Tle(e.to_string()))?;
        let ue = GroundSite::checked("[orbit] ue", o.ue)?;
        let origin: UtcTime = match &o.start {
            Some(s) => s
                .parse()
                .map_err(|e: ntn_orbit::time::TimeError| ScenarioError::Start(e.to_string()))?,
            None => {
                let start = sat.epoch();
                let search = PassSearch {
                    site: ue,
                    mask_deg: 10.0,
                    start,
                    end: start + Duration::from_secs(2 * 86_400),
                    eop: ntn_orbit::eop::bundled_at(start),
                };
                search
                    .run(&sat)
                    .passes
                    .into_iter()
                    .find(|p| p.max_elevation_deg >= 30.0)
                    .ok_or(ScenarioError::NoPass)?
                    .culmination
            }
        };
        // Earth orientation from the bundled IERS table, at the start of the recording.
        let eop = ntn_orbit::eop::bundled_at(origin);
        let state = sat
            .state_ecef(origin, &eop)
            .map_err(|e| ScenarioError::Path(e.into()))?;
        let el_deg = ue.look(&state).elevation.rad().to_degrees();
        if el_deg < 0.0 {
            return Err(ScenarioError::BelowHorizon {
                elevation_deg: -el_deg,
            });
        }
        let payload = match o.gateway {
            None => Payload::Regenerative,
            Some(g) => {
                let gateway = GroundSite::checked("[orbit] gateway", g)?;
                // A feeder link through the Earth is refused, not simulated.
                gateway
                    .feeder_look(&state, origin)
                    .map_err(|e| ScenarioError::Path(e.into()))?;
                Payload::Transparent {
                    gateway,
                    feeder_carrier: Hz(o.feeder_carrier_hz),
                    feeder_doppler_compensation: o.feeder_doppler_compensation,
                }
            }
        };
        let dl_reference_point = o
            .dl_reference_point
            .map(|r| GroundSite::checked("[orbit] dl_reference_point", r))
            .transpose()?;
        Ok(OrbitPathConfig {
            satellite: sat,
            ue,
            payload,
            direction: o.direction,
            carrier,
            origin,
            sample_rate: fs,
            eop,
            grid_step: Duration::from_millis(i64::from(o.grid_step_ms)),
            dl_reference_point,
            interp_half_length: o.interp_half_length,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> RecordingInfo {
        RecordingInfo {
            sample_rate: Hz(1.92e6),
            centre_frequency: Some(Hz(2185e6)),
            mean_power: 0.5,
        }
    }

    #[test]
    fn defaults_make_a_channel() {
        let s = ChannelScenario::default();
        let c = s.to_config(&rec()).unwrap();
        let path = c.path.as_ref().unwrap();
        assert_eq!(path.carrier, Hz(2185e6));
        assert_eq!(c.noise.unwrap().signal_power, 0.5);
        assert_eq!(c.fading.unwrap().profile, FadingProfile::TdlC);
        // The default start is a culmination above 30°.
        let st = path.satellite.state_ecef(path.origin, &path.eop).unwrap();
        let el = path.ue.look(&st).elevation.rad().to_degrees();
        assert!(el >= 30.0, "{el}");
        let mut ch = crate::channel::Channel::new(c).unwrap();
        let x = vec![num_complex::Complex32::new(1.0, 0.0); 4096];
        let mut y = x.clone();
        ch.process(0, &x, &mut y).unwrap();
    }

    #[test]
    fn errors_name_the_field() {
        let mut s = ChannelScenario::default();
        s.fading.profile = "tdl-x".into();
        assert!(matches!(
            s.to_config(&rec()),
            Err(ScenarioError::Invalid(v)) if v.key == "[fading] profile"
        ));
        let mut s = ChannelScenario::default();
        s.orbit.tle[1] = "2 garbage".into();
        assert!(matches!(s.to_config(&rec()), Err(ScenarioError::Tle(_))));
        let mut s = ChannelScenario::default();
        s.orbit.start = Some("yesterday".into());
        assert!(matches!(s.to_config(&rec()), Err(ScenarioError::Start(_))));
        assert_ne!(sub_seed(1, 1), sub_seed(1, 2));
    }

    fn invalid(text: &str) -> InvalidValue {
        match ChannelScenario::from_toml(text, "ch.toml") {
            Err(ScenarioError::Invalid(v)) => v,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn non_finite_and_impossible_values_name_the_key() {
        for (text, key) in [
            ("gain_db = nan\n", "gain_db"),
            ("[orbit]\nue = [91.0, 0.0, 0.0]\n", "[orbit] ue[0]"),
            ("[orbit]\nue = [45.0, 0.0, -1e9]\n", "[orbit] ue[2]"),
            ("[orbit]\ncarrier_hz = inf\n", "[orbit] carrier_hz"),
            (
                "[orbit]\ngateway = [45.0, nan, 0.0]\n",
                "[orbit] gateway[1]",
            ),
            (
                "[orbit]\nfeeder_carrier_hz = -20e9\n",
                "[orbit] feeder_carrier_hz",
            ),
            ("[orbit]\ngrid_step_ms = 0\n", "[orbit] grid_step_ms"),
            (
                "[fading]\ndelay_spread_ns = nan\n",
                "[fading] delay_spread_ns",
            ),
            ("[fading]\nue_speed_kmh = inf\n", "[fading] ue_speed_kmh"),
            ("[fading]\nprofile = \"tdl-x\"\n", "[fading] profile"),
            ("[noise]\nsnr_db = nan\n", "[noise] snr_db"),
            (
                "[noise]\nsnr_bandwidth_hz = 0.0\n",
                "[noise] snr_bandwidth_hz",
            ),
            ("[noise]\nsignal_power = inf\n", "[noise] signal_power"),
        ] {
            let e = invalid(text);
            assert_eq!(e.key, key, "{text}");
            assert!(e.to_string().starts_with("ch.toml: "), "{e}");
        }
        // The programmatic path checks too.
        let mut s = ChannelScenario::default();
        s.noise.snr_db = f64::NAN;
        assert!(matches!(
            s.to_config(&rec()),
            Err(ScenarioError::Invalid(_))
        ));
    }

    #[test]
    fn unknown_keys_are_errors() {
        for text in [
            "sed = 1\n",
            "[orbit]\ncarrier = 2e9\n",
            "[noise]\nsnr = 3.0\n",
        ] {
            let e = ChannelScenario::from_toml(text, "ch.toml").unwrap_err();
            assert!(
                matches!(&e, ScenarioError::Syntax { message, .. } if message.contains("unknown field")),
                "{text}: {e}"
            );
            assert!(e.to_string().starts_with("ch.toml: "), "{e}");
        }
    }

    #[test]
    fn fading_outside_its_model_range_is_refused() {
        let mut r = rec();
        r.centre_frequency = Some(Hz(200e9));
        let e = ChannelScenario::default().to_config(&r).unwrap_err();
        assert!(e.to_string().contains("100 GHz"), "{e}");
        // Without fading the same carrier is fine for delay and Doppler.
        let mut s = ChannelScenario::default();
        s.fading.profile = "none".into();
        assert!(s.to_config(&r).is_ok());
    }

    #[test]
    fn a_gateway_that_cannot_see_the_satellite_is_refused() {
        let s = ChannelScenario::default();
        let path = s.to_config(&rec()).unwrap().path.unwrap();
        let st = path.satellite.state_ecef(path.origin, &path.eop).unwrap();
        let sub = ntn_orbit::Geodetic::from_ecef(&ntn_orbit::Position::new(st.r_m()));
        let (lat, lon) = (sub.lat.rad().to_degrees(), sub.lon.rad().to_degrees());
        // The antipode of the sub-satellite point: the feeder link would cross the Earth.
        let mut far = s.clone();
        far.orbit.gateway = Some([-lat, (lon + 360.0).rem_euclid(360.0) - 180.0, 0.0]);
        let e = far.to_config(&rec()).unwrap_err();
        assert!(e.to_string().contains("cannot see the satellite"), "{e}");
        // Under the satellite it is used.
        let mut near = s.clone();
        near.orbit.gateway = Some([lat, lon, 0.0]);
        assert!(matches!(
            near.to_config(&rec()).unwrap().path.unwrap().payload,
            Payload::Transparent { .. }
        ));
    }
}
