//! # ntn-orbit — where the satellite is, and what that does to the link
//!
//! * [`elements`]: element sets in — TLE (2/3-line, catalogs, checksums) and OMM (JSON, CSV),
//!   with errors that name the line and field.
//! * [`satellite`]: SGP4 through the `sgp4` crate, WGS-72/AFSPC mode by default
//!   ([`Sgp4Mode`]), states in TEME.
//! * [`frames`] and [`time`]: typed frames (`Position<Teme>`, `Position<Ecef>`, [`Geodetic`]),
//!   TEME → ITRF with GMST-82, ΔUT1 and polar motion; UTC time and the mapping from run time.
//! * [`eop`]: IERS Earth orientation (UT1 − UTC, polar motion, LOD): the bundled
//!   finals2000A table (2006 to the 2027 predictions) or a newer IERS file, interpolated.
//! * [`element_age`]: how far from its epoch an element set may be used (warn/refuse).
//! * [`geometry`]: look angles, delay, RTT (regenerative and transparent payloads), Doppler
//!   and Doppler rate, differential delay/Doppler, light-time.
//! * [`timing`]: NTN timing advance of TS 38.213 §4.2 / TS 36.213 §16 in spec units.
//! * [`passes`]: AOS/culmination/LOS above a mask for one satellite or a catalog.
//! * [`ephemeris`]: SIB19 / SIB31 broadcast ephemeris (state vector and orbital elements,
//!   quantised as TS 38.331 / 36.331 say), propagated the way a UE would, and its error
//!   against SGP4 truth by age.
//! * [`walker`]: Walker delta/star constellations as element sets.
//!
//! All of it is pure computation: no clock is read and no file is opened here.
//!
//! ```
//! use ntn_orbit::{Satellite, GroundSite, UtcTime, EarthOrientation, elements::parse_tle};
//! let el = parse_tle(None,
//!     "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992",
//!     "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008", None)?;
//! let iss = Satellite::new(el)?;
//! let t: UtcTime = "2020-07-13T00:00:00Z".parse()?;
//! let look = GroundSite::from_degrees(48.14, 11.58, 520.0)
//!     .look(&iss.state_ecef(t, &EarthOrientation::default())?);
//! assert!(look.range.km() > 400.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod conformance;
pub mod element_age;
pub mod elements;
pub mod eop;
pub mod ephemeris;

pub mod frames;
pub mod geometry;
pub mod passes;
pub mod satellite;
pub mod time;
pub mod timing;
pub mod track;
pub mod walker;

pub use elements::{ElementsError, parse_catalog};
pub use eop::{EopError, EopSpan, EopTable, EopValue};
pub use frames::{
    EarthOrientation, Ecef, Geodetic, Position, SPEED_OF_LIGHT_MPS, StateVector, Teme, TemeToEcef,
    Velocity,
};
pub use geometry::{GroundSite, LinkConfig, LinkSnapshot, LookAngles};
pub use satellite::{PropagationError, Satellite, Sgp4Mode};
/// An element set (TLE or OMM), as the `sgp4` crate parses it.
pub use sgp4::Elements;
pub use time::{TimeBase, UtcTime};
