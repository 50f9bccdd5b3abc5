//! A pcap tap for MAC PDUs, sans-IO: it produces the bytes of a pcap file into a caller's
//! `Vec<u8>`; the caller writes the file (or streams the records somewhere).
//!
//! Framing: link type 147 (`LINKTYPE_USER0`) carrying Wireshark's `mac-lte-framed`
//! encapsulation — the same choice as srsRAN's MAC pcaps. Each record is
//!
//! ```text
//! radioType(1) direction(1) rntiType(1)
//! [tag value]…            optional context tags, e.g. 0x02 RNTI(2), 0x0F NB-IoT mode(1)
//! 0x01 MAC PDU…           payload tag, then the MAC PDU to the end of the record
//! ```
//!
//! (tag values from Wireshark's `packet-mac-lte.h`, read for facts only). The NB-IoT mode tag
//! makes the dissector use the NB-IoT MAC rules (DPR in front of the Msg3 CCCH SDU, the
//! NB-IoT RAR) and hand CCCH/BCCH payloads to the RRC-NB decoders; SRB SDUs go through
//! Wireshark's RLC-LTE (AM) and PDCP-LTE dissectors to RRC-NB DCCH.
//!
//! To open a capture, map DLT 147 to `mac-lte-framed` once, either in Wireshark
//! (Preferences → Protocols → DLT_USER → `User 0 (DLT=147)`, payload `mac-lte-framed`) or
//! on the tshark command line:
//!
//! ```text
//! tshark -o 'uat:user_dlts:"User 0 (DLT=147)","mac-lte-framed","0","","0",""' -r ue.pcap -V
//! ```
//!
//! Known dissector limit: Wireshark 4.0 (Debian 12's tshark) does not know the Rel-17 IoT-NTN
//! UL control element LCID 01111 (Timing Advance Report) and flags a PDU carrying it as
//! malformed ("Unexpected LCID received (15)"); everything else this stack sends dissects
//! cleanly (checked by `mac/tests/pcap_tshark.rs`). The tap writes PDUs exactly as sent.
//!
//! Timestamps are the stack's virtual [`Instant`]s (nanoseconds since the run start), written
//! with the nanosecond pcap magic so nothing is rounded.
//!
//! ```
//! use ntn_mac::pcap::{MacPcapContext, PcapDirection, RntiType, write_global_header, write_record};
//! use ntn_types::Instant;
//! let mut file = Vec::new();
//! write_global_header(&mut file);
//! let ctx = MacPcapContext::nb_iot(PcapDirection::Uplink, RntiType::C, 0x4601);
//! write_record(&mut file, Instant::from_nanos(1_000_000), &ctx, &[0x00, 0x25, 0x2a]);
//! assert_eq!(file.len(), 24 + 16 + 12 + 3);
//! ```

use ntn_types::Instant;

/// `LINKTYPE_USER0`: Wireshark maps it to `mac-lte-framed` through the `user_dlts` table.
pub const LINKTYPE_MAC_LTE_FRAMED: u32 = 147;
/// Magic of a pcap file with nanosecond timestamps, written in our (little-endian) order.
pub const PCAP_MAGIC_NS: u32 = 0xa1b2_3c4d;
/// Snapshot length written in the global header (no record is truncated below this).
pub const SNAPLEN: u32 = 65_535;

/// Tag: RNTI, 2 octets network order.
const TAG_RNTI: u8 = 0x02;
/// Tag: UE id, 2 octets network order.
const TAG_UEID: u8 = 0x03;
/// Tag: SFN (12 MSBs) and subframe (4 LSBs), 2 octets network order.
const TAG_FRAME_SUBFRAME: u8 = 0x04;
/// Tag: retransmission count, 1 octet.
const TAG_RETX: u8 = 0x06;
/// Tag: CRC status (1 = OK), 1 octet.
const TAG_CRC_STATUS: u8 = 0x07;
/// Tag: NB-IoT mode, 1 octet (1 = NB-IoT).
const TAG_NB_MODE: u8 = 0x0f;
/// Tag: the MAC PDU follows to the end of the record.
const TAG_PAYLOAD: u8 = 0x01;
/// radioType FDD (NB-IoT here is FDD).
const RADIO_FDD: u8 = 1;

