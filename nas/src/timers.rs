//! NAS timer values by access (TS 24.301 §10.2, TS 24.501 §10.2), including the values a UE
//! uses on a satellite RAT (Rel-17 NTN).
//!
//! The UE picks the values when a procedure starts (TS 24.501 §4.19: "calculated at start of a
//! NAS procedure, and shall not be re-calculated until the NAS procedure is completed,
//! restarted or aborted"); the stack tells the NAS which access it is on.
//!
//! Sources and confidence, per value:
//! - Terrestrial EPS (table 10.2.1 of TS 24.301): T3410 15 s, T3417 5 s, T3421 15 s, T3430 15 s.
//! - Terrestrial 5GS (table 10.2.1 of TS 24.501): T3510 15 s, T3517 15 s, T3521 15 s.
//! - Satellite NG-RAN: T3510 **27 s** ("For access via a satellite NG-RAN cell, 27s", TS 24.501
//!   Rel-18 table 10.2.1, checked in a public copy of the table).
//! - **UNCONFIRMED** (not read in the spec text here, only inferred): the satellite values of
//!   the other timers. They are the terrestrial value + the same 12 s extension as T3510, for
//!   satellite NG-RAN and satellite E-UTRAN (NB-IoT NTN) alike. Override them with
//!   [`EmmTimers`]/[`FgmmTimers`] values in the UE configuration when the spec text says
//!   otherwise.

use ntn_types::Duration;

/// The radio access the NAS runs over, as the stack reports it.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
pub enum NasAccess {
    /// Terrestrial E-UTRAN / NB-IoT / NR.
    #[default]
    Terrestrial,
    /// Satellite E-UTRAN: NB-IoT NTN (or eMTC NTN), EPS NAS.
    SatelliteEutran,
    /// Satellite NG-RAN: NR NTN, 5GS NAS.
    SatelliteNgRan,
}

impl NasAccess {
    /// Whether this is a satellite access.
    pub fn is_satellite(self) -> bool {
        !matches!(self, Self::Terrestrial)
    }
}

/// The extension applied to the satellite values (T3510: 15 s -> 27 s).
const SATELLITE_EXTENSION: Duration = Duration::from_secs(12);

/// EPS mobility management timers of the UE (TS 24.301 table 10.2.1).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct EmmTimers {
    /// T3410: ATTACH REQUEST sent, until ATTACH ACCEPT/REJECT.
    pub t3410: Duration,
    /// T3417: SERVICE REQUEST / CONTROL PLANE SERVICE REQUEST sent, until service is granted.
    pub t3417: Duration,
    /// T3421: DETACH REQUEST sent, until DETACH ACCEPT.
    pub t3421: Duration,
    /// T3430: TRACKING AREA UPDATE REQUEST sent, until TAU ACCEPT/REJECT.
    pub t3430: Duration,
}

impl EmmTimers {
    /// Terrestrial values.
    pub const TERRESTRIAL: Self = Self {
        t3410: Duration::from_secs(15),
        t3417: Duration::from_secs(5),
        t3421: Duration::from_secs(15),
        t3430: Duration::from_secs(15),
    };

    /// The values for `access` (satellite values UNCONFIRMED, see the module notes).
    pub fn for_access(access: NasAccess) -> Self {
        let t = Self::TERRESTRIAL;
        if !access.is_satellite() {
            return t;
        }
        Self {
            t3410: t.t3410 + SATELLITE_EXTENSION,
            t3417: t.t3417 + SATELLITE_EXTENSION,
            t3421: t.t3421 + SATELLITE_EXTENSION,
            t3430: t.t3430 + SATELLITE_EXTENSION,
        }
    }
}

