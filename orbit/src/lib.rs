//! Orbit layer of ntn (placeholder while the first modules land).
#![warn(missing_docs)]
