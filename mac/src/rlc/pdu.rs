//! RLC PDU formats, TS 36.322 §6.2.
//!
//! smoltcp-style codecs: a lazy view over the fixed part of a header (`UmdPdu`, `AmdPdu`,
//! with `new_checked`) and a parsed, validated form (`UmdPduRepr`, `AmdPduRepr`,
//! `StatusPduRepr`) with `parse`, `emit` and `header_len`. No decoder panics on any input.
//!
//! Formats implemented (TS 36.322 §6.2.1):
//! - TMD PDU (§6.2.1.2): no header, the PDU is the SDU.
//! - UMD PDU with 5-bit SN (§6.2.1.3, figures 6.2.1.3-1/-3/-5) and 10-bit SN
//!   (figures 6.2.1.3-2/-4/-6). The 16-bit UM SN of Rel-15 LTE is not implemented:
//!   RLC-Config-NB (TS 36.331 §6.7.3.6) has no SN-FieldLength, so NB-IoT never uses it.
//! - AMD PDU and AMD PDU segment with 10-bit SN and 15-bit SO (§6.2.1.4, §6.2.1.5). The
//!   extended 16-bit AM SN (ul/dl-extended-RLC-AM-SN-r13) is signalled only in the LTE
//!   RLC-Config-v1310, never in RLC-Config-NB, so it is not implemented.
//! - STATUS PDU with ACK_SN, NACK_SN and SOstart/SOend (§6.2.1.6), 10-bit SN form.
//! - LI of 11 bits (default) or 15 bits (the extended LI of RLC-Config-v1250/-r15, LTE only,
//!   kept because it costs nothing): §6.2.2.5.

use crate::bits::{BitReader, BitWriter};
use thiserror::Error;

/// Largest AM/UM SN with a 10-bit field.
pub const SN10_MODULUS: u16 = 1024;
/// SOend value meaning "up to the last byte of the AMD PDU", TS 36.322 §6.2.2.17.
pub const SO_END_LAST_BYTE: u16 = 0x7fff;
/// Largest SO value in a 15-bit SO field.
pub const SO_MAX: u16 = 0x7fff;

/// A malformed RLC PDU. Decoders never panic; they return one of these.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PduError {
    /// The buffer ends inside the header or the data field is empty.
    #[error("RLC PDU truncated")]
    Truncated,
    /// A data PDU was given to the control-PDU parser or the other way round (D/C field).
    #[error("wrong D/C for this parser")]
    WrongDc,
    /// A control PDU type other than STATUS (CPT ≠ 000), TS 36.322 §6.2.2.13.
    #[error("reserved control PDU type {0}")]
    ReservedCpt(u8),
    /// An LI of zero, or LIs that leave no byte for the last data field element.
    #[error("invalid length indicator")]
    BadLengthIndicator,
    /// A field value that does not fit its width, on emit.
    #[error("field {0} out of range")]
    OutOfRange(&'static str),
    /// SOstart > SOend in a STATUS PDU.
    #[error("SOstart greater than SOend")]
    BadSoRange,
}

/// Framing Info, TS 36.322 §6.2.2.6: whether the data field starts / ends on an SDU boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FramingInfo {
    /// The first byte of the data field is the first byte of an RLC SDU (FI bit 1 = 0).
    pub starts_sdu: bool,
    /// The last byte of the data field is the last byte of an RLC SDU (FI bit 0 = 0).
    pub ends_sdu: bool,
}

impl FramingInfo {
    /// A data field holding whole SDUs only (FI = 00).
    pub const WHOLE: FramingInfo = FramingInfo {
        starts_sdu: true,
        ends_sdu: true,
    };

    /// From the 2-bit field: `00` first and last byte on SDU boundaries, `01` last byte not,
    /// `10` first byte not, `11` neither.
    pub fn from_bits(bits: u8) -> Self {
        FramingInfo {
            starts_sdu: bits & 0b10 == 0,
            ends_sdu: bits & 0b01 == 0,
        }
    }

    /// The 2-bit field.
    pub fn bits(self) -> u8 {
        (u8::from(!self.starts_sdu) << 1) | u8::from(!self.ends_sdu)
    }
}

