//! The satellites of a run: from a TLE/OMM catalog or from Walker shells, all propagated
//! with SGP4 through `ntn-orbit`.

use crate::error::CoverageError;
use ntn_orbit::walker::WalkerShell;
use ntn_orbit::{PropagationError, Satellite, Sgp4Mode, UtcTime, parse_catalog};

/// A set of satellites ready to propagate, in a fixed order (catalog order, or shell by
/// shell). The order decides ties between equally good servers, nothing else.
#[derive(Clone, Debug)]
pub struct Constellation {
    satellites: Vec<Satellite>,
    rejected: Vec<PropagationError>,
    fingerprint: u64,
}

impl Constellation {
    /// From catalog text (TLE, OMM JSON or OMM CSV). Element sets SGP4 rejects are kept
    /// aside ([`Constellation::rejected`]); none left is an error.
    pub fn from_catalog_text(text: &str) -> Result<Self, CoverageError> {
        let elements = parse_catalog(text).map_err(|e| match e {
            ntn_orbit::ElementsError::Empty => {
                CoverageError::EmptyConstellation("the catalog holds no element set".into())
            }
            other => CoverageError::Catalog(other),
        })?;
        Constellation::from_elements(elements)
    }

    /// From element sets.
    pub fn from_elements(elements: Vec<sgp4::Elements>) -> Result<Self, CoverageError> {
        let n = elements.len();
        let (satellites, rejected) =
            ntn_orbit::satellite::satellites_from_elements(elements, Sgp4Mode::default());
        if satellites.is_empty() {
            return Err(CoverageError::EmptyConstellation(format!(
                "all {n} element sets were rejected by SGP4"
            )));
        }
        let fingerprint = fingerprint(&satellites);
        Ok(Constellation {
            satellites,
            rejected,
            fingerprint,
        })
    }

    /// Walker shells with element epoch `epoch`; shell k's satellites are named
    /// "W{k}-{plane}-{slot}" and numbered consecutively from 1.
    pub fn from_walker(shells: &[WalkerShell], epoch: UtcTime) -> Result<Self, CoverageError> {
        if shells.is_empty() {
            return Err(CoverageError::EmptyConstellation(
                "no Walker shell given".into(),
            ));
        }
        let mut all = Vec::new();
        for (k, shell) in shells.iter().enumerate() {
            let first = all.len() as u64 + 1;
            all.extend(shell.elements(epoch, first, &format!("W{k}"))?);
        }
        Constellation::from_elements(all)
    }

    /// The satellites.
    pub fn satellites(&self) -> &[Satellite] {
        &self.satellites
    }
    /// Number of satellites.
    pub fn len(&self) -> usize {
        self.satellites.len()
    }
    /// Never true for a built constellation.
    pub fn is_empty(&self) -> bool {
        self.satellites.is_empty()
    }
    /// Element sets SGP4 rejected at set-up.
    pub fn rejected(&self) -> &[PropagationError] {
        &self.rejected
    }
    /// A 64-bit FNV-1a hash over every satellite's catalog number and elements, so that
    /// partial results of different constellations are never merged.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

fn fingerprint(sats: &[Satellite]) -> u64 {
    let mut h = Fnv1a::new();
    for s in sats {
        let e = s.elements();
        h.write(&s.norad_id().to_le_bytes());
        h.write(&s.epoch().ns_since_j2000().to_le_bytes());
        for v in [
            e.inclination,
            e.right_ascension,
            e.eccentricity,
            e.argument_of_perigee,
            e.mean_anomaly,
            e.mean_motion,
            e.drag_term,
            e.mean_motion_dot,
            e.mean_motion_ddot,
        ] {
            h.write(&v.to_bits().to_le_bytes());
        }
    }
    h.finish()
}

/// FNV-1a, 64-bit (deterministic across runs and platforms, unlike `DefaultHasher`).
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    pub(crate) fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntn_orbit::walker::WalkerPattern;

    #[test]
    fn empty_inputs_are_errors() {
        assert!(matches!(
            Constellation::from_catalog_text(""),
            Err(CoverageError::EmptyConstellation(_))
        ));
        assert!(matches!(
            Constellation::from_catalog_text("   \n\n"),
            Err(CoverageError::EmptyConstellation(_))
        ));
        assert!(matches!(
            Constellation::from_walker(&[], UtcTime::J2000),
            Err(CoverageError::EmptyConstellation(_))
        ));
        assert!(matches!(
            Constellation::from_catalog_text("not a catalog\nat all\n"),
            Err(CoverageError::Catalog(_))
        ));
    }

    #[test]
    fn walker_numbering() {
        let shell = WalkerShell {
            total: 6,
            planes: 3,
            phasing: 1,
            altitude_m: 700e3,
            inclination_deg: 60.0,
            pattern: WalkerPattern::Delta,
            raan0_deg: 0.0,
        };
        let c = Constellation::from_walker(&[shell, shell], UtcTime::J2000).unwrap();
        assert_eq!(c.len(), 12);
        assert_eq!(c.satellites()[6].norad_id(), 7);
        assert_eq!(c.satellites()[6].name(), "W1-0-0");
        let d = Constellation::from_walker(&[shell], UtcTime::J2000).unwrap();
        assert_ne!(c.fingerprint(), d.fingerprint());
    }
}

/// Built-in Walker shells for defaults, benches and examples.
pub mod presets {
    use ntn_orbit::walker::{WalkerPattern, WalkerShell};

    fn delta(total: u32, planes: u32, phasing: u32, alt_km: f64, inc_deg: f64) -> WalkerShell {
        WalkerShell {
            total,
            planes,
            phasing,
            altitude_m: alt_km * 1e3,
            inclination_deg: inc_deg,
            pattern: WalkerPattern::Delta,
            raan0_deg: 0.0,
        }
    }

    /// A Starlink-size system of six shells, 6 008 satellites, shaped after the public
    /// Gen1 filings (53°, 53.2°, 70°, 97.6° shells) plus a 43° shell: not any operator's
    /// actual deployment.
    pub fn starlink_like() -> Vec<WalkerShell> {
        vec![
            delta(1584, 72, 39, 550.0, 53.0),
            delta(1584, 72, 39, 540.0, 53.2),
            delta(720, 36, 11, 570.0, 70.0),
            delta(348, 6, 1, 560.0, 97.6),
            delta(172, 4, 1, 560.0, 97.6),
            delta(1600, 40, 13, 530.0, 43.0),
        ]
    }

    /// One shell for the default run: 24 planes × 22 satellites at 550 km, 53° (528
    /// satellites).
    pub fn default_shell() -> Vec<WalkerShell> {
        vec![delta(528, 24, 7, 550.0, 53.0)]
    }
}
