//! RLC timer and threshold values as RRC can signal them (TS 36.331 §6.3.2 RLC-Config,
//! §6.7.3.6 RLC-Config-NB), checked once at configuration ("parse, don't validate").
//!
//! NTN sizing: a GEO round trip is ≈ 541 ms (UE–satellite–gateway, transparent payload).
//! t-PollRetransmit must exceed it: NB-IoT values reach 300 s (T-PollRetransmit-NB-r13),
//! LTE values reach 4000 ms (ms4000-v1310). t-Reordering must cover the spread of HARQ
//! retransmissions; Rel-17 adds t-ReorderingExt-r17 {2200, 3200} ms for NTN.
//! t-StatusProhibit reaches 2400 ms (ms2400-v1310).

use ntn_types::Duration;
use thiserror::Error;

/// A configuration value RRC cannot signal.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A timer value not in the ASN.1 enumeration.
    #[error("{name}: {ms} ms is not a value of the TS 36.331 enumeration")]
    TimerValue {
        /// The RRC field.
        name: &'static str,
        /// The rejected value.
        ms: u32,
    },
    /// maxRetxThreshold not in {1, 2, 3, 4, 6, 8, 16, 32}.
    #[error("maxRetxThreshold {0} not in t1..t32")]
    MaxRetx(u32),
    /// pollPDU / pollByte of zero.
    #[error("{0} must be positive")]
    Zero(&'static str),
}

/// T-PollRetransmit (LTE), TS 36.331 §6.3.2, incl. the -v1310 CE values, in ms.
pub const T_POLL_RETRANSMIT_MS: &[u32] = &[
    5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100, 105, 110, 115,
    120, 125, 130, 135, 140, 145, 150, 155, 160, 165, 170, 175, 180, 185, 190, 195, 200, 205, 210,
    215, 220, 225, 230, 235, 240, 245, 250, 300, 350, 400, 450, 500, 800, 1000, 2000, 4000,
];

/// T-PollRetransmit-NB-r13, TS 36.331 §6.7.3.6 (ms300000-v1530 TDD only), in ms.
pub const T_POLL_RETRANSMIT_NB_MS: &[u32] = &[
    250, 500, 1000, 2000, 3000, 4000, 6000, 10000, 15000, 25000, 40000, 60000, 90000, 120000,
    180000, 300000,
];

/// T-Reordering, TS 36.331 §6.3.2 (incl. ms1600-v1310), plus T-ReorderingExt-r17
/// {2200, 3200}, in ms.
pub const T_REORDERING_MS: &[u32] = &[
    0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100, 110, 120,
    130, 140, 150, 160, 170, 180, 190, 200, 1600, 2200, 3200,
];

/// T-StatusProhibit, TS 36.331 §6.3.2 (incl. the -v1310 values), in ms.
pub const T_STATUS_PROHIBIT_MS: &[u32] = &[
    0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100, 105, 110,
    115, 120, 125, 130, 135, 140, 145, 150, 155, 160, 165, 170, 175, 180, 185, 190, 195, 200, 205,
    210, 215, 220, 225, 230, 235, 240, 245, 250, 300, 350, 400, 450, 500, 800, 1000, 1200, 1600,
    2000, 2400,
];

/// maxRetxThreshold values t1 … t32 (number of retransmissions).
pub const MAX_RETX_THRESHOLD: &[u32] = &[1, 2, 3, 4, 6, 8, 16, 32];

fn checked(name: &'static str, table: &[u32], ms: u32) -> Result<Duration, ConfigError> {
    if table.contains(&ms) {
        Ok(Duration::from_millis(i64::from(ms)))
    } else {
        Err(ConfigError::TimerValue { name, ms })
    }
}

/// t-PollRetransmit, a value RRC can signal (LTE or NB-IoT table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TPollRetransmit(Duration);

impl TPollRetransmit {
    /// ms25000 of T-PollRetransmit-NB-r13: the NB-IoT SRB1 default (TS 36.331 §9.2.1.1).
    pub const NB_SRB1_DEFAULT: TPollRetransmit = TPollRetransmit(Duration::from_millis(25000));

    /// From milliseconds, checked against the LTE and NB-IoT enumerations.
    pub fn from_ms(ms: u32) -> Result<Self, ConfigError> {
        checked("t-PollRetransmit", T_POLL_RETRANSMIT_MS, ms)
            .or_else(|_| checked("t-PollRetransmit", T_POLL_RETRANSMIT_NB_MS, ms))
            .map(TPollRetransmit)
    }
    /// The timer length.
    pub fn duration(self) -> Duration {
        self.0
    }
}

/// t-Reordering (or t-ReorderingExt-r17), a value RRC can signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TReordering(Duration);

impl TReordering {
    /// From milliseconds, checked against T-Reordering ∪ T-ReorderingExt-r17.
    pub fn from_ms(ms: u32) -> Result<Self, ConfigError> {
        checked("t-Reordering", T_REORDERING_MS, ms).map(TReordering)
    }
    /// The timer length.
    pub fn duration(self) -> Duration {
        self.0
    }
}

/// t-StatusProhibit, a value RRC can signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TStatusProhibit(Duration);

impl TStatusProhibit {
    /// From milliseconds, checked against T-StatusProhibit.
    pub fn from_ms(ms: u32) -> Result<Self, ConfigError> {
        checked("t-StatusProhibit", T_STATUS_PROHIBIT_MS, ms).map(TStatusProhibit)
    }
    /// 0 ms: the NB-IoT case, where t-StatusProhibit is not signalled.
    pub const ZERO: TStatusProhibit = TStatusProhibit(Duration::ZERO);
    /// The timer length.
    pub fn duration(self) -> Duration {
        self.0
    }
}

/// maxRetxThreshold: retransmissions of one AMD PDU before RLF is indicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxRetxThreshold(u32);

impl MaxRetxThreshold {
    /// t4: the NB-IoT SRB1 default (TS 36.331 §9.2.1.1).
    pub const T4: MaxRetxThreshold = MaxRetxThreshold(4);

    /// From the number of retransmissions (t1 = 1 … t32 = 32).
    pub fn new(n: u32) -> Result<Self, ConfigError> {
        if MAX_RETX_THRESHOLD.contains(&n) {
            Ok(MaxRetxThreshold(n))
        } else {
            Err(ConfigError::MaxRetx(n))
        }
    }
    /// The threshold.
    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geo_round_trip_is_covered() {
        let geo_rtt = Duration::from_millis(541);
        // Every timer has at least one value above a GEO round trip.
        assert!(TPollRetransmit::from_ms(800).unwrap().duration() > geo_rtt);
        assert!(TPollRetransmit::from_ms(300000).unwrap().duration() > geo_rtt);
        assert!(TReordering::from_ms(3200).unwrap().duration() > geo_rtt);
        assert!(TStatusProhibit::from_ms(2400).unwrap().duration() > geo_rtt);
        assert!(TPollRetransmit::from_ms(7).is_err());
        assert!(TReordering::from_ms(105).is_err());
        assert!(MaxRetxThreshold::new(5).is_err());
        assert_eq!(MaxRetxThreshold::new(32).unwrap().get(), 32);
        assert_eq!(
            TPollRetransmit::from_ms(25000).unwrap(),
            TPollRetransmit::NB_SRB1_DEFAULT
        );
        assert_eq!(MaxRetxThreshold::new(4).unwrap(), MaxRetxThreshold::T4);
    }
}