/// UM sequence-number field length, TS 36.322 §6.2.2.3 (sn-FieldLength, TS 36.331).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UmSnLength {
    /// 5-bit SN, modulus 32, UM window 16.
    Five,
    /// 10-bit SN, modulus 1024, UM window 512.
    Ten,
}

impl UmSnLength {
    /// Bits of the SN field.
    pub fn bits(self) -> u32 {
        match self {
            UmSnLength::Five => 5,
            UmSnLength::Ten => 10,
        }
    }
    /// SN modulus (2^bits).
    pub fn modulus(self) -> u16 {
        1 << self.bits()
    }
    /// Length of the fixed UMD header in bytes (1 or 2).
    pub fn fixed_header_len(self) -> usize {
        match self {
            UmSnLength::Five => 1,
            UmSnLength::Ten => 2,
        }
    }
}

/// LI field length, TS 36.322 §6.2.2.5 (11 bits, or 15 with the extended LI field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LiLength {
    /// 11-bit LI (default, and the only size RLC-Config-NB can configure).
    #[default]
    Eleven,
    /// 15-bit LI (dl/ul-extended-RLC-LI-Field-r12, LTE only).
    Fifteen,
}

impl LiLength {
    /// Bits of the LI field.
    pub fn bits(self) -> u32 {
        match self {
            LiLength::Eleven => 11,
            LiLength::Fifteen => 15,
        }
    }
    /// Largest LI value.
    pub fn max_li(self) -> u16 {
        ((1u32 << self.bits()) - 1) as u16
    }
    /// Bytes taken by `n` E/LI pairs, including the 4-bit padding after an odd number of
    /// 11-bit LIs (TS 36.322 §6.2.1.3: "padding ... if the number of LIs is odd").
    pub fn ext_len(self, n: usize) -> usize {
        let bits_each = 1 + self.bits() as usize;
        (n * bits_each).div_ceil(8)
    }
}

/// Reads the extension part: E/LI pairs until E = 0, then skips to the octet boundary.
fn parse_lis(r: &mut BitReader<'_>, mut e: bool, li_len: LiLength) -> Result<Vec<u16>, PduError> {
    let mut lis = Vec::new();
    while e {
        e = r.flag().ok_or(PduError::Truncated)?;
        let li = r.read(li_len.bits()).ok_or(PduError::Truncated)? as u16;
        if li == 0 {
            return Err(PduError::BadLengthIndicator);
        }
        lis.push(li);
    }
    Ok(lis)
}

/// Writes the E/LI pairs (E = 1 on all but the last) and pads to the octet boundary.
fn emit_lis(w: &mut BitWriter<'_>, lis: &[u16], li_len: LiLength) -> Result<(), PduError> {
    for (i, &li) in lis.iter().enumerate() {
        if li == 0 || li > li_len.max_li() {
            return Err(PduError::OutOfRange("LI"));
        }
        w.flag(i + 1 < lis.len());
        w.write(u32::from(li), li_len.bits());
    }
    w.align();
    Ok(())
}

/// Checks that the LIs leave at least one byte for the last data field element
/// (TS 36.322 §6.2.2.5: the last element's length is implicit and non-zero).
fn check_lis(lis: &[u16], data_len: usize) -> Result<(), PduError> {
    let sum: usize = lis.iter().map(|&l| usize::from(l)).sum();
    if data_len == 0 {
        return Err(PduError::Truncated);
    }
    if sum >= data_len {
        return Err(PduError::BadLengthIndicator);
    }
    Ok(())
}

/// Splits a data field into its elements by the LIs (the last element takes the rest).
/// Lengths past the end are clamped, so any LIs are safe; parsed LIs always fit.
pub fn split_data_field<'a>(data: &'a [u8], lis: &[u16]) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(lis.len() + 1);
    let mut rest = data;
    for &li in lis {
        let (a, b) = rest.split_at(usize::from(li).min(rest.len()));
        out.push(a);
        rest = b;
    }
    out.push(rest);
    out
}

// ---------------------------------------------------------------------------------------
// UMD PDU
// ---------------------------------------------------------------------------------------

