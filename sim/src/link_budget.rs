//! Link budgets for a satellite link: EIRP, G/T, every loss term, C/N0 and C/N
//! (TR 38.821 §6.1.3), with the TR 38.821 Set-1 presets that public reproductions of Tables
//! 6.1.1.1-1/-3 and 6.1.3.3-1 agree on (ntn-reference.md §6.3).
//!
//! C/N0 = EIRP + G/T − PL − L_other − 10·log10(k), with 10·log10(k) = −228.60 dB(W/K/Hz)
//! (k = 1.380649·10⁻²³ J/K, exact since the 2019 SI); C/N = C/N0 − 10·log10(B / Hz) with B
//! the receiver noise bandwidth. Receiver G/T from a terminal's gain, antenna temperature and
//! noise figure: T_sys = T_a + T₀·(NF − 1), T₀ = 290 K (TR 38.821 Table 6.1.1.1-3 notes).

use crate::channel::large_scale::{
    Atmosphere, Band, GasError, LinkState, ModelRange, OutOfModelRange, Scenario,
    TR38811_EARTH_RADIUS, aperture_pattern, fspl, gas_absorption, los_probability,
    p676_zenith_attenuation, p676_zenith_checked, scintillation, shadow_clutter, tr38811_range,
};
use ntn_orbit::geometry::slant_range_spherical;
use ntn_types::InvalidValue;
use ntn_types::{Db, Degrees, Hz, Metres, Radians};
use serde::{Deserialize, Serialize};

/// 10·log10(k_B) in dB(W/(K·Hz)), k_B = 1.380649·10⁻²³ J/K.
pub fn boltzmann_db() -> f64 {
    10.0 * 1.380_649e-23_f64.log10()
}

/// Reference noise temperature T₀ for noise figures, kelvin.
pub const T0_K: f64 = 290.0;

/// G/T of a receiver from its antenna gain, antenna temperature and noise figure:
/// G/T = G − 10·log10(T_a + T₀·(10^(NF/10) − 1)) dB/K.
pub fn g_over_t(gain_dbi: f64, antenna_temperature_k: f64, noise_figure_db: f64) -> f64 {
    let t_sys_k = antenna_temperature_k + T0_K * (Db(noise_figure_db).linear() - 1.0);
    gain_dbi - 10.0 * t_sys_k.log10()
}

/// Why a budget cannot be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkBudgetError {
    /// A parameter is not finite or out of its physical range.
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    /// A model is used outside the range it is given for.
    #[error(transparent)]
    Range(#[from] OutOfModelRange),
    /// Gas absorption cannot be computed at this carrier.
    #[error(transparent)]
    Gas(#[from] GasError),
}

/// Which way the link goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Satellite → terminal.
    Downlink,
    /// Terminal → satellite.
    Uplink,
}

/// Everything a budget needs. Powers in dBW, gains in dBi, G/T in dB/K.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkBudgetConfig {
    /// A label for reports.
    pub name: String,
    /// Direction.
    pub direction: Direction,
    /// Carrier frequency.
    pub carrier: Hz,
    /// Receiver noise bandwidth B.
    pub bandwidth: Hz,
    /// Satellite altitude above the TR 38.811 sphere (R = 6371 km).
    pub altitude: Metres,
    /// Elevation of the satellite at the terminal.
    pub elevation: Degrees,
    /// Slant range from a real geometry (e.g. an orbit at a time of a pass); `None`: the
    /// TR 38.811 spherical-Earth range for `altitude` and `elevation`.
    #[serde(default)]
    pub slant_range: Option<Metres>,
    /// Transmitter EIRP at boresight, dBW.
    pub eirp_dbw: f64,
    /// Receiver G/T, dB/K.
    pub g_over_t_db_k: f64,
    /// Satellite antenna aperture radius, for the off-boresight loss (TR 38.811 §6.4.1).
    pub sat_aperture_radius: Metres,
    /// Angle of the terminal off the satellite beam's boresight (0: beam centre).
    pub off_boresight: Radians,
    /// Zenith gas attenuation at the carrier (ITU-R P.676), dB; scaled by 1/sin(elevation).
    pub gas_zenith_db: f64,
    /// Shadow-fading margin, dB.
    pub shadow_margin_db: f64,
    /// Include scintillation (TR 38.811 §6.6.6).
    pub scintillation: bool,
    /// Any further loss (polarisation, body, building entry…), dB.
    pub other_loss_db: f64,
    /// Terminal surroundings and state for the TR 38.811 §6.6.2 clutter loss (applied in
    /// NLOS only); `None`: open LOS, no clutter.
    #[serde(default)]
    pub clutter: Option<(Scenario, LinkState)>,
}

