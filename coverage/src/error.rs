//! The one error type of the crate.

use ntn_orbit::elements::ElementsError;
use ntn_orbit::walker::WalkerError;

/// Why a coverage run could not be set up, run, merged or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoverageError {
    /// The caller asked the run to stop (e.g. Ctrl-C).
    #[error("stopped by the caller")]
    Stopped,
    /// The constellation has no satellite (empty catalog, no shell, or every element set
    /// rejected by SGP4).
    #[error("the constellation is empty: {0}")]
    EmptyConstellation(String),
    /// The catalog text could not be read.
    #[error("catalog: {0}")]
    Catalog(#[from] ElementsError),
    /// A Walker shell is impossible.
    #[error(transparent)]
    Walker(#[from] WalkerError),
    /// The elevation mask is outside [0°, 90°).
    #[error("elevation mask {mask_deg}° is outside [0°, 90°): nothing could ever be visible")]
    InvalidMask {
        /// The mask given, degrees.
        mask_deg: f64,
    },
    /// The time step is zero, negative, not finite, or longer than the window.
    #[error("time step {step_s} s is invalid: {reason}")]
    InvalidStep {
        /// The step given, seconds.
        step_s: f64,
        /// What is wrong.
        reason: String,
    },
    /// The time window is unusable.
    #[error("time window: {0}")]
    InvalidWindow(String),
    /// The ground grid is unusable.
    #[error("grid: {0}")]
    InvalidGrid(String),
    /// A link parameter is unusable.
    #[error("link parameters: {0}")]
    InvalidLink(String),
    /// A shard specification is unusable.
    #[error("shard: {0}")]
    InvalidShard(String),
    /// Partial results that do not belong together, or do not cover the run exactly once.
    #[error("merge: {0}")]
    Merge(String),
    /// A partial-result file is malformed.
    #[error("partial-result file: {0}")]
    Format(String),
    /// A value is not finite or outside its physical range (names the key and the value).
    #[error(transparent)]
    Invalid(#[from] ntn_types::InvalidValue),
    /// Writing an output failed.
    #[error("write: {0}")]
    Io(#[from] std::io::Error),
    /// Drawing a map failed.
    #[error("map: {0}")]
    Plot(String),
}