/// A view over the fixed part of a UMD PDU header, TS 36.322 §6.2.1.3.
///
/// 5-bit SN: `FI(2) E(1) SN(5)`; 10-bit SN: `R1(3) FI(2) E(1) SN(10)`.
#[derive(Debug, Clone)]
pub struct UmdPdu<T: AsRef<[u8]>> {
    buffer: T,
    sn_len: UmSnLength,
}

impl<T: AsRef<[u8]>> UmdPdu<T> {
    /// Wraps a buffer without checking its length; accessors may then panic.
    pub fn new_unchecked(buffer: T, sn_len: UmSnLength) -> Self {
        UmdPdu { buffer, sn_len }
    }

    /// Wraps a buffer after checking that it holds the fixed header; no accessor panics then.
    pub fn new_checked(buffer: T, sn_len: UmSnLength) -> Result<Self, PduError> {
        if buffer.as_ref().len() < sn_len.fixed_header_len() {
            return Err(PduError::Truncated);
        }
        Ok(UmdPdu { buffer, sn_len })
    }

    fn b(&self, i: usize) -> u8 {
        self.buffer.as_ref()[i]
    }

    /// Framing Info.
    pub fn framing_info(&self) -> FramingInfo {
        match self.sn_len {
            UmSnLength::Five => FramingInfo::from_bits(self.b(0) >> 6),
            UmSnLength::Ten => FramingInfo::from_bits((self.b(0) >> 3) & 0b11),
        }
    }

    /// Extension bit of the fixed part: 1 = an E/LI pair follows.
    pub fn extension(&self) -> bool {
        match self.sn_len {
            UmSnLength::Five => self.b(0) & 0x20 != 0,
            UmSnLength::Ten => self.b(0) & 0x04 != 0,
        }
    }

    /// Sequence number.
    pub fn sn(&self) -> u16 {
        match self.sn_len {
            UmSnLength::Five => u16::from(self.b(0) & 0x1f),
            UmSnLength::Ten => (u16::from(self.b(0) & 0x03) << 8) | u16::from(self.b(1)),
        }
    }

    /// The reserved bits (R1) of a 10-bit header; always 0 for 5-bit.
    pub fn reserved(&self) -> u8 {
        match self.sn_len {
            UmSnLength::Five => 0,
            UmSnLength::Ten => self.b(0) >> 5,
        }
    }
}

/// A parsed UMD PDU header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UmdPduRepr {
    /// Sequence number (5 or 10 bits).
    pub sn: u16,
    /// Framing Info.
    pub fi: FramingInfo,
    /// Length indicators of all data field elements but the last, in bytes.
    pub lis: Vec<u16>,
}

impl UmdPduRepr {
    /// Parses the header; returns it with the header length. The data field is
    /// `buf[header_len..]` and is checked against the LIs. Reserved bits are ignored
    /// (TS 36.322 §6.2.2.1: the receiver ignores R1).
    pub fn parse(
        buf: &[u8],
        sn_len: UmSnLength,
        li_len: LiLength,
    ) -> Result<(Self, usize), PduError> {
        let pdu = UmdPdu::new_checked(buf, sn_len)?;
        let mut r = BitReader::new(buf);
        // Skip the fixed part; the view has already decoded it.
        let _ = r.read(8 * sn_len.fixed_header_len() as u32);
        let lis = parse_lis(&mut r, pdu.extension(), li_len)?;
        let hdr = r.byte_pos();
        let data_len = buf.len().saturating_sub(hdr);
        check_lis(&lis, data_len)?;
        Ok((
            UmdPduRepr {
                sn: pdu.sn(),
                fi: pdu.framing_info(),
                lis,
            },
            hdr,
        ))
    }

    /// Header length in bytes.
    pub fn header_len(&self, sn_len: UmSnLength, li_len: LiLength) -> usize {
        sn_len.fixed_header_len() + li_len.ext_len(self.lis.len())
    }

    /// Appends the header to `out`.
    pub fn emit(
        &self,
        sn_len: UmSnLength,
        li_len: LiLength,
        out: &mut Vec<u8>,
    ) -> Result<(), PduError> {
        if self.sn >= sn_len.modulus() {
            return Err(PduError::OutOfRange("SN"));
        }
        let mut w = BitWriter::new(out);
        if sn_len == UmSnLength::Ten {
            w.write(0, 3); // R1 R1 R1
        }
        w.write(u32::from(self.fi.bits()), 2);
        w.flag(!self.lis.is_empty());
        w.write(u32::from(self.sn), sn_len.bits());
        emit_lis(&mut w, &self.lis, li_len)
    }
}

