//! A propagatable satellite: element set + SGP4 constants, states in TEME and ECEF.

use crate::frames::{EarthOrientation, Ecef, StateVector, Teme, TemeToEcef};
use crate::time::{TimeError, UtcTime};
use glam::DVec3;
use serde::{Deserialize, Serialize};

/// Which SGP4 variant propagates the element sets.
///
/// The default is [`Sgp4Mode::Wgs72`]: WGS-72 gravity constants (the model the element sets
/// are fitted with by their publisher, so their mean elements mean what they say) and
/// Vallado's "improved" operation mode (opsmode 'i'). It is the variant that reproduces the
/// published verification output `tcppver.out` on every row (≤ 10⁻⁸ km) and the one
/// Skyfield/python-sgp4 run by default, so our look angles agree with theirs.
/// [`Sgp4Mode::Afspc`] (opsmode 'a') differs from it only for Lyddane deep-space orbits
/// (period > 225 min, inclination < 0.2 rad), by up to ~1 km there; [`Sgp4Mode::Wgs84`]
/// (the `sgp4` crate's own default) departs by ~20 m everywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Sgp4Mode {
    /// WGS-72 constants, improved Lyddane handling (opsmode 'i'): the default.
    #[default]
    Wgs72,
    /// WGS-72 constants with the AFSPC sidereal-time, epoch and Lyddane expressions
    /// (opsmode 'a').
    Afspc,
    /// WGS-84 constants and IAU expressions (the `sgp4` crate's `Constants::from_elements`).
    Wgs84,
}

/// Why a satellite could not be set up or propagated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PropagationError {
    /// The elements cannot initialise SGP4 (e.g. eccentricity out of range).
    #[error("satellite {norad_id}: elements rejected by SGP4: {reason}")]
    Elements {
        /// Catalog number.
        norad_id: u64,
        /// The propagator's reason.
        reason: String,
    },
    /// SGP4 diverged at this time (typically a decayed satellite).
    #[error(
        "satellite {norad_id}: SGP4 failed {minutes_since_epoch:.1} min from epoch (decayed?): {reason}"
    )]
    Diverged {
        /// Catalog number.
        norad_id: u64,
        /// Time of the failure, minutes from the element-set epoch.
        minutes_since_epoch: f64,
        /// The propagator's reason.
        reason: String,
    },
    /// The element-set epoch is not a usable time.
    #[error("satellite {norad_id}: bad epoch: {source}")]
    Epoch {
        /// Catalog number.
        norad_id: u64,
        /// The time error.
        source: TimeError,
    },
    /// A feeder-link gateway is below its horizon: the link would pass through the Earth.
    #[error(
        "the gateway at {lat_deg:.4}°, {lon_deg:.4}° cannot see the satellite at {time} \
         (elevation {elevation_deg:.2}°): no feeder link"
    )]
    GatewayBelowHorizon {
        /// Gateway latitude, degrees.
        lat_deg: f64,
        /// Gateway longitude, degrees.
        lon_deg: f64,
        /// When.
        time: UtcTime,
        /// The satellite's elevation at the gateway, degrees (negative).
        elevation_deg: f64,
    },
}

/// A satellite ready to propagate.
#[derive(Clone, Debug)]
pub struct Satellite {
    name: String,
    norad_id: u64,
    elements: sgp4::Elements,
    constants: sgp4::Constants,
    epoch: UtcTime,
    mode: Sgp4Mode,
}

impl Satellite {
    /// Set up SGP4 for an element set in the default ([`Sgp4Mode::Wgs72`]) mode.
    pub fn new(elements: sgp4::Elements) -> Result<Self, PropagationError> {
        Satellite::with_mode(elements, Sgp4Mode::default())
    }

    /// Set up SGP4 for an element set in the given mode.
    pub fn with_mode(elements: sgp4::Elements, mode: Sgp4Mode) -> Result<Self, PropagationError> {
        let norad_id = elements.norad_id;
        let reject = |reason: String| PropagationError::Elements { norad_id, reason };
        let constants = match mode {
            // Same initialisation as opsmode 'a'; the modes differ in propagation only.
            Sgp4Mode::Wgs72 | Sgp4Mode::Afspc => {
                sgp4::Constants::from_elements_afspc_compatibility_mode(&elements)
                    .map_err(|e| reject(e.to_string()))?
            }
            Sgp4Mode::Wgs84 => {
                sgp4::Constants::from_elements(&elements).map_err(|e| reject(e.to_string()))?
            }
        };
        let epoch = UtcTime::from_chrono(&elements.datetime)
            .map_err(|source| PropagationError::Epoch { norad_id, source })?;
        let name = elements
            .object_name
            .clone()
            .unwrap_or_else(|| format!("{norad_id:05}"));
        Ok(Satellite {
            name,
            norad_id,
            elements,
            constants,
            epoch,
            mode,
        })
    }

