//! Vocabulary shared by every ntn crate: the virtual clock ([`Instant`], [`Duration`]) and
//! physical-unit newtypes ([`Hz`], [`Metres`], [`Db`], …).
//!
//! This crate holds types and arithmetic on them, nothing else (architecture.md §2). SI units
//! at every boundary: metres, seconds, hertz, radians.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod conformance;
pub mod time;
pub mod units;
pub mod validate;

pub use time::{Duration, Instant};
pub use units::{Db, Dbm, Degrees, Hz, Metres, MetresPerSecond, Radians, Seconds};
pub use validate::InvalidValue;