// ---------------------------------------------------------------------------------------
// AMD PDU and AMD PDU segment
// ---------------------------------------------------------------------------------------

/// Segment fields of an AMD PDU segment header, TS 36.322 §6.2.1.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentInfo {
    /// Last Segment Flag: the segment's last byte is the last byte of the AMD PDU.
    pub lsf: bool,
    /// Segment Offset: position of the segment's first data byte in the AMD PDU data
    /// field, in bytes (15 bits).
    pub so: u16,
}

/// A view over the fixed part of an AMD PDU (segment) header, TS 36.322 §6.2.1.4/5.
///
/// `D/C(1) RF(1) P(1) FI(2) E(1) SN(10)`, then for a segment `LSF(1) SO(15)`.
#[derive(Debug, Clone)]
pub struct AmdPdu<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> AmdPdu<T> {
    /// Wraps a buffer without checking; accessors may panic on a short buffer.
    pub fn new_unchecked(buffer: T) -> Self {
        AmdPdu { buffer }
    }

    /// Wraps a buffer after checking the fixed header (2 bytes, 4 for a segment) and D/C = 1.
    pub fn new_checked(buffer: T) -> Result<Self, PduError> {
        let b = buffer.as_ref();
        let first = *b.first().ok_or(PduError::Truncated)?;
        if first & 0x80 == 0 {
            return Err(PduError::WrongDc);
        }
        let need = if first & 0x40 != 0 { 4 } else { 2 };
        if b.len() < need {
            return Err(PduError::Truncated);
        }
        Ok(AmdPdu { buffer })
    }

    fn b(&self, i: usize) -> u8 {
        self.buffer.as_ref()[i]
    }

    /// Resegmentation Flag: 1 = this is an AMD PDU segment.
    pub fn rf(&self) -> bool {
        self.b(0) & 0x40 != 0
    }
    /// Polling bit: the peer asks for a STATUS report.
    pub fn poll(&self) -> bool {
        self.b(0) & 0x20 != 0
    }
    /// Framing Info.
    pub fn framing_info(&self) -> FramingInfo {
        FramingInfo::from_bits((self.b(0) >> 3) & 0b11)
    }
    /// Extension bit of the fixed part.
    pub fn extension(&self) -> bool {
        self.b(0) & 0x04 != 0
    }
    /// Sequence number (10 bits).
    pub fn sn(&self) -> u16 {
        (u16::from(self.b(0) & 0x03) << 8) | u16::from(self.b(1))
    }
    /// Segment fields, for a segment (RF = 1).
    pub fn segment(&self) -> Option<SegmentInfo> {
        self.rf().then(|| SegmentInfo {
            lsf: self.b(2) & 0x80 != 0,
            so: (u16::from(self.b(2) & 0x7f) << 8) | u16::from(self.b(3)),
        })
    }
}

/// A parsed AMD PDU or AMD PDU segment header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AmdPduRepr {
    /// Polling bit.
    pub poll: bool,
    /// Framing Info (of this PDU or segment's own data field).
    pub fi: FramingInfo,
    /// Sequence number (10 bits).
    pub sn: u16,
    /// `Some` for an AMD PDU segment (RF = 1).
    pub segment: Option<SegmentInfo>,
    /// Length indicators of all data field elements but the last.
    pub lis: Vec<u16>,
}

impl AmdPduRepr {
    /// Parses the header; returns it with the header length. The data field is
    /// `buf[header_len..]`, non-empty and consistent with the LIs.
    pub fn parse(buf: &[u8], li_len: LiLength) -> Result<(Self, usize), PduError> {
        let pdu = AmdPdu::new_checked(buf)?;
        let segment = pdu.segment();
        let mut r = BitReader::new(buf);
        let _ = r.read(if segment.is_some() { 32 } else { 16 });
        let lis = parse_lis(&mut r, pdu.extension(), li_len)?;
        let hdr = r.byte_pos();
        check_lis(&lis, buf.len().saturating_sub(hdr))?;
        Ok((
            AmdPduRepr {
                poll: pdu.poll(),
                fi: pdu.framing_info(),
                sn: pdu.sn(),
                segment,
                lis,
            },
            hdr,
        ))
    }

