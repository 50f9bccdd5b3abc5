//! Walker constellations (delta and star patterns) as SGP4 element sets, so that generated
//! shells and loaded catalogs go through the same propagator.
//!
//! A Walker pattern i:T/P/F places T satellites in P equally spaced planes (T/P per plane);
//! the ascending nodes are spread over 360° (delta) or 180° (star), and satellites of
//! adjacent planes are phased by F·360°/T in argument of latitude.

use crate::time::UtcTime;
use serde::{Deserialize, Serialize};

/// Earth's gravitational parameter used to turn altitude into mean motion, m³/s² (WGS-72,
/// the SGP4 model's value).
pub const MU_WGS72_M3_S2: f64 = 398_600.8e9;
/// WGS-72 equatorial radius, m (SGP4's distance unit).
pub const RE_WGS72_M: f64 = 6_378_135.0;

/// Most satellites one shell may hold: a physical-plausibility bound (the largest filed
/// constellations hold a few 10⁵ satellites in all), not a resource budget.
pub const MAX_SHELL_SATELLITES: u32 = 1_000_000;

/// Delta (nodes over 360°) or star (nodes over 180°).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WalkerPattern {
    /// Nodes spread over 360° (inclined shells, e.g. Starlink 53°).
    #[default]
    Delta,
    /// Nodes spread over 180° (polar shells, e.g. Iridium).
    Star,
}

/// One Walker shell.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkerShell {
    /// Total satellites T.
    pub total: u32,
    /// Planes P (must divide T).
    pub planes: u32,
    /// Phasing factor F, 0..P−1.
    pub phasing: u32,
    /// Circular-orbit altitude above the WGS-72 equatorial radius, m.
    pub altitude_m: f64,
    /// Inclination, degrees.
    pub inclination_deg: f64,
    /// Delta or star.
    #[serde(default)]
    pub pattern: WalkerPattern,
    /// Right ascension of the first plane's node, degrees.
    #[serde(default)]
    pub raan0_deg: f64,
}

/// A shell that cannot exist.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WalkerError {
    /// A parameter is out of range.
    #[error("Walker shell: {0}")]
    Invalid(String),
}

impl WalkerShell {
    /// Check the shell's parameters.
    pub fn validate(&self) -> Result<(), WalkerError> {
        let bad = |s: String| Err(WalkerError::Invalid(s));
        if self.total == 0 || self.planes == 0 {
            return bad("total and planes must be positive".into());
        }
        if !self.total.is_multiple_of(self.planes) {
            return bad(format!(
                "planes ({}) must divide the total ({})",
                self.planes, self.total
            ));
        }
        if self.phasing >= self.planes {
            return bad(format!(
                "phasing F = {} must be below the number of planes {}",
                self.phasing, self.planes
            ));
        }
        if !(self.altitude_m.is_finite() && self.altitude_m >= 150e3 && self.altitude_m <= 50_000e3)
        {
            return bad(format!(
                "altitude {} km is outside 150..50000 km",
                self.altitude_m / 1e3
            ));
        }
        if self.total > MAX_SHELL_SATELLITES {
            return bad(format!(
                "{} satellites in one shell: more than any filed constellation \
                 ({MAX_SHELL_SATELLITES} at most)",
                self.total
            ));
        }
        if !(0.0..=180.0).contains(&self.inclination_deg) {
            return bad(format!(
                "inclination {}° is outside 0..180°",
                self.inclination_deg
            ));
        }
        if !(self.raan0_deg.is_finite() && (-360.0..=360.0).contains(&self.raan0_deg)) {
            return bad(format!(
                "first node RAAN {}° is outside −360..360°",
                self.raan0_deg
            ));
        }
        Ok(())
    }

    /// Mean motion of the circular orbit, revolutions per day (Kepler; SGP4 then applies its
    /// own J2 recovery, so the period differs from Keplerian by ~0.1 %).
    pub fn mean_motion_rev_per_day(&self) -> f64 {
        let a = RE_WGS72_M + self.altitude_m;
        let n_rad_s = (MU_WGS72_M3_S2 / (a * a * a)).sqrt();
        n_rad_s * 86_400.0 / std::f64::consts::TAU
    }

