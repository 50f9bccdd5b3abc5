//! PDCP PDU formats, TS 36.323 §6.2 and §6.3.
//!
//! - SRB data PDU (§6.2.2): `R R R SN(5)`, data, MAC-I (4 bytes).
//! - DRB data PDU with 12-bit SN (§6.2.3): `D/C R R R SN(11..8)`, `SN(7..0)`, data.
//! - DRB data PDU with 7-bit SN (§6.2.4): `D/C SN(7)`, data.
//! - Control PDU (§6.2.6 and §6.3.8): `D/C=0 PDU-type(3) …`; the 12-bit-SN status report
//!   (`FMS(12)` then a bitmap) is decoded; other PDU types are `Unknown`.
//!
//! The 15/16/18-bit SNs of LTE (pdcp-SN-Size-v1130/-v1310/-v1430) are not implemented:
//! PDCP-Config-NB (TS 36.331 §6.7.3.6) has no SN size field.

use thiserror::Error;

/// A malformed PDCP PDU.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdcpPduError {
    /// Shorter than its header (and MAC-I for an SRB).
    #[error("PDCP PDU truncated")]
    Truncated,
    /// A control PDU where a data PDU is expected, or the reverse.
    #[error("wrong D/C")]
    WrongDc,
    /// A field value that does not fit its width, on emit.
    #[error("field {0} out of range")]
    OutOfRange(&'static str),
}

/// PDCP SN length (TS 36.323 §6.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdcpSnLength {
    /// 5 bits: SRBs.
    Five,
    /// 7 bits: DRBs (short SN).
    Seven,
    /// 12 bits: DRBs (long SN).
    Twelve,
}

impl PdcpSnLength {
    /// Bits of SN.
    pub fn bits(self) -> u32 {
        match self {
            PdcpSnLength::Five => 5,
            PdcpSnLength::Seven => 7,
            PdcpSnLength::Twelve => 12,
        }
    }
    /// Maximum_PDCP_SN (§7.1): 2^bits − 1.
    pub fn max_sn(self) -> u32 {
        (1 << self.bits()) - 1
    }
    /// Header length in bytes.
    pub fn header_len(self) -> usize {
        match self {
            PdcpSnLength::Five | PdcpSnLength::Seven => 1,
            PdcpSnLength::Twelve => 2,
        }
    }
}

/// Length of the MAC-I field (§6.3.4).
pub const MAC_I_LEN: usize = 4;

/// A view over a PDCP data PDU header.
#[derive(Debug, Clone)]
pub struct PdcpDataPdu<T: AsRef<[u8]>> {
    buffer: T,
    sn_len: PdcpSnLength,
}

impl<T: AsRef<[u8]>> PdcpDataPdu<T> {
    /// Checks the header length (and D/C = 1 for DRB formats); no accessor panics after.
    pub fn new_checked(buffer: T, sn_len: PdcpSnLength) -> Result<Self, PdcpPduError> {
        let b = buffer.as_ref();
        if b.len() < sn_len.header_len() {
            return Err(PdcpPduError::Truncated);
        }
        if sn_len != PdcpSnLength::Five && b[0] & 0x80 == 0 {
            return Err(PdcpPduError::WrongDc);
        }
        Ok(PdcpDataPdu { buffer, sn_len })
    }

    /// PDCP SN.
    pub fn sn(&self) -> u32 {
        let b = self.buffer.as_ref();
        match self.sn_len {
            PdcpSnLength::Five => u32::from(b[0] & 0x1f),
            PdcpSnLength::Seven => u32::from(b[0] & 0x7f),
            PdcpSnLength::Twelve => (u32::from(b[0] & 0x0f) << 8) | u32::from(b[1]),
        }
    }

    /// The bytes after the header (data, plus MAC-I for SRBs).
    pub fn payload(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        b.get(self.sn_len.header_len()..).unwrap_or_default()
    }
}

/// Appends a data PDU header with `sn` to `out` (R bits 0, D/C = 1 for DRBs).
pub fn emit_data_header(
    sn: u32,
    sn_len: PdcpSnLength,
    out: &mut Vec<u8>,
) -> Result<(), PdcpPduError> {
    if sn > sn_len.max_sn() {
        return Err(PdcpPduError::OutOfRange("SN"));
    }
    match sn_len {
        // R R R SN(5)
        PdcpSnLength::Five => out.push(sn as u8),
        // D/C=1 SN(7)
        PdcpSnLength::Seven => out.push(0x80 | sn as u8),
        // D/C=1 R R R SN(11..8), SN(7..0)
        PdcpSnLength::Twelve => {
            out.push(0x80 | (sn >> 8) as u8);
            out.push(sn as u8);
        }
    }
    Ok(())
}

/// PDU type of a PDCP control PDU (§6.3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlPduType {
    /// 000: PDCP status report.
    StatusReport,
    /// 001: interspersed ROHC feedback packet.
    RohcFeedback,
    /// Other values (LWA, UDC, EHC … reports, and reserved ones).
    Unknown(u8),
}

