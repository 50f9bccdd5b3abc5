//! Layer-1/layer-2 conventions the UE and cell stacks share: the frame grid, NPRACH
//! occasions and RA-RNTI, the random-access parameters both sides must agree on (in a real
//! cell they come from SIB2-NB), MAC PDU assembly, and the SIM card.

use ntn_mac::mac::pdu::{LinkDirection as MacDir, MacPduError, MacPduRepr, MacSubPdu};
use ntn_types::{Duration, Instant};
use serde::{Deserialize, Serialize};

/// One subframe.
pub const SUBFRAME: Duration = Duration::from_millis(1);
/// Subframes in one SFN cycle (1024 frames).
pub const SUBFRAMES_PER_SFN_CYCLE: i64 = 10_240;
/// T_s = 1/30.72 MHz, seconds.
pub const TS_S: f64 = 1.0 / 30.72e6;
/// Granularity of the RAR timing advance command: 16·T_s (TS 36.213 §4.2.3).
pub const TA_STEP_S: f64 = 16.0 * TS_S;
/// Largest NB-IoT RAR timing advance command T_A (11 bits, 0…1282).
pub const TA_MAX: u16 = 1282;
/// LCID of SRB1bis, which carries RRC and NAS of a control-plane-CIoT UE (no PDCP).
pub const LCID_SRB1BIS: u8 = ntn_mac::mac::pdu::LCID_SRB1BIS;

/// The random-access configuration both sides use (RACH-ConfigCommon-NB and
/// NPRACH-ConfigSIB-NB of SIB2-NB).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RachConfig {
    /// nprach-Periodicity, ms.
    pub nprach_period_ms: u32,
    /// nprach-StartTime, ms into the period.
    pub nprach_start_ms: u32,
    /// Air time of one preamble with its repetitions, ms (format 1: 4 symbol groups of
    /// 1.6 ms per repetition).
    pub preamble_duration_ms: u32,
    /// Repetitions per preamble attempt.
    pub preamble_repetitions: u16,
    /// ra-ResponseWindowSize as a time, ms.
    pub rar_window_ms: u32,
    /// mac-ContentionResolutionTimer, ms.
    pub contention_resolution_ms: u32,
    /// preambleTransMax-CE.
    pub preamble_trans_max: u32,
    /// Largest arrival-time error at which the cell's NPRACH receiver still detects a
    /// preamble: the cyclic prefix of NPRACH format 1 (266.7 µs, TS 36.211 Table 10.1.6.1-1).
    pub max_preamble_timing_error_s: f64,
    /// Largest carrier offset at which the NPRACH receiver detects a preamble, Hz (a fraction
    /// of the 3.75 kHz tone spacing).
    pub max_preamble_freq_error_hz: f64,
}

impl Default for RachConfig {
    fn default() -> Self {
        RachConfig {
            nprach_period_ms: 40,
            nprach_start_ms: 8,
            preamble_duration_ms: 26,
            preamble_repetitions: 4,
            rar_window_ms: 320,
            contention_resolution_ms: 2048,
            preamble_trans_max: 10,
            max_preamble_timing_error_s: 266.7e-6,
            max_preamble_freq_error_hz: 1_000.0,
        }
    }
}

impl RachConfig {
    /// The NPRACH occasion (cell subframe index) nearest to cell subframe `sf` (fractional).
    pub fn nearest_occasion(&self, sf: f64) -> i64 {
        let p = f64::from(self.nprach_period_ms.max(1));
        let s = f64::from(self.nprach_start_ms);
        (((sf - s) / p).round() * p + s) as i64
    }

    /// The first NPRACH occasion (cell subframe index) at or after subframe `sf`.
    pub fn next_occasion(&self, sf: i64) -> i64 {
        let p = i64::from(self.nprach_period_ms.max(1));
        let s = i64::from(self.nprach_start_ms);
        (sf - s).div_euclid(p) * p + s + if (sf - s).rem_euclid(p) == 0 { 0 } else { p }
    }
}

/// RA-RNTI of a preamble sent in the frame with this SFN: 1 + floor(SFN/4) (TS 36.321
/// §5.1.4 for NB-IoT, carrier 0).
pub fn ra_rnti(sfn: u16) -> u16 {
    1 + (sfn % 1024) / 4
}

/// SFN of cell subframe index `sf`.
pub fn sfn_of(sf: i64) -> u16 {
    (sf.rem_euclid(SUBFRAMES_PER_SFN_CYCLE) / 10) as u16
}

/// The instant of subframe `sf` on a grid whose subframe 0 is at `origin`.
pub fn subframe_instant(origin: Instant, sf: i64) -> Instant {
    origin + Duration::from_millis(sf)
}

/// Subframes (fractional) from `origin` to `t`.
pub fn subframes_since(origin: Instant, t: Instant) -> f64 {
    (t - origin).as_nanos() as f64 / 1e6
}

/// The subframe boundary of the grid through `origin` nearest to `t`, and its number
/// (subframes from `origin`).
pub fn nearest_subframe(origin: Instant, t: Instant) -> (Instant, i64) {
    let k = subframes_since(origin, t).round() as i64;
    (origin + Duration::from_millis(k), k)
}