    /// Object name (or the catalog number when the element set has none).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// NORAD catalog number.
    pub fn norad_id(&self) -> u64 {
        self.norad_id
    }

    /// The element set.
    pub fn elements(&self) -> &sgp4::Elements {
        &self.elements
    }

    /// Epoch of the element set.
    pub fn epoch(&self) -> UtcTime {
        self.epoch
    }

    /// The SGP4 mode in use.
    pub fn mode(&self) -> Sgp4Mode {
        self.mode
    }

    /// Orbital period from the mean motion, seconds.
    pub fn period_s(&self) -> f64 {
        86_400.0 / self.elements.mean_motion
    }

    /// State in TEME at `minutes` from the element-set epoch (the raw SGP4 call, km → m).
    #[inline]
    pub fn state_teme_at_minutes(
        &self,
        minutes: f64,
    ) -> Result<StateVector<Teme>, PropagationError> {
        let t = sgp4::MinutesSinceEpoch(minutes);
        let p = match self.mode {
            Sgp4Mode::Afspc => self.constants.propagate_afspc_compatibility_mode(t),
            Sgp4Mode::Wgs72 | Sgp4Mode::Wgs84 => self.constants.propagate(t),
        }
        .map_err(|e| PropagationError::Diverged {
            norad_id: self.norad_id,
            minutes_since_epoch: minutes,
            reason: e.to_string(),
        })?;
        let r = DVec3::from_array(p.position) * 1e3;
        let v = DVec3::from_array(p.velocity) * 1e3;
        let fail = |reason: &str| PropagationError::Diverged {
            norad_id: self.norad_id,
            minutes_since_epoch: minutes,
            reason: reason.into(),
        };
        if !(r.is_finite() && v.is_finite()) {
            return Err(fail("non-finite state"));
        }
        // Vallado's error 6: the position is inside the Earth (decayed). The `sgp4` crate
        // returns the state; SGP4 proper stops there.
        let earth_radius_m = match self.mode {
            Sgp4Mode::Wgs72 | Sgp4Mode::Afspc => 6_378_135.0,
            Sgp4Mode::Wgs84 => 6_378_137.0,
        };
        if r.length() < earth_radius_m {
            return Err(fail(
                "the satellite has decayed (position below the Earth's surface)",
            ));
        }
        Ok(StateVector::new(r, v))
    }

    /// State in TEME at UTC `t`.
    #[inline]
    pub fn state_teme(&self, t: UtcTime) -> Result<StateVector<Teme>, PropagationError> {
        self.state_teme_at_minutes(t.secs_since(self.epoch) / 60.0)
    }

    /// State in ECEF (ITRF with the given Earth orientation) at UTC `t`.
    #[inline]
    pub fn state_ecef(
        &self,
        t: UtcTime,
        eop: &EarthOrientation,
    ) -> Result<StateVector<Ecef>, PropagationError> {
        let teme = self.state_teme(t)?;
        Ok(TemeToEcef::at(t, eop).state(&teme))
    }
}

/// Load every element set of a catalog as satellites; element sets SGP4 rejects are returned
/// beside the good ones rather than failing the whole catalog.
pub fn satellites_from_elements(
    elements: Vec<sgp4::Elements>,
    mode: Sgp4Mode,
) -> (Vec<Satellite>, Vec<PropagationError>) {
    let mut good = Vec::with_capacity(elements.len());
    let mut bad = Vec::new();
    for e in elements {
        match Satellite::with_mode(e, mode) {
            Ok(s) => good.push(s),
            Err(e) => bad.push(e),
        }
    }
    (good, bad)
}

/// The ISS element set printed in the `sgp4` crate's documentation, as a satellite: the
/// common fixture of this crate's unit tests.
#[cfg(test)]
pub(crate) fn test_iss() -> Satellite {
    let el = crate::elements::parse_tle(
        None,
        "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992",
        "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008",
        None,
    );
    Satellite::new(el.expect("valid TLE")).expect("valid elements")
}
