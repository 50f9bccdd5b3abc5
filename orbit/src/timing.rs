//! NTN uplink timing advance in spec units (TS 38.211 §4.3.1, TS 38.213 §4.2; TS 36.211 §8.1,
//! TS 36.213 §16.1.2 for NB-IoT) and the SIB19 / SIB31 common-TA fields (TS 38.331 §6.3.2
//! NTN-Config, TS 36.331 ServingSatelliteInfo).
//!
//! Uplink frame i starts T_TA = (N_TA + N_TA,offset + N_TA,adj^common + N_TA,adj^UE)·T_c
//! before downlink frame i as received, where
//! * N_TA,adj^common·T_c = TA_Common + TA_CommonDrift·Δt + TA_CommonDriftVariant·Δt², twice the
//!   common one-way delay Delay_common(t) = TA_Common/2 + TA_CommonDrift/2·Δt +
//!   TA_CommonDriftVariant/2·Δt², Δt = t − t_epoch;
//! * N_TA,adj^UE·T_c = 2·|p_sat(t) − p_UE|/c, from the UE's GNSS fix and the broadcast
//!   ephemeris.

use crate::frames::{EarthOrientation, Ecef, Position, SPEED_OF_LIGHT_MPS};
use crate::geometry::GroundSite;
use crate::satellite::{PropagationError, Satellite};
use crate::time::UtcTime;
use ntn_types::Seconds;
use serde::{Deserialize, Serialize};

/// NR basic time unit T_c = 1/(480 000·4096) s (TS 38.211 §4.1).
pub const TC_S: f64 = 1.0 / (480_000.0 * 4096.0);
/// LTE/NB-IoT basic time unit T_s = 1/(15 000·2048) s (TS 36.211 §4) = 64·T_c.
pub const TS_S: f64 = 1.0 / (15_000.0 * 2048.0);

/// A common-TA field value that is outside its ASN.1 range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} = {value} is outside {min}..={max}")]
pub struct TaRangeError {
    /// The field.
    pub field: &'static str,
    /// The value given (or computed from seconds).
    pub value: i64,
    /// Lower bound.
    pub min: i64,
    /// Upper bound.
    pub max: i64,
}

/// Units and ranges of one family of common-TA fields.
#[derive(Clone, Copy, Debug, PartialEq)]
struct TaFieldSpec {
    common_step_s: f64,
    common_max: i64,
    drift_max: i64,
    variant_max: i64,
    names: [&'static str; 3],
}

/// Drift granularity 0.2·10⁻³ µs/s (both specs).
const DRIFT_STEP: f64 = 0.2e-3 * 1e-6;
/// Drift-variation granularity 0.2·10⁻⁴ µs/s² (both specs).
const VARIANT_STEP: f64 = 0.2e-4 * 1e-6;

const NR: TaFieldSpec = TaFieldSpec {
    common_step_s: 4.072e-3 * 1e-6,
    common_max: 66_485_757,
    drift_max: 257_303,
    variant_max: 28_949,
    names: [
        "ta-Common-r17",
        "ta-CommonDrift-r17",
        "ta-CommonDriftVariant-r17",
    ],
};

const NBIOT: TaFieldSpec = TaFieldSpec {
    common_step_s: 32.552_08e-3 * 1e-6,
    common_max: 8_316_827,
    drift_max: 261_935,
    variant_max: 29_479,
    names: [
        "nta-Common-r17",
        "nta-CommonDrift-r17",
        "nta-CommonDriftVariation-r17",
    ],
};

/// The three common-TA fields as broadcast, in their integer spec units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonTaFields {
    /// ta-Common (NR: 4.072 ns steps) / nta-Common (NB-IoT: T_s = 32.552 08 ns steps).
    pub common: i64,
    /// Drift, 0.2·10⁻³ µs/s steps.
    pub drift: i64,
    /// Drift variation, 0.2·10⁻⁴ µs/s² steps.
    pub variant: i64,
}

/// Which specification's units the common-TA fields use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaFlavour {
    /// NR SIB19 NTN-Config (TS 38.331).
    NrSib19,
    /// NB-IoT/eMTC SIB31 ServingSatelliteInfo (TS 36.331).
    NbIotSib31,
}

impl TaFlavour {
    fn spec(self) -> &'static TaFieldSpec {
        match self {
            TaFlavour::NrSib19 => &NR,
            TaFlavour::NbIotSib31 => &NBIOT,
        }
    }
}

