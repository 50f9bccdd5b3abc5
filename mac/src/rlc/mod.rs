//! RLC, TS 36.322 (Rel-17): transparent ([`tm`]), unacknowledged ([`um`]) and acknowledged
//! ([`am`]) mode entities and their PDU codecs ([`pdu`]).
//!
//! NB-IoT specifics (TS 36.331 §6.7.3.6 RLC-Config-NB): SRB1/SRB1bis/DRBs use AM with a
//! 10-bit SN; pollPDU/pollByte are not signalled (infinite); t-PollRetransmit ranges
//! 250 ms … 300 s; t-Reordering is only present with twoHARQ-ProcessesConfig (r14) or as the
//! Rel-17 t-ReorderingExt (2200/3200 ms, NTN); t-StatusProhibit is not signalled (0);
//! enableStatusReportSN-Gap enables a STATUS report on reception failure. UM (Rel-15)
//! exists for NB-IoT DRBs.

pub mod am;
pub mod pdu;
pub mod timers;
pub mod tm;
pub mod um;

mod reassembly;
mod segmentation;

use bytes::Bytes;
use thiserror::Error;

/// An output of an RLC entity, drained with `poll_event()`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RlcEvent {
    /// A reassembled RLC SDU for the upper layer (PDCP), in delivery order.
    Sdu(Bytes),
    /// AM: an AMD PDU reached maxRetxThreshold retransmissions (TS 36.322 §5.2.1); the upper
    /// layer (RRC) declares radio link failure.
    MaxRetransmissions {
        /// SN of the AMD PDU.
        sn: u16,
    },
}

/// Why an SDU was not accepted from the upper layer.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SduRejected {
    /// The transmission buffer holds its configured maximum of SDUs.
    #[error("RLC transmission buffer full")]
    BufferFull,
    /// An empty SDU (RLC SDUs are at least one byte).
    #[error("empty SDU")]
    Empty,
    /// Larger than the configured maximum SDU size.
    #[error("SDU of {0} bytes too large")]
    TooLarge(usize),
}

/// Counters kept by every RLC entity (plain struct, read with `stats()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RlcStats {
    /// SDUs accepted from the upper layer.
    pub sdus_in: u64,
    /// SDUs delivered to the upper layer.
    pub sdus_delivered: u64,
    /// Partial SDUs discarded on reassembly (UM loss, inconsistent framing).
    pub sdus_discarded: u64,
    /// Data PDUs sent for the first time.
    pub pdus_tx: u64,
    /// AM: data PDUs or segments retransmitted.
    pub pdus_retx: u64,
    /// AM: STATUS PDUs sent.
    pub status_tx: u64,
    /// Data PDUs received and accepted.
    pub pdus_rx: u64,
    /// AM: STATUS PDUs received and applied.
    pub status_rx: u64,
    /// Received PDUs dropped as malformed (decode error).
    pub malformed: u64,
    /// Received PDUs or segments dropped as duplicates or outside the window.
    pub duplicates: u64,
    /// AM: STATUS PDUs ignored as inconsistent with the transmit window.
    pub status_invalid: u64,
    /// Bytes of PDUs handed to the lower layer.
    pub bytes_tx: u64,
    /// AM: transmit opportunities with new data left unused because the window was full.
    pub window_stalls: u64,
}

/// Bytes waiting to be sent, for buffer status reporting (TS 36.321 §5.4.5, TS 36.322 §4.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferState {
    /// New data: SDU bytes not yet in any PDU, plus an estimate of their headers.
    pub new_bytes: usize,
    /// AM: bytes pending retransmission, with their headers.
    pub retx_bytes: usize,
    /// AM: size of a pending STATUS PDU.
    pub status_bytes: usize,
}

impl BufferState {
    /// Total bytes.
    pub fn total(&self) -> usize {
        self.new_bytes + self.retx_bytes + self.status_bytes
    }
}
