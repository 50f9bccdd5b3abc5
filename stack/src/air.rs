//! The link-level air interface: what a UE or cell stack hands to whatever carries its
//! transmissions, and what it is handed back.
//!
//! One [`AirTransmission`] is one physical-channel transmission (a MIB-NB, one NPDSCH
//! transport block, one NPRACH preamble, one NPUSCH transport block or HARQ-ACK) with the
//! resources it occupies ([`LinkFormat`]). The carrier decides whether it arrives and how:
//! - the simulator's engine in **link abstraction** delays it by the true propagation, shifts
//!   it by the true Doppler, draws its fate from the BLER curves our PHY produced for its
//!   format at the SNR of the moment, and delivers an [`AirReception`];
//! - at **sample level** the same transmission is modulated by `ntn-phy`, passes the orbit
//!   channel as IQ, and the receiving PHY produces the [`AirReception`] with its own
//!   measurements.
//!
//! Times are run time ([`Instant`]). A transmitter's `start` is the instant it keys up at its
//! antenna (a UE has already advanced it by its timing advance). A reception's `arrival` is
//! the instant the first sample reaches the receiver's antenna; the receiver derives its
//! residual errors from it (a cell compares it with the subframe boundary it scheduled — the
//! UE's own belief about its timing never enters the measurement).
//!
//! The engine drives anything that implements [`AirNode`]; the stacks implement it.

use ntn_types::{Duration, Instant};
use serde::{Deserialize, Serialize};

/// Which way a transmission goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkDirection {
    /// Cell → UE.
    Downlink,
    /// UE → cell.
    Uplink,
}

/// The NB-IoT physical channel a transmission occupies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum NbChannel {
    /// NPBCH: MIB-NB, one 640 ms TTI.
    Npbch,
    /// NPDSCH: a DL-SCH transport block (system information, RAR, paging, Msg4, data),
    /// scheduled by an NPDCCH that the link level folds into it.
    Npdsch,
    /// NPRACH preamble (format 0/1/2).
    Nprach,
    /// NPUSCH format 1: a UL-SCH transport block.
    NpuschF1,
    /// NPUSCH format 2: HARQ-ACK.
    NpuschF2,
    /// NPDCCH carrying an uplink grant (DCI format N0) on its own: the downlink
    /// assignments are folded into their NPDSCH, an uplink grant has no NPDSCH to ride on.
    Npdcch,
}

impl NbChannel {
    /// The direction the channel goes in.
    pub fn direction(self) -> LinkDirection {
        match self {
            NbChannel::Npbch | NbChannel::Npdsch | NbChannel::Npdcch => LinkDirection::Downlink,
            NbChannel::Nprach | NbChannel::NpuschF1 | NbChannel::NpuschF2 => LinkDirection::Uplink,
        }
    }
}

/// The resources a transmission occupies: what the link abstraction looks its BLER up by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkFormat {
    /// Physical channel.
    pub channel: NbChannel,
    /// Transport block size in bits (0 for a preamble or HARQ-ACK).
    pub tbs_bits: u32,
    /// Subframes (NPDSCH, NPBCH) or resource units (NPUSCH) of one repetition.
    pub resource_units: u16,
    /// Repetitions.
    pub repetitions: u16,
    /// Subcarriers: 12 on the downlink; 1, 3, 6 or 12 for NPUSCH; 1 for NPRACH.
    pub subcarriers: u8,
    /// Subcarrier spacing in Hz (15 000, 3 750 or, for NPRACH format 2, 1 250).
    pub subcarrier_spacing_hz: u32,
}

/// What is carried.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AirPayload {
    /// MIB-NB as its UPER bytes (34 bits, zero-padded to 5 bytes).
    Mib {
        /// UPER encoding of `BCCH-BCH-Message-NB`.
        bytes: Vec<u8>,
    },
    /// A DL-SCH transport block for an RNTI (SI-RNTI 0xFFFF, P-RNTI 0xFFFE, RA-RNTI,
    /// TC-RNTI or C-RNTI).
    Dlsch {
        /// RNTI the NPDCCH/NPDSCH is scrambled with.
        rnti: u16,
        /// The MAC PDU (or, for SI-RNTI, the BCCH-DL-SCH message).
        tb: Vec<u8>,
    },
    /// An NPRACH preamble.
    Preamble {
        /// Starting subcarrier = RAPID.
        rapid: u8,
        /// CE level.
        ce_level: u8,
    },
    /// A UL-SCH transport block.
    Ulsch {
        /// RNTI of the grant (TC-RNTI for Msg3, else C-RNTI).
        rnti: u16,
        /// The MAC PDU.
        tb: Vec<u8>,
    },
    /// HARQ-ACK on NPUSCH format 2.
    HarqAck {
        /// C-RNTI.
        rnti: u16,
        /// ACK (true) or NACK.
        ack: bool,
    },
    /// An uplink grant (DCI format N0 on NPDCCH, TS 36.212 §6.4.3.1): NPUSCH format 1 for
    /// `rnti`, starting `k0_ms` + K_offset subframes after the end of this NPDCCH
    /// (TS 36.213 §16.5.1), with room for `tbs_bits`.
    UlGrant {
        /// C-RNTI.
        rnti: u16,
        /// Transport block size granted, bits.
        tbs_bits: u32,
        /// Scheduling delay k0 in subframes (8, 16, 32 or 64).
        k0_ms: u16,
        /// Tones at 15 kHz (1, 3, 6 or 12: the subcarrier indication).
        subcarriers: u8,
        /// NPUSCH repetitions (1…128).
        repetitions: u16,
    },
}