/// The common TA in physical units: round-trip seconds, s/s, s/s².
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CommonTa {
    /// TA_Common, two-way, seconds.
    pub common_s: f64,
    /// TA_CommonDrift, s/s.
    pub drift_s_per_s: f64,
    /// TA_CommonDriftVariant, s/s².
    pub variant_s_per_s2: f64,
}

impl CommonTa {
    /// From broadcast fields, checking their ranges.
    pub fn from_fields(f: CommonTaFields, flavour: TaFlavour) -> Result<Self, TaRangeError> {
        let s = flavour.spec();
        check(s.names[0], f.common, 0, s.common_max)?;
        check(s.names[1], f.drift, -s.drift_max, s.drift_max)?;
        check(s.names[2], f.variant, 0, s.variant_max)?;
        Ok(CommonTa {
            common_s: f.common as f64 * s.common_step_s,
            drift_s_per_s: f.drift as f64 * DRIFT_STEP,
            variant_s_per_s2: f.variant as f64 * VARIANT_STEP,
        })
    }

    /// Quantise to broadcast fields (rounded to the nearest step), checking the ranges.
    pub fn to_fields(&self, flavour: TaFlavour) -> Result<CommonTaFields, TaRangeError> {
        let s = flavour.spec();
        let f = CommonTaFields {
            common: (self.common_s / s.common_step_s).round() as i64,
            drift: (self.drift_s_per_s / DRIFT_STEP).round() as i64,
            variant: (self.variant_s_per_s2 / VARIANT_STEP).round() as i64,
        };
        CommonTa::from_fields(f, flavour)?;
        Ok(f)
    }

    /// N_TA,adj^common·T_c: the two-way common delay Δt = `since_epoch_s` after the epoch.
    pub fn two_way_s(&self, since_epoch_s: f64) -> Seconds {
        let dt = since_epoch_s;
        Seconds(self.common_s + self.drift_s_per_s * dt + self.variant_s_per_s2 * dt * dt)
    }

    /// Delay_common(t): the one-way common delay (half of [`CommonTa::two_way_s`]).
    pub fn one_way_s(&self, since_epoch_s: f64) -> Seconds {
        Seconds(0.5 * self.two_way_s(since_epoch_s).s())
    }

    /// Fit a common TA to a two-way delay known at the epoch and its first two derivatives
    /// (what the network derives from its feeder-link geometry): the drift variant is
    /// τ̈/2 because the spec applies it as a plain Δt² coefficient; negative curvature is
    /// clamped to 0 (the field is unsigned).
    pub fn from_delay_derivatives(two_way_s: f64, rate: f64, accel: f64) -> Self {
        CommonTa {
            common_s: two_way_s,
            drift_s_per_s: rate,
            variant_s_per_s2: (0.5 * accel).max(0.0),
        }
    }
}

fn check(field: &'static str, value: i64, min: i64, max: i64) -> Result<(), TaRangeError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(TaRangeError {
            field,
            value,
            min,
            max,
        })
    }
}

/// epochTime of SIB31 / SIB19: the start of DL subframe `start_subframe` of frame
/// `start_sfn` (TS 36.331 ServingSatelliteInfo, TS 38.331 NTN-Config).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochTime {
    /// startSFN-r17 / sfn-r17, 0…1023.
    pub start_sfn: u16,
    /// startSubFrame-r17 / subFrameNR-r17, 0…9.
    pub start_subframe: u8,
}

/// Frame timing of a cell: the UTC instant at which a frame with SFN 0 starts (any one of
/// them; SFNs repeat every 10.24 s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellTiming {
    /// Start of some frame with SFN 0.
    pub sfn0: UtcTime,
}

const SUBFRAME_NS: i64 = 1_000_000;
const SFN_PERIOD_NS: i64 = 1024 * 10 * SUBFRAME_NS;

impl CellTiming {
    /// The epochTime fields for the first subframe start at or after `t`, and that instant.
    pub fn epoch_time_at_or_after(&self, t: UtcTime) -> (EpochTime, UtcTime) {
        let since = t.ns_since_j2000() - self.sfn0.ns_since_j2000();
        let sf_index =
            since.div_euclid(SUBFRAME_NS) + i64::from(since.rem_euclid(SUBFRAME_NS) != 0);
        let start =
            UtcTime::from_ns_since_j2000(self.sfn0.ns_since_j2000() + sf_index * SUBFRAME_NS);
        let in_period = sf_index.rem_euclid(10_240);
        (
            EpochTime {
                start_sfn: (in_period / 10) as u16,
                start_subframe: (in_period % 10) as u8,
            },
            start,
        )
    }