    /// Header length in bytes.
    pub fn header_len(&self, li_len: LiLength) -> usize {
        Self::header_len_for(self.segment.is_some(), self.lis.len(), li_len)
    }

    /// Header length of a PDU (`segment` = false) or segment with `n_li` LIs.
    pub fn header_len_for(segment: bool, n_li: usize, li_len: LiLength) -> usize {
        (if segment { 4 } else { 2 }) + li_len.ext_len(n_li)
    }

    /// Appends the header to `out`.
    pub fn emit(&self, li_len: LiLength, out: &mut Vec<u8>) -> Result<(), PduError> {
        if self.sn >= SN10_MODULUS {
            return Err(PduError::OutOfRange("SN"));
        }
        let mut w = BitWriter::new(out);
        w.flag(true); // D/C = 1: data PDU
        w.flag(self.segment.is_some()); // RF
        w.flag(self.poll);
        w.write(u32::from(self.fi.bits()), 2);
        w.flag(!self.lis.is_empty());
        w.write(u32::from(self.sn), 10);
        if let Some(seg) = self.segment {
            if seg.so > SO_MAX {
                return Err(PduError::OutOfRange("SO"));
            }
            w.flag(seg.lsf);
            w.write(u32::from(seg.so), 15);
        }
        emit_lis(&mut w, &self.lis, li_len)
    }
}

// ---------------------------------------------------------------------------------------
// STATUS PDU
// ---------------------------------------------------------------------------------------

/// One NACK of a STATUS PDU, TS 36.322 §6.2.1.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nack {
    /// NACK_SN: the SN of an AMD PDU (or portions of it) detected as lost.
    pub sn: u16,
    /// `(SOstart, SOend)` when only a portion is lost; SOend = [`SO_END_LAST_BYTE`] means
    /// "to the end of the AMD PDU" (TS 36.322 §6.2.2.17).
    pub so: Option<(u16, u16)>,
}

/// A parsed STATUS PDU: `D/C(1)=0 CPT(3)=000 ACK_SN(10) E1(1)`, then per NACK
/// `NACK_SN(10) E1(1) E2(1) [SOstart(15) SOend(15)]`, padded to an octet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusPduRepr {
    /// ACK_SN: the next not-received SN that is not reported as missing.
    pub ack_sn: u16,
    /// NACKs in the order they appear (increasing SN when built by this crate).
    pub nacks: Vec<Nack>,
}

impl StatusPduRepr {
    /// Parses a STATUS PDU. Padding bits after the last field are ignored.
    pub fn parse(buf: &[u8]) -> Result<Self, PduError> {
        let mut r = BitReader::new(buf);
        let dc = r.flag().ok_or(PduError::Truncated)?;
        if dc {
            return Err(PduError::WrongDc);
        }
        let cpt = r.read(3).ok_or(PduError::Truncated)? as u8;
        if cpt != 0 {
            return Err(PduError::ReservedCpt(cpt));
        }
        let ack_sn = r.read(10).ok_or(PduError::Truncated)? as u16;
        let mut e1 = r.flag().ok_or(PduError::Truncated)?;
        let mut nacks = Vec::new();
        while e1 {
            let sn = r.read(10).ok_or(PduError::Truncated)? as u16;
            e1 = r.flag().ok_or(PduError::Truncated)?;
            let e2 = r.flag().ok_or(PduError::Truncated)?;
            let so = if e2 {
                let start = r.read(15).ok_or(PduError::Truncated)? as u16;
                let end = r.read(15).ok_or(PduError::Truncated)? as u16;
                if start > end {
                    return Err(PduError::BadSoRange);
                }
                Some((start, end))
            } else {
                None
            };
            nacks.push(Nack { sn, so });
        }
        Ok(StatusPduRepr { ack_sn, nacks })
    }

    /// Encoded length in bytes.
    pub fn buffer_len(&self) -> usize {
        Self::len_for(self.nacks.iter().map(|n| n.so.is_some()))
    }