/// One transmission handed to the carrier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AirTransmission {
    /// Instant the transmitter keys up at its antenna (a UE's TA already applied).
    pub start: Instant,
    /// Air time of all repetitions.
    pub duration: Duration,
    /// What is sent.
    pub payload: AirPayload,
    /// Resources it occupies.
    pub format: LinkFormat,
    /// Shift of the transmitter's carrier from nominal, Hz: the UE's UL frequency
    /// pre-compensation, or the cell's DL Doppler pre-compensation to the beam centre.
    pub carrier_shift_hz: f64,
    /// Transmit power, dBm (the engine applies the link budget to it).
    pub tx_power_dbm: f64,
}

/// What the receiving PHY measured on a transmission.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RxMeasurement {
    /// Instant the first sample reached the receiver's antenna.
    pub arrival: Instant,
    /// The receiver measured `arrival` itself (false: a receiver without a timing estimate
    /// for this format — a single-tone NPUSCH — reports the instant it expected).
    #[serde(default = "measured")]
    pub timing_measured: bool,
    /// SNR over the occupied bandwidth, dB.
    pub snr_db: f64,
    /// The receiver measured `snr_db` itself (false: too short a reception for a downlink
    /// estimate, or a cold cell search; `snr_db` is then the channel's and is for reports
    /// only).
    #[serde(default = "measured")]
    pub snr_measured: bool,
    /// Carrier frequency offset the receiver sees relative to its own nominal carrier, Hz
    /// (for the cell: the residual of the UE's pre-compensation plus its oscillator error).
    pub freq_offset_hz: f64,
}

fn measured() -> bool {
    true
}

/// How a receiver is set for a transmission: the window it processes and the carrier it is
/// tuned to (the sample-level engine needs it; the link level does not).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RxTuning {
    /// Start of the receive window the transmission falls in (a subframe boundary of the
    /// receiver's grid).
    pub window_start: Instant,
    /// Rate at which the receiver slews its grid over the transmission (its prediction of
    /// the delay drift), s/s.
    pub timing_rate: f64,
    /// Carrier offset the receiver is tuned to at `window_start`, Hz.
    pub freq_hz: f64,
    /// Rate at which it slews its tuning, Hz/s.
    pub freq_rate_hz_s: f64,
}

/// One reception handed to a stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AirReception {
    /// What was sent (for a failed decode the receiver must not use it beyond its header:
    /// the RNTI and channel it was scheduled on, so that HARQ can NACK).
    pub payload: AirPayload,
    /// Resources it occupied.
    pub format: LinkFormat,
    /// Whether the receiver decoded it (CRC pass; for a preamble: detected).
    pub decoded: bool,
    /// Measurements.
    pub measurement: RxMeasurement,
}

/// Anything the engine drives through the air: a UE stack or a cell stack.
pub trait AirNode {
    /// A reception (decoded or not).
    fn handle_reception(&mut self, now: Instant, rx: AirReception);
    /// The deadline returned by [`AirNode::poll_timeout`] has passed.
    fn handle_timeout(&mut self, now: Instant);
    /// Next transmission to put on the air, if any (its `start` may lie in the future: the
    /// carrier holds it until then).
    fn poll_transmission(&mut self) -> Option<AirTransmission>;
    /// Earliest instant the node wants [`AirNode::handle_timeout`].
    fn poll_timeout(&self) -> Option<Instant>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_know_their_direction() {
        assert_eq!(NbChannel::Npbch.direction(), LinkDirection::Downlink);
        assert_eq!(NbChannel::Npdsch.direction(), LinkDirection::Downlink);
        assert_eq!(NbChannel::Nprach.direction(), LinkDirection::Uplink);
        assert_eq!(NbChannel::NpuschF1.direction(), LinkDirection::Uplink);
        assert_eq!(NbChannel::NpuschF2.direction(), LinkDirection::Uplink);
        assert_eq!(NbChannel::Npdcch.direction(), LinkDirection::Downlink);
    }

    #[test]
    fn transmissions_serialise() {
        let tx = AirTransmission {
            start: Instant::from_nanos(1_000_000),
            duration: Duration::from_millis(8),
            payload: AirPayload::Preamble {
                rapid: 7,
                ce_level: 0,
            },
            format: LinkFormat {
                channel: NbChannel::Nprach,
                tbs_bits: 0,
                resource_units: 1,
                repetitions: 4,
                subcarriers: 1,
                subcarrier_spacing_hz: 3_750,
            },
            carrier_shift_hz: -41_250.5,
            tx_power_dbm: 23.0,
        };
        let json = serde_json::to_string(&tx).expect("serialises");
        let back: AirTransmission = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, tx);
    }
}
