//! NB-IoT uplink physical channels, TS 36.211 §10.1: [`nprach`] (random access preamble,
//! UE transmitter with timing/frequency pre-compensation and cell-side detector).
//!
//! Samples are at 1.92 Msps (`T_s = 1/30.72 MHz`, so one sample is `16·T_s`), baseband of the
//! 180 kHz NB-IoT carrier centred at 0 Hz.

pub mod nprach;

/// Uplink sample rate, samples per second.
pub const UL_SAMPLE_RATE_HZ: f64 = 1.92e6;

/// `T_s` units per sample at [`UL_SAMPLE_RATE_HZ`].
pub const TS_PER_SAMPLE: usize = 16;
