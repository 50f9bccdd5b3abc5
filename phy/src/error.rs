//! Typed errors of the PHY decoders (architecture.md §7: bytes or samples from the air never
//! panic).

use thiserror::Error;

/// Errors returned by PHY decoders and receivers.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PhyError {
    /// The caller's trial hook asked a long run to stop (e.g. Ctrl-C).
    #[error("stopped by the caller")]
    Stopped,
    /// An input slice does not have the length the operation needs.
    #[error("{what}: expected length {expected}, got {got}")]
    Length {
        /// Which input.
        what: &'static str,
        /// Required length.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// An input is longer than the object was planned for.
    #[error("{what}: length {got} exceeds the planned maximum {max}")]
    TooLong {
        /// Which input.
        what: &'static str,
        /// Planned maximum.
        max: usize,
        /// Length given.
        got: usize,
    },
    /// An input contains NaN or infinite values.
    #[error("{what}: input contains non-finite values")]
    NonFinite {
        /// Which input.
        what: &'static str,
    },
    /// A parameter is outside its valid range.
    #[error("{what}: value {value} out of range")]
    OutOfRange {
        /// Which parameter.
        what: &'static str,
        /// The offending value.
        value: i64,
    },
    /// The CRC of a decoded block did not pass under any hypothesis tried.
    #[error("CRC check failed")]
    CrcFailed,
    /// No signal was found (no NPSS peak above the detection threshold, no NSSS, ...).
    #[error("{what} not found")]
    NotFound {
        /// What was searched for.
        what: &'static str,
    },
}

/// Returns `Err(PhyError::NonFinite)` if any sample is NaN or infinite.
pub(crate) fn check_finite_c32(
    what: &'static str,
    x: &[num_complex::Complex32],
) -> Result<(), PhyError> {
    if x.iter().all(|s| s.re.is_finite() && s.im.is_finite()) {
        Ok(())
    } else {
        Err(PhyError::NonFinite { what })
    }
}

/// Returns `Err(PhyError::NonFinite)` if any value is NaN or infinite.
pub(crate) fn check_finite_f32(what: &'static str, x: &[f32]) -> Result<(), PhyError> {
    if x.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(PhyError::NonFinite { what })
    }
}

/// Returns `Err(PhyError::Length)` unless `got == expected`.
pub(crate) fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), PhyError> {
    if expected == got {
        Ok(())
    } else {
        Err(PhyError::Length {
            what,
            expected,
            got,
        })
    }
}
