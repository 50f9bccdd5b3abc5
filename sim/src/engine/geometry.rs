//! The true geometry of one terminal ↔ satellite (↔ gateway) link at a transmit instant:
//! light-time delay solved at the receive time, Doppler from the derivative of the carrier
//! phase along the path (so it is whatever the orbit makes it), elevation and slant range for
//! the link budget. Everything comes from [`OrbitPathConfig::point`] and the SGP4 state: the
//! engine never uses a formula the stacks could share.

use crate::channel::propagation::{Direction, OrbitPathConfig, Payload};
use crate::link_budget::{Direction as BudgetDirection, LinkBudgetConfig};
use ntn_orbit::{EarthOrientation, GroundSite, PropagationError, Satellite, UtcTime};
use ntn_types::{Degrees, Hz, Metres, Radians};
use serde::{Deserialize, Serialize};

/// Radio parameters of the two ends, for the link budget along the geometry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RadioParams {
    /// Satellite transmit antenna gain, dBi (EIRP = cell tx power + this).
    pub sat_tx_gain_dbi: f64,
    /// Satellite receive G/T, dB/K.
    pub sat_g_over_t_db_k: f64,
    /// Satellite antenna aperture radius, m (beam pattern; boresight assumed on the UE).
    pub sat_aperture_radius_m: f64,
    /// Terminal antenna gain, dBi.
    pub ue_gain_dbi: f64,
    /// Terminal antenna temperature, K.
    pub ue_antenna_temperature_k: f64,
    /// Terminal noise figure, dB.
    pub ue_noise_figure_db: f64,
    /// Shadowing margin, dB.
    pub shadow_margin_db: f64,
    /// Apply TR 38.811 scintillation loss.
    pub scintillation: bool,
    /// Other losses (polarisation, body), dB.
    pub other_loss_db: f64,
}

impl Default for RadioParams {
    /// TR 38.821 SC9 (S-band LEO, handheld) numbers for NB-IoT: satellite EIRP density
    /// 34 dBW/MHz → 26.6 dBW in 180 kHz with a cell power of 26.6 dBW = 56.6 dBm and 0 dBi here
    /// (the gain is in the EIRP density), satellite G/T 1.1 dB/K; handheld 0 dBi, 290 K,
    /// NF 7 dB; 3 dB shadow margin; scintillation on.
    fn default() -> Self {
        RadioParams {
            sat_tx_gain_dbi: 0.0,
            sat_g_over_t_db_k: 1.1,
            sat_aperture_radius_m: 1.0,
            ue_gain_dbi: 0.0,
            ue_antenna_temperature_k: 290.0,
            ue_noise_figure_db: 7.0,
            shadow_margin_db: 3.0,
            scintillation: true,
            other_loss_db: 0.0,
        }
    }
}

/// The truth of a link at one transmission.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkTruth {
    /// Total light-time delay (service + feeder), s.
    pub delay_s: f64,
    /// Service-link Doppler at the receive time on this direction's carrier, Hz (plus the
    /// feeder link's when the gateway does not compensate it).
    pub doppler_hz: f64,
    /// Elevation of the satellite at the terminal, degrees.
    pub elevation_deg: f64,
    /// Slant range terminal ↔ satellite, m.
    pub range_m: f64,
    /// Satellite altitude, m.
    pub altitude_m: f64,
    /// Gateway elevation (transparent payload), degrees.
    pub gateway_elevation_deg: Option<f64>,
}

/// One terminal ↔ satellite pair, both directions.
#[derive(Clone, Debug)]
pub struct LinkGeometry {
    dl: OrbitPathConfig,
    ul: OrbitPathConfig,
    satellite: Satellite,
    ue: GroundSite,
    gateway: Option<GroundSite>,
    eop: EarthOrientation,
}

/// Half-width of the central difference that turns carrier phase into Doppler, s.
const DOPPLER_H_S: f64 = 5e-3;