    /// The shell's element sets at `epoch`, catalog numbers from `first_norad_id` upward,
    /// named "<prefix>-<plane>-<slot>".
    pub fn elements(
        &self,
        epoch: UtcTime,
        first_norad_id: u64,
        prefix: &str,
    ) -> Result<Vec<sgp4::Elements>, WalkerError> {
        self.validate()?;
        let (y, mo, d, h, mi, s) = epoch.to_calendar();
        let whole = s.floor();
        let datetime = chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_nano_opt(h, mi, whole as u32, ((s - whole) * 1e9) as u32))
            .ok_or_else(|| WalkerError::Invalid(format!("epoch {epoch} is not representable")))?;
        let per_plane = self.total / self.planes;
        let spread = match self.pattern {
            WalkerPattern::Delta => 360.0,
            WalkerPattern::Star => 180.0,
        };
        let n = self.mean_motion_rev_per_day();
        let mut out = Vec::with_capacity(self.total as usize);
        for p in 0..self.planes {
            let raan = (self.raan0_deg + spread * p as f64 / self.planes as f64).rem_euclid(360.0);
            for k in 0..per_plane {
                let u = 360.0 * k as f64 / per_plane as f64
                    + 360.0 * (self.phasing * p) as f64 / self.total as f64;
                let id = first_norad_id + (p * per_plane + k) as u64;
                out.push(sgp4::Elements {
                    object_name: Some(format!("{prefix}-{p}-{k}")),
                    international_designator: None,
                    norad_id: id,
                    classification: sgp4::Classification::Unclassified,
                    datetime,
                    mean_motion_dot: 0.0,
                    mean_motion_ddot: 0.0,
                    drag_term: 0.0,
                    element_set_number: 999,
                    inclination: self.inclination_deg,
                    right_ascension: raan,
                    eccentricity: 0.0,
                    argument_of_perigee: 0.0,
                    mean_anomaly: u.rem_euclid(360.0),
                    mean_motion: n,
                    revolution_number: 0,
                    ephemeris_type: 0,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::EarthOrientation;
    use crate::satellite::Satellite;

    #[test]
    fn starlink_like_shell() {
        let shell = WalkerShell {
            total: 1584,
            planes: 72,
            phasing: 39,
            altitude_m: 550e3,
            inclination_deg: 53.0,
            pattern: WalkerPattern::Delta,
            raan0_deg: 0.0,
        };
        let epoch: UtcTime = "2024-03-01T00:00:00Z".parse().unwrap();
        let els = shell.elements(epoch, 90_000, "S1").unwrap();
        assert_eq!(els.len(), 1584);
        assert!((shell.mean_motion_rev_per_day() - 15.05).abs() < 0.05);
        // Every satellite propagates and sits near 550 km altitude.
        for e in els.iter().step_by(97) {
            let s = Satellite::new(e.clone()).unwrap();
            let st = s
                .state_ecef(epoch.add_secs(600.0), &EarthOrientation::default())
                .unwrap();
            let alt = st.r_m().length() - RE_WGS72_M;
            assert!((alt - 550e3).abs() < 25e3, "{alt}");
        }
        assert!(WalkerShell { planes: 7, ..shell }.validate().is_err());
        assert!(
            WalkerShell {
                phasing: 72,
                ..shell
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn absurd_shells_are_refused() {
        let shell = WalkerShell {
            total: 24,
            planes: 3,
            phasing: 1,
            altitude_m: 550e3,
            inclination_deg: 53.0,
            pattern: WalkerPattern::Delta,
            raan0_deg: 0.0,
        };
        assert!(shell.validate().is_ok());
        let huge = WalkerShell {
            total: 100_000_000,
            planes: 10_000,
            ..shell
        };
        let e = huge.validate().unwrap_err().to_string();
        assert!(e.contains("100000000"), "{e}");
        for raan0_deg in [f64::NAN, f64::INFINITY, 1e9] {
            assert!(WalkerShell { raan0_deg, ..shell }.validate().is_err());
        }
        for inclination_deg in [f64::NAN, -1.0, 181.0] {
            assert!(
                WalkerShell {
                    inclination_deg,
                    ..shell
                }
                .validate()
                .is_err()
            );
        }
        // Unknown keys are errors.
        let json = r#"{"total":24,"planes":3,"phasing":1,"altitude_m":550e3,
                       "inclination_deg":53.0,"inclination":53.0}"#;
        let e = serde_json::from_str::<WalkerShell>(json).unwrap_err();
        assert!(e.to_string().contains("inclination"), "{e}");
    }
}