    /// The instant an epochTime names, for a message received at `t_rx`: the subframe of the
    /// frame whose SFN is `start_sfn` — the current frame or the next upcoming one with that
    /// SFN after the frame of reception (TS 36.331 field description of epochTime).
    pub fn resolve_epoch_time(&self, e: EpochTime, t_rx: UtcTime) -> UtcTime {
        let since = t_rx.ns_since_j2000() - self.sfn0.ns_since_j2000();
        let frame_start = since.div_euclid(10 * SUBFRAME_NS) * 10 * SUBFRAME_NS;
        let period_start = frame_start.div_euclid(SFN_PERIOD_NS) * SFN_PERIOD_NS;
        let mut epoch = period_start
            + i64::from(e.start_sfn % 1024) * 10 * SUBFRAME_NS
            + i64::from(e.start_subframe % 10) * SUBFRAME_NS;
        if epoch < frame_start {
            epoch += SFN_PERIOD_NS;
        }
        UtcTime::from_ns_since_j2000(self.sfn0.ns_since_j2000() + epoch)
    }
}

/// The common TA a network broadcasts when the uplink time-synchronisation reference point
/// is at the gateway of a transparent payload: the feeder-link round trip 2·d(t)/c at the
/// epoch, its rate, and its curvature, from the true orbit (central differences over ±1 s).
pub fn feeder_link_common_ta(
    sat: &Satellite,
    gateway: &GroundSite,
    epoch: UtcTime,
    eop: &EarthOrientation,
) -> Result<CommonTa, PropagationError> {
    let two_way = |dt: f64| -> Result<f64, PropagationError> {
        let t = epoch.add_secs(dt);
        let s = sat.state_ecef(t, eop)?;
        Ok(2.0 * gateway.feeder_look(&s, t)?.range.m() / SPEED_OF_LIGHT_MPS)
    };
    let (a, b, c) = (two_way(-1.0)?, two_way(0.0)?, two_way(1.0)?);
    Ok(CommonTa::from_delay_derivatives(
        b,
        0.5 * (c - a),
        c - 2.0 * b + a,
    ))
}

/// N_TA,adj^UE·T_c = 2·|p_sat − p_UE|/c: the UE-specific TA from its own position and the
/// satellite position it propagated from the broadcast ephemeris.
pub fn ue_specific_ta(sat: &Position<Ecef>, ue: &Position<Ecef>) -> Seconds {
    Seconds(2.0 * sat.distance_to(ue).m() / SPEED_OF_LIGHT_MPS)
}

/// The four terms of the uplink timing advance, seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimingAdvance {
    /// N_TA·T_c: closed loop (RAR / TA command), s.
    pub n_ta_s: f64,
    /// N_TA,offset·T_c, s.
    pub n_ta_offset_s: f64,
    /// N_TA,adj^common·T_c, s.
    pub common_s: f64,
    /// N_TA,adj^UE·T_c, s.
    pub ue_specific_s: f64,
}

impl TimingAdvance {
    /// T_TA, seconds.
    pub fn total_s(&self) -> f64 {
        self.n_ta_s + self.n_ta_offset_s + self.common_s + self.ue_specific_s
    }

    /// T_TA in units of T_c (NR), rounded.
    pub fn total_tc(&self) -> i64 {
        (self.total_s() / TC_S).round() as i64
    }