/// RLC AM of SRB1bis on both sides: the NB-IoT defaults of TS 36.331 §9.2.1.1 except
/// t-PollRetransmit, which is `t_poll_retransmit_ms` (an NB-IoT value: 250…4000 ms covers a GEO
/// round trip with K_offset; the 25 s default would stall a lost PDU for 25 s, and this
/// stack has no HARQ of its own).
pub fn srb1bis_rlc_config(t_poll_retransmit_ms: u32) -> ntn_mac::rlc::am::RlcAmConfig {
    use ntn_mac::rlc::timers::TPollRetransmit;
    let mut c = ntn_mac::rlc::am::RlcAmConfig::nb_iot_default();
    c.t_poll_retransmit =
        TPollRetransmit::from_ms(t_poll_retransmit_ms).unwrap_or(TPollRetransmit::NB_SRB1_DEFAULT);
    c.max_sdu_len = 2000;
    c
}

/// Emits `elements` as one DL-SCH or UL-SCH MAC PDU of exactly `tbs` bytes, or, with
/// `tbs = None`, of the smallest size that holds them.
pub fn mac_pdu(
    elements: &[(u8, &[u8])],
    uplink: bool,
    tbs: Option<usize>,
) -> Result<Vec<u8>, MacPduError> {
    let repr = MacPduRepr {
        elements: elements
            .iter()
            .map(|&(lcid, payload)| MacSubPdu { lcid, payload })
            .collect(),
        padding: 0,
    };
    let dir = if uplink {
        MacDir::Uplink
    } else {
        MacDir::Downlink
    };
    let body: usize = elements.iter().map(|e| e.1.len()).sum();
    let mut out = Vec::new();
    if let Some(tbs) = tbs {
        repr.emit(dir, tbs, &mut out)?;
        return Ok(out);
    }
    // Subheaders take 1 to 3 bytes each: the first size that fits is the tight one.
    let mut last = MacPduError::TooLong;
    for tbs in body + elements.len()..=body + 3 * elements.len() + 2 {
        out.clear();
        match repr.emit(dir, tbs, &mut out) {
            Ok(()) => return Ok(out),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The subscriber's SIM: what the UE's USIM holds and the HSS knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimCard {
    /// IMSI digits.
    pub imsi: String,
    /// Subscriber key K.
    pub k: [u8; 16],
    /// OPc.
    pub opc: [u8; 16],
    /// SQN the USIM last accepted (and the HSS's next SQN is above it).
    pub sqn: u64,
}

impl Default for SimCard {
    fn default() -> Self {
        // TS 35.208 test set 1 key material (a public test SIM).
        SimCard {
            imsi: "001010000000001".into(),
            k: [
                0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38,
                0xa6, 0xbc,
            ],
            opc: [
                0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e, 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0,
                0x2b, 0xaf,
            ],
            sqn: 32,
        }
    }
}

/// A traffic payload stamped with its send instant (first 8 bytes, big-endian ns), so the
/// receiving side measures one-way latency on the common (GNSS) time base.
pub fn stamped_payload(now: Instant, len: usize, seq: u32) -> Vec<u8> {
    let mut p = now.as_nanos().to_be_bytes().to_vec();
    p.extend_from_slice(&seq.to_be_bytes());
    p.resize(len.max(12), 0x5a);
    p
}

/// The send instant a [`stamped_payload`] carries.
pub fn payload_stamp(p: &[u8]) -> Option<Instant> {
    let b: [u8; 8] = p.get(..8)?.try_into().ok()?;
    Some(Instant::from_nanos(i64::from_be_bytes(b)))
}

/// NPUSCH repetition numbers (TS 36.213 Table 16.5.1.1-3), indexed by the DCI/RAR field.
pub const NPUSCH_REPETITIONS: [u16; 8] = [1, 2, 4, 8, 16, 32, 64, 128];

/// NPDSCH repetition numbers the cell uses (a subset of TS 36.213 Table 16.4.1.3-2).
pub const NPDSCH_REPETITIONS: [u16; 8] = [1, 2, 4, 8, 16, 32, 64, 128];

/// Information bits one NPUSCH resource unit carries at the highest MCS: 256 multi-tone
/// (3, 6 or 12 tones: I_TBS 12, N_RU 1), 144 single-tone (I_TBS 10, N_RU 1: TS 36.213 Table
/// 16.5.1.2-2; the TBS depends on I_TBS and N_RU only, the RU's length on the tones).
pub fn npusch_bits_per_ru(subcarriers: u8) -> u32 {
    if subcarriers >= 3 { 256 } else { 144 }
}

/// Duration of one NPUSCH format 1 resource unit at 15 kHz: 1 ms with 12 tones, 2 ms with
/// 6, 4 ms with 3, 8 ms single-tone (TS 36.211 Table 10.1.2.3-1).
pub fn npusch_ru_ms(subcarriers: u8) -> i64 {
    match subcarriers {
        12.. => 1,
        6..=11 => 2,
        3..=5 => 4,
        _ => 8,
    }
}

/// Resource units of an NPUSCH format 1 transport block of `tbs_bits` on `subcarriers`
/// tones at 15 kHz, between 1 and 10.
pub fn npusch_resource_units_on(tbs_bits: u32, subcarriers: u8) -> u16 {
    tbs_bits
        .div_ceil(npusch_bits_per_ru(subcarriers))
        .clamp(1, 10) as u16
}

/// Air time of an NPUSCH format 1 transmission: RU duration × N_RU × repetitions.
pub fn npusch_duration(subcarriers: u8, resource_units: u16, repetitions: u16) -> Duration {
    Duration::from_millis(
        npusch_ru_ms(subcarriers)
            * i64::from(resource_units.max(1))
            * i64::from(repetitions.max(1)),
    )
}

/// Link adaptation of a cell: the smallest repetition number whose energy per information
/// bit reaches the target, from a carrier-to-noise-density estimate.
///
/// `cn0_dbhz` is C/N0 in dB-Hz (a measured SNR plus ten times the log of the bandwidth it
/// was measured over); a transmission of `bits` that occupies its carrier for `air_s` per
/// repetition reaches E_b/N0 = C/N0 + 10·log10(reps · air_s / bits). Returns the index into
/// `table` (the largest if none reaches the target).
pub fn repetitions_for(
    cn0_dbhz: f64,
    air_s: f64,
    bits: u32,
    target_ebn0_db: f64,
    table: &[u16],
) -> usize {
    let per_bit_db = 10.0 * (air_s / f64::from(bits.max(1))).log10();
    table
        .iter()
        .position(|&r| cn0_dbhz + per_bit_db + 10.0 * f64::from(r).log10() >= target_ebn0_db)
        .unwrap_or(table.len().saturating_sub(1))
}

/// Coverage-enhancement level from a downlink measurement against the thresholds of
/// SIB2-NB (`rsrp-ThresholdsPrachInfoList`, ascending): level 0 at or above the highest,
/// one more per threshold it falls below.
pub fn ce_level(measured: f64, thresholds: &[f64]) -> u8 {
    thresholds.iter().filter(|&&t| measured < t).count() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occasions_and_rnti() {
        let r = RachConfig::default();
        assert_eq!(r.next_occasion(0), 8);
        assert_eq!(r.next_occasion(8), 8);
        assert_eq!(r.next_occasion(9), 48);
        assert_eq!(r.nearest_occasion(27.9), 8);
        assert_eq!(r.nearest_occasion(28.1), 48);
        assert_eq!(ra_rnti(sfn_of(10_240 + 48)), 2);
    }

    #[test]
    fn mac_pdus_are_tight_or_padded() {
        let sdu = [1u8, 2, 3, 4, 5];
        let tight = mac_pdu(&[(LCID_SRB1BIS, &sdu)], true, None).expect("fits");
        assert_eq!(tight.len(), 6);
        let padded = mac_pdu(&[(LCID_SRB1BIS, &sdu)], true, Some(40)).expect("fits");
        assert_eq!(padded.len(), 40);
        let p = MacPduRepr::parse(&padded, MacDir::Uplink).expect("parses");
        assert_eq!(p.elements[0].payload, &sdu);
    }

    #[test]
    fn stamps_round_trip() {
        let t = Instant::from_nanos(123_456_789_012);
        let p = stamped_payload(t, 32, 7);
        assert_eq!(p.len(), 32);
        assert_eq!(payload_stamp(&p), Some(t));
    }

    #[test]
    fn repetitions_reach_the_energy_target() {
        // 50 dB-Hz, single tone (8 ms / 144 bits ≈ −42.6 dB): E_b/N0 7.4 dB without
        // repetition, so a 6 dB target needs none, a 10 dB one 2 (+3 dB), 20 dB 32 (+15 dB).
        let t = &NPUSCH_REPETITIONS;
        assert_eq!(repetitions_for(50.0, 8e-3, 144, 6.0, t), 0);
        assert_eq!(t[repetitions_for(50.0, 8e-3, 144, 10.0, t)], 2);
        assert_eq!(t[repetitions_for(50.0, 8e-3, 144, 20.0, t)], 32);
        // Out of reach: the largest.
        assert_eq!(repetitions_for(-20.0, 8e-3, 144, 6.0, t), t.len() - 1);
    }

    #[test]
    fn npusch_formats_and_ce_levels() {
        assert_eq!(npusch_resource_units_on(1000, 12), 4);
        assert_eq!(npusch_resource_units_on(1000, 1), 7);
        assert_eq!(npusch_resource_units_on(50_000, 1), 10);
        assert_eq!(npusch_duration(1, 7, 4), Duration::from_millis(224));
        assert_eq!(npusch_duration(12, 4, 1), Duration::from_millis(4));
        let th = [-140.0, -130.0];
        assert_eq!(ce_level(-120.0, &th), 0);
        assert_eq!(ce_level(-135.0, &th), 1);
        assert_eq!(ce_level(-145.0, &th), 2);
    }
}
