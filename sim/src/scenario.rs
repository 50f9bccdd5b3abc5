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
use ntn_orbit::{EarthOrientation, GroundSite, Satellite, UtcTime};
use ntn_types::{Duration, Hz};
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
}

fn site(v: [f64; 3], what: &'static str) -> Result<GroundSite, ScenarioError> {
    if !(v.iter().all(|x| x.is_finite()) && v[0].abs() <= 90.0 && v[1].abs() <= 360.0) {
        return Err(ScenarioError::Range(what));
    }
    Ok(GroundSite::from_degrees(v[0], v[1], v[2]))
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
        let fs = rec.sample_rate;
        let carrier = self.carrier(rec);
        if !(carrier.hz().is_finite() && carrier.hz() > 0.0) {
            return Err(ScenarioError::Range("orbit.carrier_hz must be positive"));
        }
        let path = if self.orbit.enabled {
            Some(self.orbit_config(fs, carrier)?)
        } else {
            None
        };
        let fd = self.fading.ue_speed_kmh / 3.6 * carrier.hz() / ntn_orbit::SPEED_OF_LIGHT_MPS;
        let profile = match self.fading.profile.to_ascii_lowercase().as_str() {
            "tdl-a" => Some(FadingProfile::TdlA),
            "tdl-b" => Some(FadingProfile::TdlB),
            "tdl-c" => Some(FadingProfile::TdlC),
            "tdl-d" => Some(FadingProfile::TdlD),
            "rayleigh" => Some(FadingProfile::FlatRayleigh),
            "rician" => Some(FadingProfile::FlatRician {
                k_db: self.fading.rician_k_db,
            }),
            "none" => None,
            other => return Err(ScenarioError::Profile(other.to_owned())),
        };
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
        let ue = site(o.ue, "orbit.ue must be [lat°, lon°, height m]")?;
        let eop = EarthOrientation::default();
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
                    eop,
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
            Some(g) => Payload::Transparent {
                gateway: site(g, "orbit.gateway must be [lat°, lon°, height m]")?,
                feeder_carrier: Hz(o.feeder_carrier_hz),
                feeder_doppler_compensation: o.feeder_doppler_compensation,
            },
        };
        let dl_reference_point = o
            .dl_reference_point
            .map(|r| site(r, "orbit.dl_reference_point must be [lat°, lon°, height m]"))
            .transpose()?;
        if o.grid_step_ms == 0 || !(1..=64).contains(&o.interp_half_length) {
            return Err(ScenarioError::Range(
                "orbit.grid_step_ms must be ≥ 1 and orbit.interp_half_length 1…64",
            ));
        }
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
            Err(ScenarioError::Profile(_))
        ));
        let mut s = ChannelScenario::default();
        s.orbit.tle[1] = "2 garbage".into();
        assert!(matches!(s.to_config(&rec()), Err(ScenarioError::Tle(_))));
        let mut s = ChannelScenario::default();
        s.orbit.start = Some("yesterday".into());
        assert!(matches!(s.to_config(&rec()), Err(ScenarioError::Start(_))));
        assert_ne!(sub_seed(1, 1), sub_seed(1, 2));
    }
}