/// Direction as the framing codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PcapDirection {
    /// UL-SCH (code 0).
    Uplink,
    /// DL-SCH / BCH (code 1).
    Downlink,
}

/// The RNTI type, which tells the dissector what the PDU is (RAR, SI, paging, DL/UL-SCH).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RntiType {
    /// No RNTI: BCH (MIB-NB on NPBCH) when downlink.
    None,
    /// P-RNTI: paging (PCCH).
    P,
    /// RA-RNTI: a Random Access Response PDU.
    Ra,
    /// C-RNTI or Temporary C-RNTI: DL-SCH/UL-SCH MAC PDUs.
    C,
    /// SI-RNTI: system information (BCCH-DL-SCH).
    Si,
}

impl RntiType {
    /// Code of the framing (`NO_RNTI` 0, `P_RNTI` 1, `RA_RNTI` 2, `C_RNTI` 3, `SI_RNTI` 4).
    pub fn code(self) -> u8 {
        match self {
            RntiType::None => 0,
            RntiType::P => 1,
            RntiType::Ra => 2,
            RntiType::C => 3,
            RntiType::Si => 4,
        }
    }
}

/// What the dissector is told about one MAC PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacPcapContext {
    /// UL or DL.
    pub direction: PcapDirection,
    /// RNTI type.
    pub rnti_type: RntiType,
    /// The RNTI value (C-RNTI, TC-RNTI, RA-RNTI, 0xFFFE P-RNTI, 0xFFFF SI-RNTI).
    pub rnti: u16,
    /// A UE identifier for the dissector's per-UE state (RLC reassembly, Msg3/Msg4 matching).
    pub ue_id: u16,
    /// (SFN 0…1023 — kept modulo 4096 by the field — and subframe 0…9), when known.
    pub sfn_sf: Option<(u16, u8)>,
    /// HARQ retransmission count (0 = new transmission).
    pub retx: u8,
    /// `Some(ok)` to record a CRC result (receive side).
    pub crc_ok: Option<bool>,
    /// NB-IoT mode (true for everything this stack produces).
    pub nb_iot: bool,
}

impl MacPcapContext {
    /// An NB-IoT context with UE id 1, no timing, first transmission, no CRC status.
    pub fn nb_iot(direction: PcapDirection, rnti_type: RntiType, rnti: u16) -> Self {
        MacPcapContext {
            direction,
            rnti_type,
            rnti,
            ue_id: 1,
            sfn_sf: None,
            retx: 0,
            crc_ok: None,
            nb_iot: true,
        }
    }

    /// The `mac-lte-framed` header (everything before the MAC PDU, payload tag included).
    pub fn emit_header(&self, out: &mut Vec<u8>) {
        let dir = match self.direction {
            PcapDirection::Uplink => 0,
            PcapDirection::Downlink => 1,
        };
        out.extend_from_slice(&[RADIO_FDD, dir, self.rnti_type.code()]);
        if self.rnti_type != RntiType::None {
            out.push(TAG_RNTI);
            out.extend_from_slice(&self.rnti.to_be_bytes());
        }
        out.push(TAG_UEID);
        out.extend_from_slice(&self.ue_id.to_be_bytes());
        if let Some((sfn, sf)) = self.sfn_sf {
            let v = ((sfn & 0x0fff) << 4) | u16::from(sf & 0x0f);
            out.push(TAG_FRAME_SUBFRAME);
            out.extend_from_slice(&v.to_be_bytes());
        }
        if self.retx > 0 {
            out.extend_from_slice(&[TAG_RETX, self.retx]);
        }
        if let Some(ok) = self.crc_ok {
            out.extend_from_slice(&[TAG_CRC_STATUS, u8::from(ok)]);
        }
        if self.nb_iot {
            out.extend_from_slice(&[TAG_NB_MODE, 1]);
        }
        out.push(TAG_PAYLOAD);
    }
}

/// Appends the 24-byte pcap global header (nanosecond timestamps, link type 147).
pub fn write_global_header(out: &mut Vec<u8>) {
    out.extend_from_slice(&PCAP_MAGIC_NS.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_MAC_LTE_FRAMED.to_le_bytes());
}