    /// Encoded length of a STATUS PDU whose NACKs carry SO fields as given.
    pub fn len_for(so_flags: impl Iterator<Item = bool>) -> usize {
        let bits: usize = 15 + so_flags.map(|s| if s { 42 } else { 12 }).sum::<usize>();
        bits.div_ceil(8)
    }

    /// Appends the PDU to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), PduError> {
        if self.ack_sn >= SN10_MODULUS {
            return Err(PduError::OutOfRange("ACK_SN"));
        }
        let mut w = BitWriter::new(out);
        w.flag(false); // D/C = 0: control PDU
        w.write(0, 3); // CPT = 000: STATUS PDU
        w.write(u32::from(self.ack_sn), 10);
        w.flag(!self.nacks.is_empty());
        for (i, n) in self.nacks.iter().enumerate() {
            if n.sn >= SN10_MODULUS {
                return Err(PduError::OutOfRange("NACK_SN"));
            }
            w.write(u32::from(n.sn), 10);
            w.flag(i + 1 < self.nacks.len());
            w.flag(n.so.is_some());
            if let Some((s, e)) = n.so {
                if s > SO_MAX || e > SO_MAX {
                    return Err(PduError::OutOfRange("SO"));
                }
                if s > e {
                    return Err(PduError::BadSoRange);
                }
                w.write(u32::from(s), 15);
                w.write(u32::from(e), 15);
            }
        }
        w.align();
        Ok(())
    }
}

/// True if the PDU is an AM data PDU (D/C = 1), TS 36.322 §6.2.2.2. Empty input: false.
pub fn is_am_data_pdu(buf: &[u8]) -> bool {
    buf.first().is_some_and(|b| b & 0x80 != 0)
}

/// Fuzz entry: runs every RLC decoder on `data`; must never panic.
pub fn fuzz_decode_rlc(data: &[u8]) {
    for li in [LiLength::Eleven, LiLength::Fifteen] {
        let _ = AmdPduRepr::parse(data, li);
        for sn in [UmSnLength::Five, UmSnLength::Ten] {
            if let Ok((r, hdr)) = UmdPduRepr::parse(data, sn, li) {
                let _ = split_data_field(&data[hdr..], &r.lis);
            }
        }
    }
    let _ = StatusPduRepr::parse(data);
}

#[cfg(test)]
// Binary literals are grouped by header field, not by nibble.
#[allow(clippy::unusual_byte_groupings)]
mod tests {
    use super::*;

    /// UMD PDU, 5-bit SN, one LI (figure 6.2.1.3-3 layout), written field by field.
    #[test]
    fn umd5_with_one_li() {
        let bytes = [
            // FI=01 (starts on SDU, ends mid-SDU) | E=1 | SN=0b10110 (22)
            0b01_1_10110,
            // E=0 | LI=5 (11 bits: 000_0000_0101) | 4 padding bits
            0b0_0000000,
            0b0101_0000,
            // data field: 5 bytes of SDU A, then 2 bytes of SDU B
            1,
            2,
            3,
            4,
            5,
            6,
            7,
        ];
        let (r, hdr) = UmdPduRepr::parse(&bytes, UmSnLength::Five, LiLength::Eleven).unwrap();
        assert_eq!(hdr, 3);
        assert_eq!(r.sn, 22);
        assert_eq!(
            r.fi,
            FramingInfo {
                starts_sdu: true,
                ends_sdu: false
            }
        );
        assert_eq!(r.lis, vec![5]);
        let parts = split_data_field(&bytes[hdr..], &r.lis);
        assert_eq!(parts, vec![&[1, 2, 3, 4, 5][..], &[6, 7][..]]);
        let mut out = Vec::new();
        r.emit(UmSnLength::Five, LiLength::Eleven, &mut out)
            .unwrap();
        assert_eq!(out, bytes[..3]);
    }