/// The budget, every term separately.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkBudget {
    /// Slant range, m.
    pub slant_range_m: f64,
    /// EIRP towards the terminal (boresight EIRP), dBW.
    pub eirp_dbw: f64,
    /// Loss of the satellite antenna towards the terminal off boresight, dB (≥ 0).
    pub antenna_off_boresight_db: f64,
    /// Receiver G/T, dB/K.
    pub g_over_t_db_k: f64,
    /// Free-space loss, dB.
    pub fspl_db: f64,
    /// Gas absorption, dB.
    pub gas_db: f64,
    /// Shadow-fading margin, dB.
    pub shadow_margin_db: f64,
    /// Scintillation, dB.
    pub scintillation_db: f64,
    /// Other losses, dB.
    pub other_loss_db: f64,
    /// TR 38.811 clutter loss (NLOS), dB.
    pub clutter_loss_db: f64,
    /// TR 38.811 Table 6.6.1-1 LOS probability at this elevation, when a scenario is given.
    pub los_probability: Option<f64>,
    /// Carrier to noise-density ratio, dB·Hz.
    pub c_over_n0_dbhz: f64,
    /// Noise bandwidth, Hz.
    pub bandwidth_hz: f64,
    /// Carrier to noise ratio in the noise bandwidth, dB.
    pub c_over_n_db: f64,
}

impl LinkBudgetConfig {
    /// Evaluate the budget.
    pub fn evaluate(&self) -> LinkBudget {
        let el_rad = self.elevation.to_radians();
        let d = self
            .slant_range
            .unwrap_or_else(|| slant_range_spherical(TR38811_EARTH_RADIUS, self.altitude, el_rad));
        let fspl_db = fspl(d, self.carrier).db();
        let gas_db = gas_absorption(Db(self.gas_zenith_db), self.elevation).db();
        let scint_db = if self.scintillation {
            scintillation(self.carrier, self.elevation).db()
        } else {
            0.0
        };
        let clutter_db = match self.clutter {
            Some((sc, LinkState::Nlos)) => {
                shadow_clutter(sc, Band::for_carrier(self.carrier), self.elevation).clutter_loss_db
            }
            _ => 0.0,
        };
        // (0 − x rather than −x: no "−0.00" at boresight.)
        let off_db =
            0.0 - aperture_pattern(self.sat_aperture_radius, self.carrier, self.off_boresight).db();
        let c_over_n0_dbhz = self.eirp_dbw - off_db + self.g_over_t_db_k
            - fspl_db
            - gas_db
            - self.shadow_margin_db
            - scint_db
            - self.other_loss_db
            - clutter_db
            - boltzmann_db();
        LinkBudget {
            slant_range_m: d.m(),
            eirp_dbw: self.eirp_dbw,
            antenna_off_boresight_db: off_db,
            g_over_t_db_k: self.g_over_t_db_k,
            fspl_db,
            gas_db,
            shadow_margin_db: self.shadow_margin_db,
            scintillation_db: scint_db,
            other_loss_db: self.other_loss_db,
            clutter_loss_db: clutter_db,
            los_probability: self
                .clutter
                .map(|(sc, _)| los_probability(sc, self.elevation)),
            c_over_n0_dbhz,
            bandwidth_hz: self.bandwidth.hz(),
            c_over_n_db: c_over_n0_dbhz - 10.0 * self.bandwidth.hz().log10(),
        }
    }