/// Appends one pcap record: the 16-byte record header, then the framed MAC PDU. Times before
/// the run start are written as 0; a record longer than [`SNAPLEN`] is cut there (the
/// original length is kept in the header, as pcap does).
pub fn write_record(out: &mut Vec<u8>, now: Instant, ctx: &MacPcapContext, mac_pdu: &[u8]) {
    let ns = now.as_nanos().max(0);
    let secs = u32::try_from(ns / 1_000_000_000).unwrap_or(u32::MAX);
    let frac = (ns % 1_000_000_000) as u32; // < 10⁹
    let mut frame = Vec::with_capacity(24 + mac_pdu.len());
    ctx.emit_header(&mut frame);
    frame.extend_from_slice(mac_pdu);
    let orig = u32::try_from(frame.len()).unwrap_or(u32::MAX);
    let incl = orig.min(SNAPLEN);
    out.extend_from_slice(&secs.to_le_bytes());
    out.extend_from_slice(&frac.to_le_bytes());
    out.extend_from_slice(&incl.to_le_bytes());
    out.extend_from_slice(&orig.to_le_bytes());
    out.extend_from_slice(&frame[..incl as usize]);
}

/// A tap that accumulates a whole capture: global header at construction, one record per
/// [`MacPcap::record`]. Take the bytes with [`MacPcap::bytes`] or drain them incrementally
/// with [`MacPcap::take_pending`] (for a caller that appends to an open file).
#[derive(Debug, Clone)]
pub struct MacPcap {
    pending: Vec<u8>,
    records: u64,
}

impl Default for MacPcap {
    fn default() -> Self {
        Self::new()
    }
}

impl MacPcap {
    /// A new capture (the global header is the first pending bytes).
    pub fn new() -> Self {
        let mut pending = Vec::with_capacity(4096);
        write_global_header(&mut pending);
        MacPcap {
            pending,
            records: 0,
        }
    }

    /// Records one MAC PDU seen at `now`.
    pub fn record(&mut self, now: Instant, ctx: &MacPcapContext, mac_pdu: &[u8]) {
        write_record(&mut self.pending, now, ctx, mac_pdu);
        self.records += 1;
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The bytes not yet taken (the whole file if [`MacPcap::take_pending`] was never called).
    pub fn bytes(&self) -> &[u8] {
        &self.pending
    }

    /// Moves the bytes not yet taken into `out` (appending).
    pub fn take_pending(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_record_layout() {
        let mut f = Vec::new();
        write_global_header(&mut f);
        assert_eq!(&f[..4], &[0x4d, 0x3c, 0xb2, 0xa1]);
        assert_eq!(&f[20..24], &[147, 0, 0, 0]);
        let mut ctx = MacPcapContext::nb_iot(PcapDirection::Downlink, RntiType::C, 0x4601);
        ctx.sfn_sf = Some((514, 3));
        write_record(&mut f, Instant::from_nanos(2_500_000_123), &ctx, &[0xaa]);
        let r = &f[24..];
        assert_eq!(&r[0..4], &2u32.to_le_bytes());
        assert_eq!(&r[4..8], &500_000_123u32.to_le_bytes());
        // FDD, DL, C-RNTI | RNTI 0x4601 | UE id 1 | SFN 514 SF 3 | NB mode | payload | PDU
        let body = [
            1, 1, 3, 0x02, 0x46, 0x01, 0x03, 0, 1, 0x04, 0x20, 0x23, 0x0f, 1, 0x01, 0xaa,
        ];
        assert_eq!(&r[8..12], &(body.len() as u32).to_le_bytes());
        assert_eq!(&r[16..], &body);
    }

    #[test]
    fn tap_accumulates_and_drains() {
        let mut tap = MacPcap::new();
        let ctx = MacPcapContext::nb_iot(PcapDirection::Uplink, RntiType::C, 1);
        tap.record(Instant::ZERO, &ctx, &[1, 2, 3]);
        assert_eq!(tap.records(), 1);
        let mut file = Vec::new();
        tap.take_pending(&mut file);
        assert!(tap.bytes().is_empty());
        tap.record(Instant::from_nanos(-5), &ctx, &[4]);
        assert_eq!(&tap.bytes()[..8], &[0; 8]);
        assert_eq!(file.len(), 24 + 16 + 12 + 3);
    }
}