/// 5GS mobility management timers of the UE (TS 24.501 table 10.2.1).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct FgmmTimers {
    /// T3510: REGISTRATION REQUEST sent, until REGISTRATION ACCEPT/REJECT.
    pub t3510: Duration,
    /// T3517: SERVICE REQUEST sent, until SERVICE ACCEPT/REJECT.
    pub t3517: Duration,
    /// T3521: DEREGISTRATION REQUEST sent, until DEREGISTRATION ACCEPT.
    pub t3521: Duration,
}

impl FgmmTimers {
    /// Terrestrial values.
    pub const TERRESTRIAL: Self = Self {
        t3510: Duration::from_secs(15),
        t3517: Duration::from_secs(15),
        t3521: Duration::from_secs(15),
    };

    /// The values for `access`: T3510 27 s on satellite (TS 24.501 table 10.2.1); T3517 and
    /// T3521 UNCONFIRMED (+12 s, see the module notes).
    pub fn for_access(access: NasAccess) -> Self {
        let t = Self::TERRESTRIAL;
        if !access.is_satellite() {
            return t;
        }
        Self {
            t3510: Duration::from_secs(27),
            t3517: t.t3517 + SATELLITE_EXTENSION,
            t3521: t.t3521 + SATELLITE_EXTENSION,
        }
    }
}

/// Decodes a GPRS timer value octet (TS 24.008 §10.5.7.3), as in T3412 of ATTACH ACCEPT:
/// bits 8-6 unit (000 2 s, 001 1 min, 010 6 min, 111 deactivated), bits 5-1 the value.
/// `None` when deactivated; other units decode as 1 min (§10.5.7.3: "other values shall be
/// interpreted as multiples of 1 minute").
pub fn gprs_timer(octet: u8) -> Option<Duration> {
    let v = i64::from(octet & 0x1f);
    match octet >> 5 {
        0b000 => Some(Duration::from_secs(2 * v)),
        0b010 => Some(Duration::from_secs(360 * v)),
        0b111 => None,
        _ => Some(Duration::from_secs(60 * v)),
    }
}

/// Decodes a GPRS timer 3 value octet (TS 24.008 §10.5.7.4a), as in T3512 of REGISTRATION
/// ACCEPT and T3412 extended value: bits 8-6 unit (000 10 min, 001 1 h, 010 10 h, 011 2 s,
/// 100 30 s, 101 1 min, 110 320 h, 111 deactivated), bits 5-1 the value.
pub fn gprs_timer3(octet: u8) -> Option<Duration> {
    let v = i64::from(octet & 0x1f);
    let unit_s = match octet >> 5 {
        0b000 => 600,
        0b001 => 3600,
        0b010 => 36_000,
        0b011 => 2,
        0b100 => 30,
        0b101 => 60,
        0b110 => 1_152_000,
        _ => return None,
    };
    Some(Duration::from_secs(unit_s * v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satellite_values_are_longer_and_t3510_is_the_spec_value() {
        let t = FgmmTimers::for_access(NasAccess::SatelliteNgRan);
        assert_eq!(t.t3510, Duration::from_secs(27));
        assert_eq!(
            FgmmTimers::for_access(NasAccess::Terrestrial).t3510,
            Duration::from_secs(15)
        );
        let e = EmmTimers::for_access(NasAccess::SatelliteEutran);
        let g = EmmTimers::TERRESTRIAL;
        assert!(e.t3410 > g.t3410 && e.t3417 > g.t3417 && e.t3430 > g.t3430);
    }

    #[test]
    fn gprs_timer_units() {
        assert_eq!(gprs_timer(0x49), Some(Duration::from_secs(54 * 60)));
        assert_eq!(gprs_timer(0x05), Some(Duration::from_secs(10)));
        assert_eq!(gprs_timer(0x21), Some(Duration::from_secs(60)));
        assert_eq!(gprs_timer(0xe0), None);
        assert_eq!(gprs_timer3(0x06), Some(Duration::from_secs(3600)));
        assert_eq!(gprs_timer3(0xa3), Some(Duration::from_secs(180)));
        assert_eq!(gprs_timer3(0xe1), None);
    }
}