    /// The TR 38.821 Set-1 presets by name: `sc9-dl`, `sc6-dl`, `sc6-ul`.
    pub fn preset(name: &str) -> Option<LinkBudgetConfig> {
        match name {
            "sc9-dl" => Some(Self::tr38821_sc9_dl()),
            "sc6-dl" => Some(Self::tr38821_sc6_dl()),
            "sc6-ul" => Some(Self::tr38821_sc6_ul()),
            _ => None,
        }
    }

    /// Zenith gas attenuation at `f` by ITU-R P.676-10 Annex 2 in the reference atmosphere,
    /// dB; an error outside the 1…54 GHz the model covers (never a silent 0).
    pub fn p676_zenith_db(f: Hz) -> Result<f64, GasError> {
        Ok(p676_zenith_attenuation(f, &Atmosphere::default())?.db())
    }

    /// [`LinkBudgetConfig::p676_zenith_db`] with the model range as `range` says
    /// ([`p676_zenith_checked`]): the value, and a note when it was extrapolated.
    pub fn p676_zenith_db_in(f: Hz, range: ModelRange) -> Result<(f64, Option<String>), GasError> {
        let (a, note) = p676_zenith_checked(f, &Atmosphere::default(), range)?;
        Ok((a.db(), note))
    }

    /// Check every number (finite, physical range) and that the TR 38.811 tables the budget
    /// reads cover its carrier and elevation ([`tr38811_range`]). Returns the notes of what
    /// was extrapolated (only with [`ModelRange::Extrapolate`]), which the output must show.
    pub fn validate(&self, range: ModelRange) -> Result<Vec<String>, LinkBudgetError> {
        use ntn_types::validate::{finite, non_negative, positive, within};
        positive("carrier", self.carrier.hz())?;
        positive("bandwidth", self.bandwidth.hz())?;
        within(
            "altitude",
            self.altitude.m(),
            100e3..=100_000e3,
            "a satellite altitude must be within 100 … 100 000 km",
        )?;
        within(
            "elevation",
            self.elevation.deg(),
            f64::MIN_POSITIVE..=90.0,
            "the elevation must be within (0°, 90°]",
        )?;
        if let Some(d) = self.slant_range {
            positive("slant_range", d.m())?;
        }
        finite("eirp_dbw", self.eirp_dbw)?;
        finite("g_over_t_db_k", self.g_over_t_db_k)?;
        positive("sat_aperture_radius", self.sat_aperture_radius.m())?;
        within(
            "off_boresight",
            self.off_boresight.rad().to_degrees(),
            0.0..=90.0,
            "the angle off boresight must be within 0 … 90°",
        )?;
        non_negative("gas_zenith_db", self.gas_zenith_db)?;
        finite("shadow_margin_db", self.shadow_margin_db)?;
        finite("other_loss_db", self.other_loss_db)?;
        Ok(tr38811_range(
            self.carrier,
            self.elevation,
            self.clutter.is_some(),
            self.scintillation,
            range,
        )?)
    }