    /// UMD PDU, 10-bit SN, no LI (figure 6.2.1.3-2).
    #[test]
    fn umd10_no_li() {
        let bytes = [
            // R1 R1 R1 = 000 | FI=11 | E=0 | SN[9:8]=10
            0b000_11_0_10,
            // SN[7:0] = 0x34 → SN = 0x234 = 564
            0x34,
            0xaa,
        ];
        let (r, hdr) = UmdPduRepr::parse(&bytes, UmSnLength::Ten, LiLength::Eleven).unwrap();
        assert_eq!((r.sn, hdr), (564, 2));
        assert_eq!(
            r.fi,
            FramingInfo {
                starts_sdu: false,
                ends_sdu: false
            }
        );
        let mut out = Vec::new();
        r.emit(UmSnLength::Ten, LiLength::Eleven, &mut out).unwrap();
        assert_eq!(out, bytes[..2]);
    }

    /// AMD PDU, two LIs (figure 6.2.1.4-2 layout, even number of LIs: no padding).
    #[test]
    fn amd_two_lis() {
        let bytes = [
            // D/C=1 | RF=0 | P=1 | FI=00 | E=1 | SN[9:8]=00
            0b1_0_1_00_1_00,
            // SN[7:0] = 7
            0x07,
            // E=1 | LI1=3 (000 0000 0011) | E=0 | LI2=2 (000 0000 0010)
            // bits: 1 00000000011 0 00000000010 → 1000 0000 | 0011 0000 | 0000 0010
            0b1000_0000,
            0b0011_0000,
            0b0000_0010,
            // data: 3 + 2 + 1 bytes
            10,
            11,
            12,
            20,
            21,
            30,
        ];
        let (r, hdr) = AmdPduRepr::parse(&bytes, LiLength::Eleven).unwrap();
        assert_eq!(hdr, 5);
        assert!(r.poll);
        assert_eq!(r.sn, 7);
        assert_eq!(r.fi, FramingInfo::WHOLE);
        assert_eq!(r.segment, None);
        assert_eq!(r.lis, vec![3, 2]);
        assert_eq!(
            split_data_field(&bytes[hdr..], &r.lis),
            vec![&[10, 11, 12][..], &[20, 21][..], &[30][..]]
        );
        let mut out = Vec::new();
        r.emit(LiLength::Eleven, &mut out).unwrap();
        assert_eq!(out, bytes[..5]);
        assert_eq!(r.header_len(LiLength::Eleven), 5);
    }

    /// AMD PDU segment (figure 6.2.1.5-1): LSF and SO.
    #[test]
    fn amd_segment() {
        let bytes = [
            // D/C=1 | RF=1 | P=0 | FI=10 | E=0 | SN[9:8]=11
            0b1_1_0_10_0_11,
            // SN[7:0]=0xff → SN 1023
            0xff,
            // LSF=1 | SO[14:8] = 000 0001
            0b1_0000001,
            // SO[7:0] = 0x2c → SO = 0x012c = 300
            0x2c,
            0x55,
        ];
        let (r, hdr) = AmdPduRepr::parse(&bytes, LiLength::Eleven).unwrap();
        assert_eq!(hdr, 4);
        assert_eq!(r.sn, 1023);
        assert_eq!(r.segment, Some(SegmentInfo { lsf: true, so: 300 }));
        assert_eq!(
            r.fi,
            FramingInfo {
                starts_sdu: false,
                ends_sdu: true
            }
        );
        let v = AmdPdu::new_checked(&bytes[..]).unwrap();
        assert!(v.rf() && !v.poll());
        let mut out = Vec::new();
        r.emit(LiLength::Eleven, &mut out).unwrap();
        assert_eq!(out, bytes[..4]);
    }