    /// T_TA in units of T_s (LTE/NB-IoT), rounded.
    pub fn total_ts(&self) -> i64 {
        (self.total_s() / TS_S).round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::DVec3;

    #[test]
    fn field_maxima_match_the_spec_ranges() {
        let nr = CommonTa::from_fields(
            CommonTaFields {
                common: 66_485_757,
                drift: 257_303,
                variant: 28_949,
            },
            TaFlavour::NrSib19,
        )
        .unwrap();
        assert!((nr.common_s * 1e3 - 270.730).abs() < 1e-3);
        assert!((nr.drift_s_per_s * 1e6 - 51.4606).abs() < 1e-4);
        let nb = CommonTa::from_fields(
            CommonTaFields {
                common: 8_316_827,
                drift: 0,
                variant: 0,
            },
            TaFlavour::NbIotSib31,
        )
        .unwrap();
        assert!((nb.common_s * 1e3 - 270.730).abs() < 1e-3);
        // One nta-Common step is one T_s.
        assert!((NBIOT.common_step_s / TS_S - 1.0).abs() < 1e-6); // the spec rounds T_s
        let e = CommonTa::from_fields(
            CommonTaFields {
                common: -1,
                drift: 0,
                variant: 0,
            },
            TaFlavour::NrSib19,
        )
        .unwrap_err();
        assert!(e.to_string().contains("ta-Common-r17 = -1"));
    }

    #[test]
    fn worked_delay_common_example() {
        // ntn-reference §7.4: TA_Common 4072 µs, drift 0.2 µs/s, variant 0.002 µs/s², Δt 10 s
        // → Delay_common 2037.1 µs, two-way 4074.2 µs = 8 010 203 T_c.
        let ta = CommonTa::from_fields(
            CommonTaFields {
                common: 1_000_000,
                drift: 1000,
                variant: 100,
            },
            TaFlavour::NrSib19,
        )
        .unwrap();
        assert!((ta.one_way_s(10.0).s() * 1e6 - 2037.1).abs() < 1e-9);
        let t = TimingAdvance {
            common_s: ta.two_way_s(10.0).s(),
            ..Default::default()
        };
        assert_eq!(t.total_tc(), 8_010_203);
        let back = ta.to_fields(TaFlavour::NrSib19).unwrap();
        assert_eq!(back.common, 1_000_000);
    }

    #[test]
    fn feeder_link_model_tracks_the_truth() {
        let sat = crate::satellite::test_iss();
        let gw = GroundSite::from_degrees(45.0, -75.0, 100.0);
        let eop = EarthOrientation::default();
        // Find an instant with the satellite above the gateway.
        let mut epoch: UtcTime = "2020-07-13T00:00:00Z".parse().unwrap();
        while gw
            .look(&sat.state_ecef(epoch, &eop).unwrap())
            .elevation
            .rad()
            < 0.3
        {
            epoch = epoch.add_secs(30.0);
        }
        let ta = feeder_link_common_ta(&sat, &gw, epoch, &eop).unwrap();
        // A quadratic model of a LEO feeder link: exact at the epoch, tens of ns after 5 s,
        // µs after 20 s (the cubic term) — why networks refresh SIB31 often.
        for (dt, bound) in [(0.0, 1e-12), (5.0, 1e-7), (20.0, 5e-6)] {
            let truth = 2.0
                * gw.look(&sat.state_ecef(epoch.add_secs(dt), &eop).unwrap())
                    .range
                    .m()
                / SPEED_OF_LIGHT_MPS;
            let err = (ta.two_way_s(dt).s() - truth).abs();
            assert!(err < bound, "Δt {dt}: {err}");
        }
        // Quantised into SIB31 units and back: within one step.
        let f = ta.to_fields(TaFlavour::NbIotSib31).unwrap();
        let back = CommonTa::from_fields(f, TaFlavour::NbIotSib31).unwrap();
        assert!((back.common_s - ta.common_s).abs() <= 0.5 * TS_S * 1.0001);
    }

    #[test]
    fn epoch_time_fields_and_resolution() {
        let cell = CellTiming {
            sfn0: "2024-03-01T00:00:00Z".parse().unwrap(),
        };
        // 10 240 ms is the next SFN 0, so 10 243.5 ms is SFN 0 subframe 3: next start SF 4.
        let t = cell.sfn0.add_secs(10.2435);
        let (e, start) = cell.epoch_time_at_or_after(t);
        assert_eq!((e.start_sfn, e.start_subframe), (0, 4));
        assert_eq!(start.secs_since(cell.sfn0), 10.244);
        let t = cell.sfn0.add_secs(5.123);
        let (e, start) = cell.epoch_time_at_or_after(t);
        assert_eq!((e.start_sfn, e.start_subframe), (512, 3));
        assert_eq!(start, t);
        // Received in frame 510: SFN 512 is ahead in the same period…
        let rx = cell.sfn0.add_secs(5.105);
        assert_eq!(cell.resolve_epoch_time(e, rx), start);
        // …received in frame 513: the next SFN 512 is 10.24 s later.
        let rx = cell.sfn0.add_secs(5.135);
        assert_eq!(cell.resolve_epoch_time(e, rx), start.add_secs(10.24));
        // The current frame counts: received in frame 512 after its subframe 3.
        let rx = cell.sfn0.add_secs(5.128);
        assert_eq!(cell.resolve_epoch_time(e, rx), start);
    }

    #[test]
    fn ue_specific_overhead() {
        let ue = Position::<Ecef>::new(DVec3::new(0.0, 0.0, 6_371e3));
        let sat = Position::<Ecef>::new(DVec3::new(0.0, 0.0, 6_971e3));
        let ta = ue_specific_ta(&sat, &ue).s();
        assert!((ta * 1e3 - 4.0028).abs() < 1e-4, "{ta}");
    }
}
