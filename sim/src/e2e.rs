//! End-to-end scenarios (TOML, every field defaulted) and their run through the
//! [`engine`](crate::engine).
//!
//! The default is the README's LEO pass: CBERS 2 (the bundled element set) over Montréal,
//! NB-IoT NTN in band n256 (DL 2185 MHz, UL 1995 MHz), regenerative payload, from 60 s before
//! the first pass above 30° rises over 10° to its set, link-abstraction level, pre-compensation
//! on. [`E2eScenario::geo`] is the XM-3 GEO from the same site (two minutes);
//! [`E2eScenario::two_satellites`] adds a second satellite trailing the first on the same
//! orbit, so that the end of the first pass gives a radio link failure and the UE finds the
//! next satellite.
//!
//! ```toml
//! name = "my pass"
//! seed = 7
//! level = "link"                 # or "sample": every transmission through our PHY as IQ
//! precompensation = true
//! channel = "awgn"               # or "tdl-c": NTN-TDL-C fading (TR 38.811) on every link
//! start = "2006-06-27T01:40:00Z" # default: 60 s before the pass's AOS at 10°
//! duration_s = 900.0             # default: to the LOS of the first satellite (+60 s)
//! [[satellites]]
//! name = "CBERS 2"               # a bundled element set, or give `tle = [l1, l2]`
//! payload = "transparent"        # or "regenerative"
//! gateway = [45.0, -75.0, 100.0]
//! trail_s = 0.0                  # same orbit, this much later (two-satellite scenarios)
//! [ue]
//! position = [45.5017, -73.5673, 50.0]
//! gnss_error_std_m = 5.0
//! gnss_period_s = 1.0
//! [traffic]
//! exchanges = 20
//! bytes = 32
//! period_s = 5.0
//! ```
//!
//! What runs at which level: at `link` everything goes through the link abstraction
//! (BLER curves of our PHY, true delay/Doppler/SNR). At `sample` every transmission between
//! the stacks is modulated by our PHY, put through the residual channel between the true
//! orbit and the receiver's own grid and tuning (delay, delay drift, Doppler, Doppler drift,
//! AWGN at the link budget's SNR) and received by our PHY, which decodes it and measures its
//! timing and carrier offset ([`crate::engine::sample`]). With `channel = "tdl-c"` the link
//! level reads the TDL-C curves and the sample level fades every transmission with its
//! link's NTN-TDL-C process, continuous over the run. A terminal without timing acquires
//! the cell from scratch (NPSS/NSSS/NPBCH cell search). On top, the independent downlink
//! cell search of [`crate::nbiot_dl::DlProbe`] (through the full orbit channel, no prior)
//! runs every `sample_every_s`. The sample level needs the full stacks (`stack = "full"`).

use crate::channel::propagation::Payload;
use crate::engine::geometry::RadioParams;
use crate::engine::probe::{ProbeCell, ProbeCellConfig, ProbeUe, ProbeUeConfig};
use crate::engine::stacks::{CellNode, Gnss, UeNode};
use crate::engine::{Engine, EngineConfig, EngineError, NodeRole, PhyLevel, SatelliteSpec};
use crate::link_abstraction::{CurveError, LinkAbstraction};
use crate::link_sim::LinkChannelModel;
use crate::nbiot_dl::{DlProbe, DlProbeConfig, DlProbeResult};
use crate::report::E2eReport;
use ntn_orbit::elements::parse_tle;
use ntn_orbit::passes::PassSearch;
use ntn_orbit::{EarthOrientation, GroundSite, Satellite, TimeBase, UtcTime};
use ntn_stack::cell::{CellConfig, CellStack, Payload as StackPayload, SiteDeg};
use ntn_stack::ntn::NtnConfig;
use ntn_stack::ue::{TrafficConfig as StackTraffic, UeConfig, UeStack};
use ntn_types::{Duration, Hz, Instant, InvalidValue};
use serde::{Deserialize, Serialize};

/// The bundled element sets (CBERS 2 LEO, XM-3 GEO, …), `assets/tle/default.tle`.
const BUNDLED_TLE: &str = include_str!("../../assets/tle/default.tle");

/// Gateway of the GEO preset (lat °, lon °, h m): near Washington, D.C.
pub const GEO_GATEWAY: [f64; 3] = [38.9, -77.0, 50.0];

/// Which level the PHY runs at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Link abstraction only.
    Link,
    /// Every transmission through our PHY at sample level, plus the downlink cell search
    /// along the run.
    Sample,
}

/// One satellite of the scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SatelliteScenario {
    /// Name of a bundled element set (ignored when `tle` is given).
    pub name: String,
    /// The two TLE lines.
    pub tle: Option<[String; 2]>,
    /// `regenerative` or `transparent`.
    pub payload: String,
    /// Gateway (lat °, lon °, h m) of a transparent payload.
    pub gateway: Option<[f64; 3]>,
    /// This satellite follows the same orbit this many seconds later.
    pub trail_s: f64,
}

impl Default for SatelliteScenario {
    fn default() -> Self {
        SatelliteScenario {
            name: "CBERS 2".into(),
            tle: None,
            payload: "regenerative".into(),
            gateway: None,
            trail_s: 0.0,
        }
    }
}

/// The terminal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UeScenario {
    /// Latitude (°), longitude (°), height (m).
    pub position: [f64; 3],
    /// GNSS error std (each axis), m.
    pub gnss_error_std_m: f64,
    /// GNSS update period, s.
    pub gnss_period_s: f64,
    /// Transmit power, dBm.
    pub tx_power_dbm: f64,
    /// NPRACH repetitions (probe nodes; the stacks use their RACH configuration).
    pub prach_repetitions: u16,
    /// NPUSCH repetitions (probe nodes; the cell stack adapts them to the measured C/N0).
    pub pusch_repetitions: u16,
    /// Preamble attempts per RA procedure.
    pub max_ra_attempts: u32,
    /// Radio link failure after this long without a MIB-NB, s.
    pub rlf_timeout_s: f64,
}

