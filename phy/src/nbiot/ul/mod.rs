//! NB-IoT uplink physical channels, TS 36.211 §10.1: [`nprach`] (random access preamble,
//! UE transmitter with timing/frequency pre-compensation and cell-side detector), [`npusch`]
//! (formats 1 and 2, with [`dmrs`], [`scfdma`], the cell-side receiver [`npusch_rx`] and the
//! BLER runner [`npusch_link`]), and the
//! timing hooks that apply a timing advance given in `T_s` units to the sample stream
//! ([`n_ta_to_seconds`], [`split_time_shift`]); the value itself comes from the stack.
//!
//! Samples are at 1.92 Msps (`T_s = 1/30.72 MHz`, so one sample is `16·T_s`), baseband of the
//! 180 kHz NB-IoT carrier centred at 0 Hz.

pub mod dmrs;
pub mod nprach;
pub mod npusch;
pub mod npusch_link;
pub mod npusch_rx;
pub mod scfdma;

/// Uplink sample rate, samples per second.
pub const UL_SAMPLE_RATE_HZ: f64 = 1.92e6;

/// `T_s` units per sample at [`UL_SAMPLE_RATE_HZ`].
pub const TS_PER_SAMPLE: usize = 16;

/// `T_s = 1/(15000·2048)` s, the LTE/NB-IoT basic time unit (36.211 §4).
pub const TS_SECONDS: f64 = 1.0 / 30.72e6;

/// Converts a timing advance `N_TA` in `T_s` units (36.213 §16: `N_TA = 16·T_A` from the
/// RAR, plus the NTN UE-computed part the stack derives from ephemeris) to seconds.
pub fn n_ta_to_seconds(n_ta_ts: i64) -> f64 {
    n_ta_ts as f64 * TS_SECONDS
}

/// Splits a transmission-time shift (seconds; positive = later, a timing advance is
/// negative) into whole samples at 1.92 Msps (the caller moves its buffer start by these)
/// and the remaining fraction in seconds, `|fraction| ≤ ½` sample, which the waveform
/// generator applies (e.g. the `time_offset_s` of [`nprach::NprachTx::transmit`]).
pub fn split_time_shift(shift_s: f64) -> (i64, f64) {
    let samples = shift_s * UL_SAMPLE_RATE_HZ;
    let whole = samples.round();
    (whole as i64, (samples - whole) / UL_SAMPLE_RATE_HZ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_advance_units_and_split() {
        // RAR T_A = 1536 (max): N_TA = 16·1536 Ts = 0.8 ms.
        assert!((n_ta_to_seconds(16 * 1536) - 0.8e-3).abs() < 1e-12);
        // 16 Ts = one sample.
        assert_eq!(split_time_shift(n_ta_to_seconds(16)).0, 1);
        let (n, frac) = split_time_shift(-(12.3 / 1.92e6));
        assert_eq!(n, -12);
        assert!((frac + 0.3 / 1.92e6).abs() < 1e-15);
    }
}