    /// STATUS PDU: ACK_SN=5, NACK 2 (whole), NACK 3 with SOstart=10, SOend=0x7fff.
    #[test]
    fn status_with_so() {
        // D/C=0 CPT=000 ACK_SN=0000000101 E1=1
        // NACK_SN=0000000010 E1=1 E2=0
        // NACK_SN=0000000011 E1=0 E2=1 SOstart=000000000001010 SOend=111111111111111
        // Concatenated bits:
        // 0 000 0000000101 1 | 0000000010 1 0 | 0000000011 0 1 | 000000000001010 | 111111111111111
        let bytes = [
            0b0000_0000, // D/C=0 | CPT=000 | ACK_SN[9:6]=0000
            0b0001_0110, // ACK_SN[5:0]=000101 | E1=1 | NACK_SN#1[9]=0
            0b0000_0001, // NACK_SN#1[8:1]=00000001
            0b0100_0000, // NACK_SN#1[0]=0 | E1=1 | E2=0 | NACK_SN#2[9:5]=00000
            0b0001_1010, // NACK_SN#2[4:0]=00011 | E1=0 | E2=1 | SOstart[14]=0
            0b0000_0000, // SOstart[13:6]=00000000
            0b0010_1011, // SOstart[5:0]=001010 | SOend[14:13]=11
            0b1111_1111, // SOend[12:5]
            0b1111_1000, // SOend[4:0]=11111 | 3 padding bits
        ];
        // Build the expected structure and check emit produces the hand-written bytes.
        let s = StatusPduRepr {
            ack_sn: 5,
            nacks: vec![
                Nack { sn: 2, so: None },
                Nack {
                    sn: 3,
                    so: Some((10, SO_END_LAST_BYTE)),
                },
            ],
        };
        let mut out = Vec::new();
        s.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(s.buffer_len(), 9);
        assert_eq!(StatusPduRepr::parse(&bytes).unwrap(), s);
    }

    /// An independent STATUS PDU: these 8 bytes are the hand-built control PDU of
    /// OpenAirInterface's rlc_v2 unit test 16 (ACK_SN 0, NACK_SN 1, SOstart 14, SOend 16).
    #[test]
    fn status_independent_example() {
        let bytes = [0x00, 0x02, 0x00, 0xa0, 0x03, 0x80, 0x08, 0x00];
        let s = StatusPduRepr::parse(&bytes).unwrap();
        assert_eq!(s.ack_sn, 0);
        assert_eq!(
            s.nacks,
            vec![Nack {
                sn: 1,
                so: Some((14, 16))
            }]
        );
        let mut out = Vec::new();
        s.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    /// STATUS PDU with no NACK: 2 bytes.
    #[test]
    fn status_ack_only() {
        // D/C=0 CPT=000 ACK_SN=1111111111 E1=0 → 0000 1111 | 1111 1100
        let bytes = [0b0000_1111, 0b1111_1100];
        let s = StatusPduRepr::parse(&bytes).unwrap();
        assert_eq!(s.ack_sn, 1023);
        assert!(s.nacks.is_empty());
        let mut out = Vec::new();
        s.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert_eq!(
            AmdPduRepr::parse(&[], LiLength::Eleven),
            Err(PduError::Truncated)
        );
        assert_eq!(
            AmdPduRepr::parse(&[0x00, 0x01, 0x02], LiLength::Eleven),
            Err(PduError::WrongDc)
        );
        // Header only, no data byte.
        assert_eq!(
            AmdPduRepr::parse(&[0x80, 0x01], LiLength::Eleven),
            Err(PduError::Truncated)
        );
        // LI = 0.
        assert_eq!(
            AmdPduRepr::parse(&[0x84, 0x01, 0x00, 0x00, 0x09], LiLength::Eleven),
            Err(PduError::BadLengthIndicator)
        );
        // LI equal to the whole data field.
        assert_eq!(
            AmdPduRepr::parse(&[0x84, 0x01, 0x00, 0x10, 0x09], LiLength::Eleven),
            Err(PduError::BadLengthIndicator)
        );
        // CPT = 001.
        assert_eq!(
            StatusPduRepr::parse(&[0x10, 0x00]),
            Err(PduError::ReservedCpt(1))
        );
        assert_eq!(StatusPduRepr::parse(&[0x00]), Err(PduError::Truncated));
    }

    #[test]
    fn fifteen_bit_li() {
        let r = AmdPduRepr {
            poll: false,
            fi: FramingInfo::WHOLE,
            sn: 1,
            segment: None,
            lis: vec![20000],
        };
        let mut out = Vec::new();
        r.emit(LiLength::Fifteen, &mut out).unwrap();
        // 2 fixed bytes + E(1)+LI(15) = 2 bytes
        assert_eq!(out.len(), 4);
        out.extend(std::iter::repeat_n(0u8, 20001));
        let (p, hdr) = AmdPduRepr::parse(&out, LiLength::Fifteen).unwrap();
        assert_eq!((p, hdr), (r.clone(), 4));
        assert!(r.emit(LiLength::Eleven, &mut Vec::new()).is_err());
    }
}