impl LinkGeometry {
    /// The pair; `payload` and carriers as the scenario gives them.
    pub fn new(
        satellite: Satellite,
        ue: GroundSite,
        payload: Payload,
        f_dl: Hz,
        f_ul: Hz,
        origin: UtcTime,
        eop: EarthOrientation,
    ) -> Self {
        let mk = |direction, carrier| OrbitPathConfig {
            satellite: satellite.clone(),
            ue,
            payload,
            direction,
            carrier,
            origin,
            sample_rate: Hz(1.92e6),
            eop,
            grid_step: crate::channel::propagation::DEFAULT_GRID_STEP,
            dl_reference_point: None,
            interp_half_length: 8,
        };
        let gateway = match payload {
            Payload::Transparent { gateway, .. } => Some(gateway),
            Payload::Regenerative => None,
        };
        LinkGeometry {
            dl: mk(Direction::Downlink, f_dl),
            ul: mk(Direction::Uplink, f_ul),
            satellite,
            ue,
            gateway,
            eop,
        }
    }

    /// Truth of a transmission emitted at UTC `t_tx` in direction `dir`.
    pub fn at_emission(
        &self,
        dir: Direction,
        t_tx: UtcTime,
    ) -> Result<LinkTruth, PropagationError> {
        let path = match dir {
            Direction::Downlink => &self.dl,
            Direction::Uplink => &self.ul,
        };
        // Receive time t_rx = t_tx + τ(t_rx): fixed point (contracts by |dτ/dt| ≈ 2·10⁻⁵).
        let mut tau = path.point(t_tx.add_secs(0.0))?.delay_s;
        for _ in 0..3 {
            tau = path.point(t_tx.add_secs(tau))?.delay_s;
        }
        let t_rx = t_tx.add_secs(tau);
        let p_plus = path.point(t_rx.add_secs(DOPPLER_H_S))?.phase_cycles;
        let p_minus = path.point(t_rx.add_secs(-DOPPLER_H_S))?.phase_cycles;
        // The received carrier is exp(−j2πψ): frequency −dψ/dt.
        let doppler_hz = -(p_plus - p_minus) / (2.0 * DOPPLER_H_S);
        let s = self.satellite.state_ecef(t_tx, &self.eop)?;
        let look = self.ue.look(&s);
        let gateway_elevation_deg = self.gateway.map(|g| g.look(&s).elevation.to_degrees().0);
        Ok(LinkTruth {
            delay_s: tau,
            doppler_hz,
            elevation_deg: look.elevation.to_degrees().0,
            range_m: look.range.m(),
            altitude_m: s.r_m().length() - 6_371e3,
            gateway_elevation_deg,
        })
    }
}

/// C/N over `bandwidth_hz` of a transmission with `tx_power_dbm` along `truth`
/// (`gas_zenith_db`: [`LinkBudgetConfig::p676_zenith_db`] of the carrier, computed once).
pub fn snr_db(
    radio: &RadioParams,
    dir: Direction,
    carrier: Hz,
    bandwidth_hz: f64,
    tx_power_dbm: f64,
    gas_zenith_db: f64,
    truth: &LinkTruth,
) -> f64 {
    let (eirp_dbw, g_over_t, budget_dir) = match dir {
        Direction::Downlink => (
            tx_power_dbm - 30.0 + radio.sat_tx_gain_dbi,
            crate::link_budget::g_over_t(
                radio.ue_gain_dbi,
                radio.ue_antenna_temperature_k,
                radio.ue_noise_figure_db,
            ),
            BudgetDirection::Downlink,
        ),
        Direction::Uplink => (
            tx_power_dbm - 30.0 + radio.ue_gain_dbi,
            radio.sat_g_over_t_db_k,
            BudgetDirection::Uplink,
        ),
    };
    LinkBudgetConfig {
        name: String::new(),
        direction: budget_dir,
        carrier,
        bandwidth: Hz(bandwidth_hz.max(1.0)),
        altitude: Metres(truth.altitude_m),
        elevation: Degrees(truth.elevation_deg.max(0.1)),
        slant_range: Some(Metres(truth.range_m)),
        eirp_dbw,
        g_over_t_db_k: g_over_t,
        sat_aperture_radius: Metres(radio.sat_aperture_radius_m),
        off_boresight: Radians(0.0),
        gas_zenith_db,
        shadow_margin_db: radio.shadow_margin_db,
        scintillation: radio.scintillation,
        other_loss_db: radio.other_loss_db,
        clutter: None,
    }
    .evaluate()
    .c_over_n_db
}