/// A parsed PDCP status report with a 12-bit SN (§6.2.6): First Missing SN and a bitmap
/// whose MSB of the first octet is FMS + 1; 1 = received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusReportRepr {
    /// FMS: the first missing PDCP SN.
    pub fms: u16,
    /// Bitmap octets.
    pub bitmap: Vec<u8>,
}

impl StatusReportRepr {
    /// Parses a control PDU: the PDU type, and the status report if it is one.
    pub fn parse(buf: &[u8]) -> Result<(ControlPduType, Option<Self>), PdcpPduError> {
        let first = *buf.first().ok_or(PdcpPduError::Truncated)?;
        if first & 0x80 != 0 {
            return Err(PdcpPduError::WrongDc);
        }
        let t = (first >> 4) & 0x07;
        match t {
            0 => {
                let second = *buf.get(1).ok_or(PdcpPduError::Truncated)?;
                let fms = (u16::from(first & 0x0f) << 8) | u16::from(second);
                Ok((
                    ControlPduType::StatusReport,
                    Some(StatusReportRepr {
                        fms,
                        bitmap: buf[2..].to_vec(),
                    }),
                ))
            }
            1 => Ok((ControlPduType::RohcFeedback, None)),
            x => Ok((ControlPduType::Unknown(x), None)),
        }
    }

    /// Appends the status report PDU to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), PdcpPduError> {
        if self.fms > 0x0fff {
            return Err(PdcpPduError::OutOfRange("FMS"));
        }
        // D/C=0 | PDU type=000 | FMS(11..8)
        out.push((self.fms >> 8) as u8);
        out.push(self.fms as u8);
        out.extend_from_slice(&self.bitmap);
        Ok(())
    }
}

/// Fuzz entry: every PDCP decoder on `data`; must never panic.
pub fn fuzz_decode_pdcp(data: &[u8]) {
    for l in [
        PdcpSnLength::Five,
        PdcpSnLength::Seven,
        PdcpSnLength::Twelve,
    ] {
        if let Ok(p) = PdcpDataPdu::new_checked(data, l) {
            let _ = (p.sn(), p.payload().len());
        }
    }
    let _ = StatusReportRepr::parse(data);
}

#[cfg(test)]
#[allow(clippy::unusual_byte_groupings)]
mod tests {
    use super::*;

    #[test]
    fn srb_header() {
        // R R R = 000 | SN = 10101 (21); data "ab"; MAC-I 01 02 03 04
        let bytes = [0b000_10101, b'a', b'b', 1, 2, 3, 4];
        let p = PdcpDataPdu::new_checked(&bytes[..], PdcpSnLength::Five).unwrap();
        assert_eq!(p.sn(), 21);
        assert_eq!(p.payload(), &bytes[1..]);
        let mut out = Vec::new();
        emit_data_header(21, PdcpSnLength::Five, &mut out).unwrap();
        assert_eq!(out, [bytes[0]]);
    }

    #[test]
    fn drb_long_sn_header() {
        // D/C=1 | R R R = 000 | SN[11:8] = 1010 ; SN[7:0] = 0x5c → SN 0xa5c = 2652
        let bytes = [0b1_000_1010, 0x5c, 0xee];
        let p = PdcpDataPdu::new_checked(&bytes[..], PdcpSnLength::Twelve).unwrap();
        assert_eq!(p.sn(), 2652);
        let mut out = Vec::new();
        emit_data_header(2652, PdcpSnLength::Twelve, &mut out).unwrap();
        assert_eq!(out, bytes[..2]);
        assert!(emit_data_header(4096, PdcpSnLength::Twelve, &mut out).is_err());
    }

    #[test]
    fn drb_short_sn_header() {
        // D/C=1 | SN = 1111111 (127)
        let bytes = [0b1_1111111, 0x00];
        let p = PdcpDataPdu::new_checked(&bytes[..], PdcpSnLength::Seven).unwrap();
        assert_eq!(p.sn(), 127);
        assert_eq!(
            PdcpDataPdu::new_checked(&[0x7f][..], PdcpSnLength::Seven).err(),
            Some(PdcpPduError::WrongDc)
        );
    }

    #[test]
    fn status_report() {
        // D/C=0 | type=000 | FMS[11:8]=0001 ; FMS[7:0]=0x02 → FMS 258 ; bitmap 0b1010_0000
        let bytes = [0b0_000_0001, 0x02, 0b1010_0000];
        let (t, s) = StatusReportRepr::parse(&bytes).unwrap();
        assert_eq!(t, ControlPduType::StatusReport);
        let s = s.unwrap();
        assert_eq!(s.fms, 258);
        let mut out = Vec::new();
        s.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(
            StatusReportRepr::parse(&[0b0_101_0000]).unwrap().0,
            ControlPduType::Unknown(5)
        );
    }
}