impl Default for UeScenario {
    fn default() -> Self {
        UeScenario {
            position: crate::scenario::DEFAULT_UE,
            gnss_error_std_m: 5.0,
            gnss_period_s: 1.0,
            tx_power_dbm: 23.0,
            prach_repetitions: 4,
            pusch_repetitions: 2,
            max_ra_attempts: 10,
            rlf_timeout_s: 5.12,
        }
    }
}

/// The cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CellScenario {
    /// Transmit power in 180 kHz (EIRP with the radio's satellite gain), dBm.
    pub tx_power_dbm: f64,
    /// SIB31 period, s.
    pub sib31_period_s: f64,
    /// K_offset, ms.
    pub k_offset_ms: u16,
    /// ul-SyncValidityDuration, s.
    pub ul_sync_validity_s: u32,
    /// NPDSCH repetitions of dedicated messages (probe nodes); for the cell stack, those of
    /// CE level 0, with 4× and 16× for CE levels 1 and 2.
    pub dl_repetitions: u16,
    /// Beam centre for the DL Doppler pre-compensation (default: the UE position).
    pub beam_centre: Option<[f64; 3]>,
}

impl Default for CellScenario {
    fn default() -> Self {
        CellScenario {
            // TR 38.821 SC9: 34 dBW/MHz → 26.55 dBW in 180 kHz.
            tx_power_dbm: 56.55,
            sib31_period_s: 2.56,
            k_offset_ms: 40,
            ul_sync_validity_s: 20,
            dl_repetitions: 2,
            beam_centre: None,
        }
    }
}

/// Traffic once connected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrafficScenario {
    /// UL → DL exchanges.
    pub exchanges: u32,
    /// Uplink block, bytes (the DL echo is as long).
    pub bytes: u32,
    /// Period, s.
    pub period_s: f64,
}

impl Default for TrafficScenario {
    fn default() -> Self {
        TrafficScenario {
            exchanges: 100,
            bytes: 32,
            period_s: 5.0,
        }
    }
}

/// A whole end-to-end scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct E2eScenario {
    /// Label.
    pub name: String,
    /// Seed of every stream.
    pub seed: u64,
    /// `link` or `sample`.
    pub level: Level,
    /// UE pre-compensates timing and frequency.
    pub precompensation: bool,
    /// UTC of run time zero (default: 60 s before the first satellite's AOS at 10°).
    pub start: Option<String>,
    /// Simulated span, s (default: to the first satellite's LOS + 60 s, or 120 s for a GEO;
    /// with trailing satellites, to the last one's LOS).
    pub duration_s: Option<f64>,
    /// Downlink carrier, Hz.
    pub dl_hz: f64,
    /// Uplink carrier, Hz.
    pub ul_hz: f64,
    /// Elevation mask, degrees.
    pub min_elevation_deg: f64,
    /// Channel model: `awgn`, or `tdl-c` (NTN-TDL-C of TR 38.811, 100 ns, 3 km/h at 2 GHz:
    /// the link level draws from the TDL-C curves, the sample level runs one continuous
    /// fading process per link and direction).
    pub channel: String,
    /// Satellites.
    pub satellites: Vec<SatelliteScenario>,
    /// Terminal.
    pub ue: UeScenario,
    /// Cell.
    pub cell: CellScenario,
    /// Traffic.
    pub traffic: TrafficScenario,
    /// Antennas and losses.
    pub radio: RadioParams,
    /// Sample-level checks every this many seconds (level = sample).
    pub sample_every_s: f64,
    /// `full` (default): `UeStack`/`CellStack` (MAC, RRC, NAS attach with AKA and security,
    /// data over NAS) with the cell's link adaptation (CE level → NPDSCH repetitions, measured
    /// UL C/N0 → NPUSCH tones and repetitions); `probe`: the link-level probe nodes of
    /// [`crate::engine::probe`] with the fixed repetitions of `ue` and `cell`.
    pub stack: String,
}

impl Default for E2eScenario {
    fn default() -> Self {
        E2eScenario {
            name: "LEO pass: CBERS 2 over Montréal, n256".into(),
            seed: 1,
            level: Level::Link,
            precompensation: true,
            start: None,
            duration_s: None,
            dl_hz: 2185e6,
            ul_hz: 1995e6,
            min_elevation_deg: 10.0,
            channel: "awgn".into(),
            satellites: vec![SatelliteScenario::default()],
            ue: UeScenario::default(),
            cell: CellScenario::default(),
            traffic: TrafficScenario::default(),
            radio: RadioParams::default(),
            sample_every_s: 30.0,
            stack: "full".into(),
        }
    }
}

impl E2eScenario {
    /// The GEO case: XM-3 (85° W) from Montréal, two minutes, transparent payload through a
    /// gateway near Washington (round trip UE → satellite → gateway and back ≈ 510 ms; TR
    /// 38.821's 541 ms is the worst case at 10° elevation); a GEO S-band beam (TR 38.821 Set-1
    /// GEO: EIRP density 59 dBW/MHz, G/T 19 dB/K), K_offset covering the round trip, more
    /// repetitions.
    pub fn geo() -> Self {
        E2eScenario {
            name: "GEO: XM-3 from Montréal, n256".into(),
            duration_s: Some(120.0),
            satellites: vec![SatelliteScenario {
                name: "XM-3".into(),
                payload: "transparent".into(),
                gateway: Some(GEO_GATEWAY),
                ..Default::default()
            }],
            cell: CellScenario {
                tx_power_dbm: 59.0 + 10.0 * 0.18f64.log10() + 30.0,
                k_offset_ms: 560,
                ul_sync_validity_s: 60,
                dl_repetitions: 4,
                ..Default::default()
            },
            ue: UeScenario {
                prach_repetitions: 32,
                pusch_repetitions: 16,
                ..Default::default()
            },
            radio: RadioParams {
                sat_g_over_t_db_k: 19.0,
                sat_aperture_radius_m: 11.0,
                ..Default::default()
            },
            traffic: TrafficScenario {
                exchanges: 20,
                bytes: 32,
                period_s: 3.0,
            },
            ..Default::default()
        }
    }

