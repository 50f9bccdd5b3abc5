//! # ntn-sim — the NTN channel and link budget
//!
//! * [`channel`]: what the air does to a sample stream between a terminal and a satellite
//!   (and its gateway): light-time delay and carrier phase from the true orbit, keyed to the
//!   sample time; TR 38.811 §6.6 large-scale loss; TR 38.811 §6.9 NTN-TDL fading; AWGN.
//! * [`link_budget`]: EIRP, G/T, losses, C/N0 and C/N, with TR 38.821 presets.
//!
//! Sans-IO: no clock, no files. Every random draw comes from a caller-seeded ChaCha stream, so
//! a run is bit-for-bit reproducible.
#![warn(missing_docs)]

pub mod channel;
pub mod link_budget;
pub mod math;