    /// Names accepted by [`LinkBudgetConfig::preset`].
    pub const PRESETS: [&'static str; 3] = ["sc9-dl", "sc6-dl", "sc6-ul"];

    /// TR 38.821 SC9 downlink: LEO-600 S-band (2 GHz), 30° elevation, satellite EIRP density
    /// 34 dBW/MHz over 30 MHz, 2 m aperture; handheld terminal 0 dBi, 290 K, NF 7 dB; 3 dB
    /// shadow margin, ionospheric scintillation, gas by ITU-R P.676 (0.035 dB at zenith).
    /// Table 6.1.3.3-1 gives C/N 6.6 dB.
    pub fn tr38821_sc9_dl() -> Self {
        let bw = Hz::from_mhz(30.0);
        LinkBudgetConfig {
            name: "TR 38.821 SC9 DL (LEO-600 S-band, handheld)".into(),
            direction: Direction::Downlink,
            carrier: Hz(2e9),
            bandwidth: bw,
            altitude: Metres(600e3),
            elevation: Degrees(30.0),
            slant_range: None,
            eirp_dbw: 34.0 + 10.0 * (bw.hz() / 1e6).log10(),
            g_over_t_db_k: g_over_t(0.0, 290.0, 7.0),
            sat_aperture_radius: Metres(1.0),
            off_boresight: Radians(0.0),
            // Inside P.676's 1…54 GHz; a NaN would be refused by `validate`.
            gas_zenith_db: Self::p676_zenith_db(Hz(2e9)).unwrap_or(f64::NAN),
            shadow_margin_db: 3.0,
            scintillation: true,
            other_loss_db: 0.0,
            clutter: None,
        }
    }

    /// TR 38.821 SC6 downlink: LEO-600 Ka-band (20 GHz), 30° elevation, EIRP density
    /// 4 dBW/MHz over 400 MHz, 0.5 m aperture; VSAT 39.7 dBi, 150 K, NF 1.2 dB; no shadow
    /// margin; tropospheric scintillation; gas by ITU-R P.676 (0.26 dB at zenith).
    /// Table 6.1.3.3-1: C/N 8.5 dB.
    pub fn tr38821_sc6_dl() -> Self {
        let bw = Hz::from_mhz(400.0);
        LinkBudgetConfig {
            name: "TR 38.821 SC6 DL (LEO-600 Ka-band, VSAT)".into(),
            direction: Direction::Downlink,
            carrier: Hz(20e9),
            bandwidth: bw,
            altitude: Metres(600e3),
            elevation: Degrees(30.0),
            slant_range: None,
            eirp_dbw: 4.0 + 10.0 * (bw.hz() / 1e6).log10(),
            g_over_t_db_k: g_over_t(39.7, 150.0, 1.2),
            sat_aperture_radius: Metres(0.25),
            off_boresight: Radians(0.0),
            // Inside P.676's 1…54 GHz; a NaN would be refused by `validate`.
            gas_zenith_db: Self::p676_zenith_db(Hz(20e9)).unwrap_or(f64::NAN),
            shadow_margin_db: 0.0,
            scintillation: true,
            other_loss_db: 0.0,
            clutter: None,
        }
    }

    /// TR 38.821 SC6 uplink: VSAT 2 W (33 dBm = 3 dBW) with 43.2 dBi at 30 GHz, satellite
    /// G/T 13 dB/K, 400 MHz; gas by ITU-R P.676 (0.24 dB at zenith; the TR row: 0.5 dB at 30°).
    /// Table 6.1.3.3-1: C/N 18.4 dB.
    pub fn tr38821_sc6_ul() -> Self {
        LinkBudgetConfig {
            name: "TR 38.821 SC6 UL (LEO-600 Ka-band, VSAT)".into(),
            direction: Direction::Uplink,
            carrier: Hz(30e9),
            bandwidth: Hz::from_mhz(400.0),
            altitude: Metres(600e3),
            elevation: Degrees(30.0),
            slant_range: None,
            eirp_dbw: 3.0 + 43.2,
            g_over_t_db_k: 13.0,
            sat_aperture_radius: Metres(0.25),
            off_boresight: Radians(0.0),
            // Inside P.676's 1…54 GHz; a NaN would be refused by `validate`.
            gas_zenith_db: Self::p676_zenith_db(Hz(30e9)).unwrap_or(f64::NAN),
            shadow_margin_db: 0.0,
            scintillation: true,
            other_loss_db: 0.0,
            clutter: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boltzmann() {
        assert!((boltzmann_db() + 228.599).abs() < 1e-3);
    }

    #[test]
    fn presets_validate_and_bad_numbers_are_named() {
        for name in LinkBudgetConfig::PRESETS {
            let c = LinkBudgetConfig::preset(name).unwrap();
            assert_eq!(c.validate(ModelRange::Strict), Ok(vec![]), "{name}");
        }
        let base = LinkBudgetConfig::tr38821_sc9_dl();
        let key = |c: LinkBudgetConfig| match c.validate(ModelRange::Strict) {
            Err(LinkBudgetError::Invalid(v)) => v.key,
            other => panic!("{other:?}"),
        };
        let mut c = base.clone();
        c.eirp_dbw = f64::NAN;
        assert_eq!(key(c), "eirp_dbw");
        let mut c = base.clone();
        c.bandwidth = Hz(0.0);
        assert_eq!(key(c), "bandwidth");
        let mut c = base.clone();
        c.elevation = Degrees(f64::INFINITY);
        assert_eq!(key(c), "elevation");
        let mut c = base.clone();
        c.gas_zenith_db = -1.0;
        assert_eq!(key(c), "gas_zenith_db");
        // 60 GHz: no P.676 value, and the TR 38.811 tables do not reach it.
        assert!(LinkBudgetConfig::p676_zenith_db(Hz(60e9)).is_err());
        let mut c = base.clone();
        c.carrier = Hz(60e9);
        c.gas_zenith_db = 1.0;
        assert!(matches!(
            c.validate(ModelRange::Strict),
            Err(LinkBudgetError::Range(_))
        ));
        assert!(!c.validate(ModelRange::Extrapolate).unwrap().is_empty());
    }

    #[test]
    fn sc9_dl_row() {
        let b = LinkBudgetConfig::tr38821_sc9_dl().evaluate();
        assert!((b.eirp_dbw - 48.77).abs() < 0.01, "{}", b.eirp_dbw);
        assert!(
            (b.g_over_t_db_k + 31.62).abs() < 0.01,
            "{}",
            b.g_over_t_db_k
        );
        assert!((b.fspl_db - 159.10).abs() < 0.01, "{}", b.fspl_db);
        assert!((b.scintillation_db - 2.20).abs() < 0.01);
        assert!((b.gas_db - 0.07).abs() < 0.002, "{}", b.gas_db);
        assert_eq!(b.antenna_off_boresight_db, 0.0);
        assert!((b.c_over_n_db - 6.6).abs() < 0.2, "{}", b.c_over_n_db);
        assert!((b.c_over_n_db - 6.61).abs() < 0.01, "{}", b.c_over_n_db);
    }

    #[test]
    fn sc6_rows() {
        let b = LinkBudgetConfig::tr38821_sc6_dl().evaluate();
        assert!((b.eirp_dbw - 30.02).abs() < 0.01);
        assert!(
            (b.g_over_t_db_k - 15.86).abs() < 0.01,
            "{}",
            b.g_over_t_db_k
        );
        assert!((b.fspl_db - 179.10).abs() < 0.01);
        assert!((b.gas_db - 0.51).abs() < 0.01, "{}", b.gas_db);
        assert_eq!(b.scintillation_db, 0.3);
        assert!((b.c_over_n_db - 8.5).abs() < 0.2, "{}", b.c_over_n_db);
        let u = LinkBudgetConfig::tr38821_sc6_ul().evaluate();
        assert!((u.fspl_db - 182.62).abs() < 0.01);
        assert!((u.c_over_n_db - 18.4).abs() < 0.2, "{}", u.c_over_n_db);
    }

    #[test]
    fn beam_edge_costs_three_db() {
        let mut c = LinkBudgetConfig::tr38821_sc9_dl();
        let centre = c.evaluate().c_over_n_db;
        c.off_boresight = Degrees(4.4127 / 2.0).to_radians();
        let edge = c.evaluate();
        assert!((centre - edge.c_over_n_db - 3.0).abs() < 0.05);
        let mut c = LinkBudgetConfig::tr38821_sc9_dl();
        c.clutter = Some((Scenario::DenseUrban, LinkState::Nlos));
        let nlos = c.evaluate();
        assert_eq!(nlos.clutter_loss_db, 29.0);
        assert_eq!(nlos.los_probability, Some(0.398));
        assert!((centre - nlos.c_over_n_db - 29.0).abs() < 1e-9);
        for p in LinkBudgetConfig::PRESETS {
            assert!(LinkBudgetConfig::preset(p).is_some());
        }
    }
}