    /// Two satellites on the CBERS 2 orbit, the second `trail_s` behind.
    pub fn two_satellites(trail_s: f64) -> Self {
        E2eScenario {
            name: format!("two satellites: CBERS 2 and a follower {trail_s} s behind"),
            satellites: vec![
                SatelliteScenario::default(),
                SatelliteScenario {
                    trail_s,
                    ..Default::default()
                },
            ],
            // Traffic past the first satellite's LOS: the UE is connected when it sets.
            traffic: TrafficScenario {
                exchanges: 200,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Parse TOML and check every value ([`E2eScenario::validate`]).
    pub fn from_toml(text: &str) -> Result<Self, E2eError> {
        let sc: Self = toml::from_str(text).map_err(|e| E2eError::Scenario(e.to_string()))?;
        sc.validate()?;
        Ok(sc)
    }

    /// [`E2eScenario::from_toml`] of the text of `file`, whose name every error then starts
    /// with (`scenario.toml: [ue] position[0] = 91: latitude must be within ±90°`).
    pub fn from_toml_file_text(text: &str, file: &str) -> Result<Self, E2eError> {
        let sc: Self =
            toml::from_str(text).map_err(|e| E2eError::Scenario(format!("{file}: {e}")))?;
        sc.validate().map_err(|e| match e {
            E2eError::Invalid(v) => E2eError::Invalid(v.in_file(file)),
            other => other,
        })?;
        Ok(sc)
    }

    /// Check every number (finite, physical range) and every cross-field rule before a run:
    /// ground positions (latitude ±90°, longitude ±180°, height −500 m … 20 km), carriers in
    /// one NTN band, elevation mask 0…90°, positive periods and spans, repetitions the
    /// stacks can signal, a traffic size the data path carries
    /// (1 ≤ `bytes` ≤ [`MAX_TRAFFIC_BYTES`]), satellites that exist.
    pub fn validate(&self) -> Result<(), E2eError> {
        use ntn_types::validate::{
            ELEVATION_MASK_DEG, ground_position, non_negative, ntn_band, positive, within,
        };
        let int = |key: &str, v: u64, lo: u64, hi: u64, why: &str| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(InvalidValue::new(key, v, why))
            }
        };
        if let Some(s) = &self.start {
            s.parse::<UtcTime>()
                .map_err(|e| InvalidValue::new("start", format!("{s:?}"), e.to_string()))?;
        }
        if let Some(d) = self.duration_s {
            within(
                "duration_s",
                d,
                1e-3..=MAX_SPAN_S,
                "a run spans more than 0 s and at most one day",
            )?;
        }
        ntn_band("dl_hz", self.dl_hz, "ul_hz", self.ul_hz)?;
        within(
            "min_elevation_deg",
            self.min_elevation_deg,
            ELEVATION_MASK_DEG,
            "the elevation mask must be within 0…90°",
        )?;
        if LinkChannelModel::from_name(&self.channel).is_none() {
            let names: Vec<&str> = LinkChannelModel::ALL.iter().map(|m| m.name()).collect();
            return Err(InvalidValue::new(
                "channel",
                format!("{:?}", self.channel),
                format!("use one of {}", names.join(", ")),
            )
            .into());
        }
        match (self.stack.as_str(), self.level) {
            ("full", _) | ("probe", Level::Link) => {}
            ("probe", Level::Sample) => {
                return Err(InvalidValue::new(
                    "stack",
                    "\"probe\"",
                    "level \"sample\" models the receivers of the full stacks: use stack = \"full\"",
                )
                .into());
            }
            (other, _) => {
                return Err(InvalidValue::new(
                    "stack",
                    format!("{other:?}"),
                    "use \"full\" or \"probe\"",
                )
                .into());
            }
        }
        if self.satellites.is_empty() {
            return Err(
                InvalidValue::new("satellites", "[]", "give at least one satellite").into(),
            );
        }
        for (i, s) in self.satellites.iter().enumerate() {
            let at = format!("[[satellites]] {}", i + 1);
            let key = |k: &str| format!("{at} {k}");
            if s.tle.is_none() && bundled(&s.name).is_none() {
                return Err(InvalidValue::new(
                    key("name"),
                    format!("{:?}", s.name),
                    "no bundled element set has this name; give tle = [line1, line2]",
                )
                .into());
            }
            match (s.payload.as_str(), s.gateway) {
                ("regenerative", None) => {}
                ("regenerative", Some(_)) => {
                    return Err(InvalidValue::new(
                        key("gateway"),
                        "[…]",
                        "a regenerative payload has no gateway: drop it or use payload = \"transparent\"",
                    )
                    .into());
                }
                ("transparent", Some(g)) => {
                    ground_position(&key("gateway"), g)?;
                }
                ("transparent", None) => {
                    return Err(InvalidValue::new(
                        key("payload"),
                        "\"transparent\"",
                        "a transparent payload needs gateway = [lat°, lon°, height m]",
                    )
                    .into());
                }
                (p, _) => {
                    return Err(InvalidValue::new(
                        key("payload"),
                        format!("{p:?}"),
                        "use \"regenerative\" or \"transparent\"",
                    )
                    .into());
                }
            }
            within(
                &key("trail_s"),
                s.trail_s,
                -MAX_SPAN_S..=MAX_SPAN_S,
                "a trailing satellite is at most one day behind or ahead",
            )?;
        }
        let u = &self.ue;
        ground_position("[ue] position", u.position)?;
        within(
            "[ue] gnss_error_std_m",
            u.gnss_error_std_m,
            0.0..=100e3,
            "a GNSS error std must be within 0 … 100 km",
        )?;
        within(
            "[ue] gnss_period_s",
            u.gnss_period_s,
            1e-3..=3600.0,
            "the GNSS update period must be within 1 ms … 1 h",
        )?;
        within(
            "[ue] tx_power_dbm",
            u.tx_power_dbm,
            -50.0..=50.0,
            "a terminal transmits within −50 … 50 dBm",
        )?;
        for (k, v) in [
            ("[ue] prach_repetitions", u.prach_repetitions),
            ("[ue] pusch_repetitions", u.pusch_repetitions),
        ] {
            if !(v.is_power_of_two() && v <= 128) {
                return Err(
                    InvalidValue::new(k, v, "repetitions are 1, 2, 4, … 128 (TS 36.213)").into(),
                );
            }
        }
        int(
            "[ue] max_ra_attempts",
            u64::from(u.max_ra_attempts),
            1,
            200,
            "preamble attempts are 1 … 200 (preambleTransMax-CE, TS 36.331)",
        )?;
        within(
            "[ue] rlf_timeout_s",
            u.rlf_timeout_s,
            1e-3..=3600.0,
            "the radio-link-failure timeout must be within 1 ms … 1 h",
        )?;
        let c = &self.cell;
        within(
            "[cell] tx_power_dbm",
            c.tx_power_dbm,
            -50.0..=120.0,
            "a cell transmits within −50 … 120 dBm",
        )?;
        within(
            "[cell] sib31_period_s",
            c.sib31_period_s,
            0.01..=3600.0,
            "the SIB31 period must be within 10 ms … 1 h",
        )?;
        int(
            "[cell] k_offset_ms",
            u64::from(c.k_offset_ms),
            0,
            1023,
            "K_offset is 0 … 1023 ms (TS 36.331)",
        )?;
        int(
            "[cell] ul_sync_validity_s",
            u64::from(c.ul_sync_validity_s),
            1,
            900,
            "ul-SyncValidityDuration is at most 900 s (TS 36.331)",
        )?;
        int(
            "[cell] dl_repetitions",
            u64::from(c.dl_repetitions),
            1,
            2048,
            "NPDSCH repetitions are 1 … 2048 (TS 36.213)",
        )?;
        if let Some(b) = c.beam_centre {
            ground_position("[cell] beam_centre", b)?;
        }
        let t = &self.traffic;
        int(
            "[traffic] bytes",
            u64::from(t.bytes),
            MIN_TRAFFIC_BYTES.into(),
            MAX_TRAFFIC_BYTES.into(),
            &format!(
                "a block carries a {MIN_TRAFFIC_BYTES}-byte stamp and fits one SRB1bis RLC SDU \
                 with its NAS, RRC and PDCP headers: {MIN_TRAFFIC_BYTES} … {MAX_TRAFFIC_BYTES} bytes"
            ),
        )?;
        within(
            "[traffic] period_s",
            t.period_s,
            1e-3..=MAX_SPAN_S,
            "the traffic period must be within 1 ms … 1 day",
        )?;
        let r = &self.radio;
        for (k, v) in [
            ("[radio] sat_tx_gain_dbi", r.sat_tx_gain_dbi),
            ("[radio] sat_g_over_t_db_k", r.sat_g_over_t_db_k),
            ("[radio] ue_gain_dbi", r.ue_gain_dbi),
            ("[radio] ue_noise_figure_db", r.ue_noise_figure_db),
            ("[radio] shadow_margin_db", r.shadow_margin_db),
            ("[radio] other_loss_db", r.other_loss_db),
        ] {
            within(k, v, -100.0..=100.0, "must be within ±100 dB")?;
        }
        positive("[radio] sat_aperture_radius_m", r.sat_aperture_radius_m)?;
        positive(
            "[radio] ue_antenna_temperature_k",
            r.ue_antenna_temperature_k,
        )?;
        non_negative("[radio] ue_noise_figure_db", r.ue_noise_figure_db)?;
        within(
            "sample_every_s",
            self.sample_every_s,
            1.0..=MAX_SPAN_S,
            "sample-level checks run every 1 s … 1 day",
        )?;
        Ok(())
    }
}

/// The longest run a scenario may ask for, seconds (one day).
pub const MAX_SPAN_S: f64 = 86_400.0;

/// The smallest traffic block, bytes: the send-time stamp and sequence number the report's
/// latency figures read back.
pub const MIN_TRAFFIC_BYTES: u32 = 12;

/// The largest traffic block, bytes. Uplink data goes over NAS (ESM DATA TRANSPORT, user data
/// container LV-E: at most 65 535 octets) in an RRC UL information transfer on SRB1bis, whose
/// RLC SDUs hold at most 2000 octets here ([`ntn_stack::link::srb1bis_rlc_config`]); 100
/// octets are left for the NAS security and ESM headers, the RRC message and the PDCP
/// header and MAC-I.
pub const MAX_TRAFFIC_BYTES: u32 = 1900;

/// Why a scenario cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum E2eError {
    /// Bad scenario.
    #[error("scenario: {0}")]
    Scenario(String),
    /// A value of the scenario is out of range or inconsistent.
    #[error("scenario: {0}")]
    Invalid(#[from] InvalidValue),
    /// Engine.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Curves.
    #[error(transparent)]
    Curve(#[from] CurveError),
    /// A stack refused its configuration.
    #[error("stack: {0}")]
    Stack(String),
}

fn site(p: [f64; 3]) -> GroundSite {
    GroundSite::from_degrees(p[0], p[1], p[2])
}

fn bundled(name: &str) -> Option<[String; 2]> {
    let lines: Vec<&str> = BUNDLED_TLE.lines().map(str::trim_end).collect();
    let i = lines.iter().position(|l| l.trim() == name)?;
    Some([lines.get(i + 1)?.to_string(), lines.get(i + 2)?.to_string()])
}

/// The satellites of a scenario (true orbits).
pub fn satellites(sc: &E2eScenario) -> Result<Vec<Satellite>, E2eError> {
    let bad = |m: String| E2eError::Scenario(m);
    let mut out = Vec::new();
    for s in &sc.satellites {
        let tle = match &s.tle {
            Some(t) => t.clone(),
            None => {
                bundled(&s.name).ok_or_else(|| bad(format!("no bundled element set {}", s.name)))?
            }
        };
        let mut el =
            parse_tle(Some(&s.name), &tle[0], &tle[1], None).map_err(|e| bad(e.to_string()))?;
        if s.trail_s != 0.0 {
            // Same orbit, later: the mean anomaly is behind by n·Δt.
            let deg = el.mean_motion * 360.0 / 86_400.0 * s.trail_s;
            el.mean_anomaly = (el.mean_anomaly - deg).rem_euclid(360.0);
        }
        out.push(Satellite::new(el).map_err(|e| bad(e.to_string()))?);
    }
    if out.is_empty() {
        return Err(bad("no satellite".into()));
    }
    Ok(out)
}

/// Start and span of a scenario's run.
pub fn window(sc: &E2eScenario, sats: &[Satellite]) -> Result<(UtcTime, f64), E2eError> {
    let eop = ntn_orbit::eop::bundled_at(sats[0].epoch());
    let ue = site(sc.ue.position);
    let first = &sats[0];
    let search = |sat: &Satellite, from: UtcTime| {
        PassSearch {
            site: ue,
            mask_deg: sc.min_elevation_deg,
            start: from,
            end: from.add_secs(3.0 * 86_400.0),
            eop,
        }
        .run(sat)
        .passes
        .into_iter()
        .find(|p| p.max_elevation_deg >= 30.0 || p.aos_at_window_start)
    };
    let start = match &sc.start {
        Some(s) => s
            .parse::<UtcTime>()
            .map_err(|e| E2eError::Scenario(format!("start {s}: {e}")))?,
        None => {
            let p = search(first, first.epoch())
                .ok_or_else(|| E2eError::Scenario("no pass above 30° within 3 days".into()))?;
            if p.aos_at_window_start {
                first.epoch()
            } else {
                p.aos.add_secs(-60.0)
            }
        }
    };
    let span = match sc.duration_s {
        Some(d) => d,
        None => {
            let mut end = start.add_secs(120.0);
            for s in sats {
                // A pass already under way at `start` counts too: it is simulated to its LOS.
                if let Some(p) = search(s, start)
                    && !p.los_at_window_end
                {
                    end = end.max(p.los.add_secs(60.0));
                }
            }
            end.secs_since(start)
        }
    };
    if !(span.is_finite() && span > 0.0 && span < 86_400.0) {
        return Err(E2eError::Scenario(format!("duration {span} s")));
    }
    Ok((start, span))
}

/// Run a scenario. `progress(simulated_s, total_s)` is called about once per simulated
/// second of progress granularity `chunk_s` (the CLI measures the speed-up with it).
pub fn run(sc: &E2eScenario, progress: &mut dyn FnMut(f64, f64)) -> Result<E2eReport, E2eError> {
    sc.validate()?;
    let sats = satellites(sc)?;
    let (origin, span_s) = window(sc, &sats)?;
    let eop = ntn_orbit::eop::bundled_at(origin.add_secs(0.5 * span_s));
    check_feeder_links(sc, &sats, origin, span_s, eop)?;
    let tb = TimeBase::new(origin);
    let ue_site = site(sc.ue.position);
    let (f_dl, f_ul) = (Hz(sc.dl_hz), Hz(sc.ul_hz));
    let mut specs = Vec::new();
    for (s, sat) in sc.satellites.iter().zip(&sats) {
        let payload = match (s.payload.as_str(), s.gateway) {
            ("regenerative", _) => Payload::Regenerative,
            ("transparent", Some(g)) => Payload::Transparent {
                gateway: site(g),
                feeder_carrier: Hz(20e9),
                feeder_doppler_compensation: true,
            },
            (p, g) => {
                return Err(E2eError::Scenario(format!(
                    "payload {p} with gateway {g:?}: use regenerative, or transparent with a gateway"
                )));
            }
        };
        specs.push(SatelliteSpec {
            satellite: sat.clone(),
            payload,
        });
    }
    let model = LinkChannelModel::from_name(&sc.channel).ok_or_else(|| {
        let names: Vec<&str> = LinkChannelModel::ALL.iter().map(|m| m.name()).collect();
        E2eError::Scenario(format!(
            "channel {}: use one of {}",
            sc.channel,
            names.join(", ")
        ))
    })?;
    let mut engine = Engine::new(
        EngineConfig {
            origin,
            eop,
            f_dl,
            f_ul,
            radio: sc.radio.clone(),
            seed: sc.seed,
            min_elevation_deg: sc.min_elevation_deg,
            record_deliveries: true,
            phy: match sc.level {
                Level::Link => PhyLevel::Link,
                Level::Sample => PhyLevel::Sample,
            },
        },
        specs.clone(),
        LinkAbstraction::bundled_for(model)?,
    )?;
    engine
        .set_fading(model.tdl_config(Hz(crate::engine::sample::SAMPLE_RATE_HZ)))
        .map_err(|e| E2eError::Scenario(format!("channel {}: {e}", sc.channel)))?;
    if sc.level == Level::Sample && sc.stack != "full" {
        return Err(E2eError::Scenario(
            "level sample models the receivers of the full stacks: use stack = \"full\"".into(),
        ));
    }
    match sc.stack.as_str() {
        "probe" => add_probe_nodes(sc, &mut engine, &specs, tb, eop, ue_site)?,
        "full" => add_stack_nodes(sc, &mut engine, &specs, tb, ue_site)?,
        other => {
            return Err(E2eError::Scenario(format!(
                "stack {other}: use full or probe"
            )));
        }
    }
    let end = Instant::ZERO + Duration::from_secs_f64(span_s);
    let mut t = 0.0;
    while t < span_s {
        t = (t + 10.0).min(span_s);
        engine.run_until(Instant::ZERO + Duration::from_secs_f64(t))?;
        progress(t, span_s);
    }
    engine.run_until(end)?;
    let samples = if sc.level == Level::Sample {
        sample_checks(sc, &sats[0], ue_site, origin, span_s, &engine)?
    } else {
        Vec::new()
    };
    Ok(E2eReport::build(sc, origin, span_s, &engine, samples))
}

/// A transparent payload's gateway must see its satellite (above the elevation mask) at some
/// time the terminal does, or the run would have no feeder link at all: that is an error
/// naming the gateway. (Moments when only the gateway has lost the satellite are outages the
/// engine counts: nothing is delivered through it.) Checked every 10 s of the run.
fn check_feeder_links(
    sc: &E2eScenario,
    sats: &[Satellite],
    origin: UtcTime,
    span_s: f64,
    eop: EarthOrientation,
) -> Result<(), E2eError> {
    const STEP_S: f64 = 10.0;
    let ue = site(sc.ue.position);
    let mask = sc.min_elevation_deg;
    let above = |s: &GroundSite, st: &ntn_orbit::StateVector<ntn_orbit::Ecef>| {
        s.look(st).elevation.rad().to_degrees() >= mask
    };
    for (i, (s, sat)) in sc.satellites.iter().zip(sats).enumerate() {
        let Some(g) = s.gateway.filter(|_| s.payload == "transparent") else {
            continue;
        };
        let gw = site(g);
        // span_s ≤ one day (validated): at most 8641 steps.
        let steps = (span_s / STEP_S).ceil() as u64;
        let (mut ue_sees, mut both_see) = (false, false);
        for k in 0..=steps {
            let t = origin.add_secs((k as f64 * STEP_S).min(span_s));
            let st = sat.state_ecef(t, &eop).map_err(EngineError::from)?;
            if above(&ue, &st) {
                ue_sees = true;
                if above(&gw, &st) {
                    both_see = true;
                    break;
                }
            }
        }
        if ue_sees && !both_see {
            return Err(InvalidValue::new(
                format!("[[satellites]] {} gateway", i + 1),
                format!("{g:?}"),
                format!(
                    "the gateway never sees the satellite above {mask}° while the terminal \
                     does: the run would have no feeder link"
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// Sample-level DL cell search along the run at the SNR of the link budget.
fn sample_checks(
    sc: &E2eScenario,
    sat: &Satellite,
    ue: GroundSite,
    origin: UtcTime,
    span_s: f64,
    engine: &Engine,
) -> Result<Vec<DlProbeResult>, E2eError> {
    let mut out = Vec::new();
    let step = sc.sample_every_s.max(1.0);
    let mut k = 0u64;
    loop {
        let t = k as f64 * step;
        if t > span_s - 0.05 {
            break;
        }
        k += 1;
        // SNR over 180 kHz from the recorded MIB deliveries nearest to t.
        let snr = engine
            .deliveries()
            .iter()
            .filter(|d| d.channel == ntn_stack::air::NbChannel::Npbch && d.from == 0)
            .min_by(|a, b| (a.t_s - t).abs().total_cmp(&(b.t_s - t).abs()))
            .filter(|d| (d.t_s - t).abs() < 1.0)
            .map(|d| d.snr_db);
        let Some(snr_db) = snr else { continue };
        let mut probe = DlProbe::new(DlProbeConfig {
            carrier: Hz(sc.dl_hz),
            snr_db,
            seed: sc.seed.wrapping_add(k),
            ..Default::default()
        })
        .map_err(|e| E2eError::Scenario(e.to_string()))?;
        out.push(
            probe
                .run(sat, ue, origin.add_secs(t))
                .map_err(|e| E2eError::Scenario(e.to_string()))?,
        );
    }
    Ok(out)
}

/// The link-level probe cell(s) and UE.
fn add_probe_nodes(
    sc: &E2eScenario,
    engine: &mut Engine,
    specs: &[SatelliteSpec],
    tb: TimeBase,
    eop: EarthOrientation,
    ue_site: GroundSite,
) -> Result<(), E2eError> {
    let (f_dl, f_ul) = (Hz(sc.dl_hz), Hz(sc.ul_hz));
    for (i, spec) in specs.iter().enumerate() {
        let cell = ProbeCell::new(ProbeCellConfig {
            cell_id: i as u8 + 1,
            satellite: spec.satellite.clone(),
            gateway: match spec.payload {
                Payload::Transparent { gateway, .. } => Some(gateway),
                Payload::Regenerative => None,
            },
            beam_centre: Some(site(sc.cell.beam_centre.unwrap_or(sc.ue.position))),
            time_base: tb,
            eop,
            f_dl,
            tx_power_dbm: sc.cell.tx_power_dbm,
            sib31_period: Duration::from_secs_f64(sc.cell.sib31_period_s),
            k_offset_ms: sc.cell.k_offset_ms,
            ul_sync_validity_s: sc.cell.ul_sync_validity_s,
            dl_repetitions: sc.cell.dl_repetitions,
        });
        engine.add_node(NodeRole::Cell { satellite: i }, Box::new(cell))?;
    }
    let ue = ProbeUe::new(ProbeUeConfig {
        site: ue_site,
        ntn: NtnConfig {
            precompensate: sc.precompensation,
            ..Default::default()
        },
        time_base: tb,
        f_dl,
        f_ul,
        tx_power_dbm: sc.ue.tx_power_dbm,
        gnss_error_std_m: sc.ue.gnss_error_std_m,
        gnss_period: Duration::from_secs_f64(sc.ue.gnss_period_s),
        prach_repetitions: sc.ue.prach_repetitions,
        pusch_repetitions: sc.ue.pusch_repetitions,
        max_ra_attempts: sc.ue.max_ra_attempts,
        exchanges: sc.traffic.exchanges,
        data_bytes: sc.traffic.bytes,
        data_period: Duration::from_secs_f64(sc.traffic.period_s),
        rlf_timeout: Duration::from_secs_f64(sc.ue.rlf_timeout_s),
        seed: sc.seed ^ 0x5eed_0000_0000_0001,
    });
    engine.add_node(NodeRole::Ue { site: ue_site }, Box::new(ue))?;
    Ok(())
}

fn site_deg(p: [f64; 3]) -> SiteDeg {
    SiteDeg {
        lat_deg: p[0],
        lon_deg: p[1],
        alt_m: p[2],
    }
}

/// `CellStack` per satellite and one `UeStack`.
fn add_stack_nodes(
    sc: &E2eScenario,
    engine: &mut Engine,
    specs: &[SatelliteSpec],
    tb: TimeBase,
    ue_site: GroundSite,
) -> Result<(), E2eError> {
    for (i, (spec, s)) in specs.iter().zip(&sc.satellites).enumerate() {
        let cfg = CellConfig {
            cell_id: i as u32 + 1,
            f_dl_hz: sc.dl_hz,
            f_ul_hz: sc.ul_hz,
            payload: match (spec.payload, s.gateway) {
                (Payload::Transparent { .. }, Some(g)) => StackPayload::Transparent {
                    gateway: site_deg(g),
                },
                _ => StackPayload::Regenerative,
            },
            k_offset_ms: sc.cell.k_offset_ms,
            ul_sync_validity_s: sc.cell.ul_sync_validity_s as u16,
            beam_centre: Some(site_deg(sc.cell.beam_centre.unwrap_or(sc.ue.position))),
            tx_power_dbm: sc.cell.tx_power_dbm,
            dl_repetitions_per_ce: {
                let r = sc.cell.dl_repetitions.max(1);
                [r, r.saturating_mul(4), r.saturating_mul(16)]
            },
            ..CellConfig::default()
        };
        let cell = CellStack::new(cfg, spec.satellite.clone(), tb)
            .map_err(|e| E2eError::Stack(e.to_string()))?;
        engine.add_node(
            NodeRole::Cell { satellite: i },
            Box::new(CellNode::new(cell)),
        )?;
    }
    let ue = UeStack::new(
        UeConfig {
            f_dl_hz: sc.dl_hz,
            f_ul_hz: sc.ul_hz,
            ntn: NtnConfig {
                precompensate: sc.precompensation,
                ..Default::default()
            },
            traffic: StackTraffic {
                exchanges: sc.traffic.exchanges,
                interval_s: sc.traffic.period_s,
                bytes: sc.traffic.bytes as usize,
            },
            seed: sc.seed,
            p_max_dbm: sc.ue.tx_power_dbm,
            rlf_timeout_s: sc.ue.rlf_timeout_s,
            // SIB2-NB's nrs-Power: the cell's EIRP per resource element.
            nrs_power_dbm: sc.cell.tx_power_dbm + sc.radio.sat_tx_gain_dbi - 10.0 * 12f64.log10(),
            // kT_sys in 15 kHz (T_sys from the terminal's antenna temperature and NF).
            noise_per_re_dbm: -228.6 + 30.0
                - crate::link_budget::g_over_t(
                    0.0,
                    sc.radio.ue_antenna_temperature_k,
                    sc.radio.ue_noise_figure_db,
                )
                + 10.0 * 15e3f64.log10(),
            ..UeConfig::default()
        },
        tb,
    );
    let gnss = Gnss::new(
        ue_site,
        sc.ue.gnss_error_std_m,
        Duration::from_secs_f64(sc.ue.gnss_period_s),
        sc.seed ^ 0x9e55_0000_0000_0001,
    );
    engine.add_node(
        NodeRole::Ue { site: ue_site },
        Box::new(UeNode::new(ue, gnss)),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> InvalidValue {
        match E2eScenario::from_toml_file_text(text, "scenario.toml") {
            Err(E2eError::Invalid(v)) => v,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn bundled_scenarios_and_presets_are_valid() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/scenarios");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                E2eScenario::from_toml_file_text(&text, &path.display().to_string())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                n += 1;
            }
        }
        assert!(n >= 4, "{n} scenarios under {}", dir.display());
        for sc in [
            E2eScenario::default(),
            E2eScenario::geo(),
            E2eScenario::two_satellites(540.0),
        ] {
            sc.validate().unwrap_or_else(|e| panic!("{}: {e}", sc.name));
        }
    }

    #[test]
    fn impossible_positions_name_file_key_and_value() {
        let e = invalid("[ue]\nposition = [91.0, 0.0, 0.0]\n");
        assert_eq!(
            e.to_string(),
            "scenario.toml: [ue] position[0] = 91: latitude must be within ±90°"
        );
        let e = invalid("[ue]\nposition = [45.0, -73.0, -1e9]\n");
        assert_eq!(e.key, "[ue] position[2]");
        let e = invalid("[cell]\nbeam_centre = [45.0, 200.0, 0.0]\n");
        assert_eq!(e.key, "[cell] beam_centre[1]");
        let e = invalid(
            "[[satellites]]\nname = \"CBERS 2\"\npayload = \"transparent\"\ngateway = [nan, 0.0, 0.0]\n",
        );
        assert_eq!(e.key, "[[satellites]] 1 gateway[0]");
        assert_eq!(e.value, "NaN");
    }

    #[test]
    fn non_finite_numbers_are_refused_with_their_key() {
        for (text, key) in [
            ("duration_s = nan\n", "duration_s"),
            ("duration_s = inf\n", "duration_s"),
            ("dl_hz = nan\n", "dl_hz"),
            ("ul_hz = -inf\n", "ul_hz"),
            ("min_elevation_deg = nan\n", "min_elevation_deg"),
            ("sample_every_s = inf\n", "sample_every_s"),
            ("[ue]\ngnss_error_std_m = nan\n", "[ue] gnss_error_std_m"),
            ("[ue]\ntx_power_dbm = inf\n", "[ue] tx_power_dbm"),
            ("[ue]\nrlf_timeout_s = nan\n", "[ue] rlf_timeout_s"),
            ("[cell]\ntx_power_dbm = nan\n", "[cell] tx_power_dbm"),
            ("[cell]\nsib31_period_s = inf\n", "[cell] sib31_period_s"),
            ("[traffic]\nperiod_s = nan\n", "[traffic] period_s"),
            ("[radio]\nue_gain_dbi = nan\n", "[radio] ue_gain_dbi"),
            (
                "[radio]\nue_antenna_temperature_k = inf\n",
                "[radio] ue_antenna_temperature_k",
            ),
        ] {
            let e = invalid(text);
            assert_eq!(e.key, key, "{text}");
            assert!(e.to_string().starts_with("scenario.toml: "), "{e}");
        }
    }

    #[test]
    fn inconsistent_values_are_refused() {
        // DL in n256, UL in n255.
        assert_eq!(invalid("ul_hz = 1640e6\n").key, "dl_hz");
        assert_eq!(
            invalid("min_elevation_deg = 95.0\n").key,
            "min_elevation_deg"
        );
        assert_eq!(
            invalid("min_elevation_deg = -5.0\n").key,
            "min_elevation_deg"
        );
        assert_eq!(invalid("duration_s = -10.0\n").key, "duration_s");
        assert_eq!(invalid("start = \"tomorrow\"\n").key, "start");
        assert_eq!(invalid("channel = \"tdl-z\"\n").key, "channel");
        assert_eq!(
            invalid("level = \"sample\"\nstack = \"probe\"\n").key,
            "stack"
        );
        assert_eq!(
            invalid("[[satellites]]\nname = \"CBERS 2\"\npayload = \"transparent\"\n").key,
            "[[satellites]] 1 payload"
        );
        assert_eq!(
            invalid("[[satellites]]\nname = \"no such satellite\"\n").key,
            "[[satellites]] 1 name"
        );
        assert_eq!(
            invalid("[ue]\nprach_repetitions = 3\n").key,
            "[ue] prach_repetitions"
        );
        assert_eq!(
            invalid("[cell]\nk_offset_ms = 5000\n").key,
            "[cell] k_offset_ms"
        );
        assert_eq!(
            invalid("[radio]\nsat_aperture_radius_m = 0.0\n").key,
            "[radio] sat_aperture_radius_m"
        );
    }

    #[test]
    fn a_traffic_size_nas_cannot_carry_is_refused_at_the_edge() {
        // 70 kB once panicked deep in the NAS encoder (an LV-E length over 65 535).
        let e = invalid("[traffic]\nbytes = 70000\n");
        assert_eq!(e.key, "[traffic] bytes");
        assert_eq!(e.value, "70000");
        assert!(e.reason.contains(&MAX_TRAFFIC_BYTES.to_string()), "{e}");
        let mut sc = E2eScenario::default();
        sc.traffic.bytes = 70_000;
        assert!(matches!(
            run(&sc, &mut |_, _| {}),
            Err(E2eError::Invalid(v)) if v.key == "[traffic] bytes"
        ));
        assert!(
            E2eScenario::from_toml(&format!("[traffic]\nbytes = {MAX_TRAFFIC_BYTES}\n")).is_ok()
        );
    }

    #[test]
    fn a_gateway_that_never_sees_the_satellite_is_refused() {
        let mut sc = E2eScenario::default();
        sc.satellites[0].payload = "transparent".into();
        // The antipode of Montréal: the feeder link would cross the Earth.
        sc.satellites[0].gateway = Some([-45.5, 106.4, 0.0]);
        match run(&sc, &mut |_, _| {}) {
            Err(E2eError::Invalid(v)) => {
                assert_eq!(v.key, "[[satellites]] 1 gateway");
                assert!(v.reason.contains("never sees the satellite"), "{v}");
            }
            other => panic!("{other:?}"),
        }
        // The bundled transparent scenario's Ottawa gateway passes the same check.
        let text = include_str!("../../assets/scenarios/leo-transparent.toml");
        let sc = E2eScenario::from_toml(text).unwrap();
        let sats = satellites(&sc).unwrap();
        let (origin, span_s) = window(&sc, &sats).unwrap();
        check_feeder_links(&sc, &sats, origin, span_s, EarthOrientation::default()).unwrap();
    }

    #[test]
    fn unknown_keys_are_errors() {
        for text in [
            "nmae = \"typo\"\n",
            "[ue]\npositon = [45.0, -73.0, 0.0]\n",
            "[radio]\nue_gain_db = 0.0\n",
            "[[satellites]]\nname = \"CBERS 2\"\ngw = [45.0, -75.0, 0.0]\n",
        ] {
            let e = E2eScenario::from_toml_file_text(text, "s.toml").unwrap_err();
            assert!(e.to_string().contains("unknown field"), "{text}: {e}");
            assert!(e.to_string().contains("s.toml"), "{text}: {e}");
        }
        // The same types read from JSON refuse unknown keys as well.
        for json in [
            r#"{"nmae": "typo"}"#,
            r#"{"ue": {"positon": [45.0, -73.0, 0.0]}}"#,
            r#"{"traffic": {"byte": 10}}"#,
        ] {
            let e = serde_json::from_str::<E2eScenario>(json).unwrap_err();
            assert!(e.to_string().contains("unknown field"), "{json}: {e}");
        }
        let e =
            serde_json::from_str::<crate::scenario::ChannelScenario>(r#"{"orbit": {"gw": []}}"#)
                .unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }
}
