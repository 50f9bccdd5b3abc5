//! MAC PDU formats, TS 36.321 §6.1 and §6.2, for NB-IoT.
//!
//! - DL-SCH/UL-SCH MAC PDU (§6.1.2): a header of subheaders `R F2 E LCID(5)`, followed for
//!   every element but the last and the fixed-size control elements by `F L(7)` or
//!   `F L(15)` (F2 = 0), or `L(16)` (F2 = 1); then the control elements, SDUs and padding
//!   in subheader order. One- or two-byte padding goes as padding subheaders at the start.
//! - MAC control elements (§6.1.3): Timing Advance Command (§6.1.3.5), C-RNTI (§6.1.3.2),
//!   UE Contention Resolution Identity (§6.1.3.4), Short BSR (§6.1.3.1; NB-IoT: LCG 0),
//!   Data Volume and Power Headroom Report, DPR (§6.1.3.10; in NB-IoT Msg3 it is the first
//!   octet in front of the CCCH SDU, under the CCCH subheader), and the Rel-17 IoT-NTN
//!   Timing Advance Report (§6.1.3.20, UL LCID 01111, `R R TA(14)`).
//! - Random Access Response (§6.1.5, §6.2.2, §6.2.3): `E T RAPID(6)` / `E T R R BI(4)`
//!   subheaders, then 6-octet MAC RARs.
//!
//! Sources: the 36.321 text itself could not be read here. LCID values, fixed CE sizes,
//! the Buffer Size and DV tables, the NB-IoT RAR layout and the Timing Advance Report
//! layout/LCID were cross-checked against an independent implementation of 36.321
//! (Wireshark's `packet-mac-lte.c` value tables, read for facts only); the NB-IoT RAR
//! grant content against TS 36.213 §16.3.3 text. The IoT-NTN
//! Differential Koffset MAC CE body is [`DifferentialKoffset`] (layout as TS 38.321; its
//! LTE DL LCID/eLCID was not found in any source available here).

use thiserror::Error;

/// A malformed MAC PDU, or one that cannot be built.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MacPduError {
    /// The header or an element runs past the end of the PDU.
    #[error("MAC PDU truncated")]
    Truncated,
    /// The elements do not fit in the transport block.
    #[error("MAC PDU of {need} bytes does not fit a {tbs}-byte transport block")]
    DoesNotFit {
        /// Bytes needed.
        need: usize,
        /// Transport block size in bytes.
        tbs: usize,
    },
    /// An element of more than 65535 bytes.
    #[error("element too long")]
    TooLong,
    /// A field value out of range on emit.
    #[error("field {0} out of range")]
    OutOfRange(&'static str),
}

/// LCID of padding (both directions), Table 6.2.1-1/-2.
pub const LCID_PADDING: u8 = 0b11111;
/// LCID of CCCH (both directions).
pub const LCID_CCCH: u8 = 0;
/// LCID of NB-IoT SRB1bis (TS 36.331 §9.1.2a).
pub const LCID_SRB1BIS: u8 = 3;

/// DL-SCH LCID values (Table 6.2.1-1) used by NB-IoT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DlLcid {
    /// 00000: CCCH.
    Ccch,
    /// 00001–01010: a logical channel (SRB1 = 1, SRB1bis = 3, DRBs).
    Channel(u8),
    /// 11100: UE Contention Resolution Identity (6 octets).
    ContentionResolutionIdentity,
    /// 11101: Timing Advance Command (1 octet).
    TimingAdvanceCommand,
    /// 11110: DRX Command (0 octets).
    DrxCommand,
    /// 11111: padding.
    Padding,
    /// Any other value.
    Unknown(u8),
}

impl DlLcid {
    /// From the 5-bit field.
    pub fn from_bits(v: u8) -> Self {
        match v {
            0 => DlLcid::Ccch,
            1..=10 => DlLcid::Channel(v),
            28 => DlLcid::ContentionResolutionIdentity,
            29 => DlLcid::TimingAdvanceCommand,
            30 => DlLcid::DrxCommand,
            31 => DlLcid::Padding,
            x => DlLcid::Unknown(x),
        }
    }
    /// The 5-bit field.
    pub fn bits(self) -> u8 {
        match self {
            DlLcid::Ccch => 0,
            DlLcid::Channel(v) | DlLcid::Unknown(v) => v & 0x1f,
            DlLcid::ContentionResolutionIdentity => 28,
            DlLcid::TimingAdvanceCommand => 29,
            DlLcid::DrxCommand => 30,
            DlLcid::Padding => 31,
        }
    }
}

/// UL-SCH LCID values (Table 6.2.1-2) used by NB-IoT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UlLcid {
    /// 00000: CCCH (in NB-IoT Msg3 preceded by the DPR octet).
    Ccch,
    /// 00001–01010: a logical channel.
    Channel(u8),
    /// 01111: Timing Advance Report (2 octets), Rel-17 IoT NTN.
    TimingAdvanceReport,
    /// 11010: Power Headroom Report (1 octet).
    PowerHeadroomReport,
    /// 11011: C-RNTI (2 octets).
    CRnti,
    /// 11100: Truncated BSR (1 octet).
    TruncatedBsr,
    /// 11101: Short BSR (1 octet).
    ShortBsr,
    /// 11110: Long BSR (3 octets).
    LongBsr,
    /// 11111: padding.
    Padding,
    /// Any other value.
    Unknown(u8),
}

impl UlLcid {
    /// From the 5-bit field.
    pub fn from_bits(v: u8) -> Self {
        match v {
            0 => UlLcid::Ccch,
            1..=10 => UlLcid::Channel(v),
            15 => UlLcid::TimingAdvanceReport,
            26 => UlLcid::PowerHeadroomReport,
            27 => UlLcid::CRnti,
            28 => UlLcid::TruncatedBsr,
            29 => UlLcid::ShortBsr,
            30 => UlLcid::LongBsr,
            31 => UlLcid::Padding,
            x => UlLcid::Unknown(x),
        }
    }
    /// The 5-bit field.
    pub fn bits(self) -> u8 {
        match self {
            UlLcid::Ccch => 0,
            UlLcid::Channel(v) | UlLcid::Unknown(v) => v & 0x1f,
            UlLcid::TimingAdvanceReport => 15,
            UlLcid::PowerHeadroomReport => 26,
            UlLcid::CRnti => 27,
            UlLcid::TruncatedBsr => 28,
            UlLcid::ShortBsr => 29,
            UlLcid::LongBsr => 30,
            UlLcid::Padding => 31,
        }
    }
}

/// Direction of a DL-SCH/UL-SCH MAC PDU (it decides what the LCIDs mean).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkDirection {
    /// DL-SCH.
    Downlink,
    /// UL-SCH.
    Uplink,
}

/// Size of the fixed-size control element with this LCID (no L field), if it is one.
pub fn fixed_ce_len(dir: LinkDirection, lcid: u8) -> Option<usize> {
    match dir {
        LinkDirection::Downlink => match DlLcid::from_bits(lcid) {
            DlLcid::ContentionResolutionIdentity => Some(6),
            DlLcid::TimingAdvanceCommand => Some(1),
            DlLcid::DrxCommand => Some(0),
            _ => None,
        },
        LinkDirection::Uplink => match UlLcid::from_bits(lcid) {
            UlLcid::TimingAdvanceReport => Some(2),
            UlLcid::PowerHeadroomReport => Some(1),
            UlLcid::CRnti => Some(2),
            UlLcid::TruncatedBsr | UlLcid::ShortBsr => Some(1),
            UlLcid::LongBsr => Some(3),
            _ => None,
        },
    }
}

/// One element of a MAC PDU: a control element or SDU (by its raw LCID) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacSubPdu<'a> {
    /// The 5-bit LCID.
    pub lcid: u8,
    /// The element's bytes (control element body or MAC SDU).
    pub payload: &'a [u8],
}

/// A parsed DL-SCH/UL-SCH MAC PDU: its elements in order, padding removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacPduRepr<'a> {
    /// Control elements and SDUs, in subheader order.
    pub elements: Vec<MacSubPdu<'a>>,
    /// Padding bytes (subheaders and trailing padding).
    pub padding: usize,
}

/// One MAC subheader as it is on the air (§6.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacSubheader {
    /// F2 bit (16-bit L field).
    pub format2: bool,
    /// E bit (another subheader follows).
    pub extension: bool,
    /// The 5-bit LCID.
    pub lcid: u8,
    /// F bit of a 7/15-bit L field, when there is one.
    pub format: Option<bool>,
    /// Element length: the L field, the fixed size of a control element, 0 for a padding
    /// subheader with E = 1, or `None` for the last element (it runs to the end).
    pub length: Option<usize>,
    /// Whether `length` came from an L field.
    pub has_l: bool,
    /// Octets of this subheader (1, 2 or 3).
    pub octets: usize,
}

/// Parses the subheaders of a DL-SCH/UL-SCH MAC PDU; returns them and the header length.
pub fn parse_subheaders(
    buf: &[u8],
    dir: LinkDirection,
) -> Result<(Vec<MacSubheader>, usize), MacPduError> {
    let mut subs = Vec::new();
    let mut pos = 0usize;
    loop {
        let b = *buf.get(pos).ok_or(MacPduError::Truncated)?;
        let start = pos;
        pos += 1;
        let f2 = b & 0x40 != 0;
        let e = b & 0x20 != 0;
        let lcid = b & 0x1f;
        let mut format = None;
        let mut has_l = false;
        let length = if let Some(n) = fixed_ce_len(dir, lcid) {
            Some(n)
        } else if lcid == LCID_PADDING {
            if e { Some(0) } else { None }
        } else if !e {
            None
        } else if f2 {
            let hi = *buf.get(pos).ok_or(MacPduError::Truncated)?;
            let lo = *buf.get(pos + 1).ok_or(MacPduError::Truncated)?;
            pos += 2;
            has_l = true;
            Some(usize::from(u16::from_be_bytes([hi, lo])))
        } else {
            let b1 = *buf.get(pos).ok_or(MacPduError::Truncated)?;
            pos += 1;
            has_l = true;
            format = Some(b1 & 0x80 != 0);
            if b1 & 0x80 != 0 {
                let b2 = *buf.get(pos).ok_or(MacPduError::Truncated)?;
                pos += 1;
                Some((usize::from(b1 & 0x7f) << 8) | usize::from(b2))
            } else {
                Some(usize::from(b1))
            }
        };
        subs.push(MacSubheader {
            format2: f2,
            extension: e,
            lcid,
            format,
            length,
            has_l,
            octets: pos - start,
        });
        if !e {
            break;
        }
        if subs.len() > buf.len() {
            return Err(MacPduError::Truncated);
        }
    }
    Ok((subs, pos))
}

impl<'a> MacPduRepr<'a> {
    /// Parses a MAC PDU (§6.1.2). Never panics; errors on any inconsistency.
    pub fn parse(buf: &'a [u8], dir: LinkDirection) -> Result<Self, MacPduError> {
        let (heads, mut pos) = parse_subheaders(buf, dir)?;
        // (lcid, Some(len) | None for "rest of the PDU")
        let subs: Vec<(u8, Option<usize>)> = heads.iter().map(|h| (h.lcid, h.length)).collect();
        let mut elements = Vec::new();
        let mut padding = subs.iter().filter(|s| s.0 == LCID_PADDING).count();
        for (lcid, len) in subs {
            let n = len.unwrap_or(buf.len().saturating_sub(pos));
            let end = pos.checked_add(n).ok_or(MacPduError::Truncated)?;
            let payload = buf.get(pos..end).ok_or(MacPduError::Truncated)?;
            pos = end;
            if lcid == LCID_PADDING {
                padding += n;
            } else {
                elements.push(MacSubPdu { lcid, payload });
            }
        }
        padding += buf.len().saturating_sub(pos);
        Ok(MacPduRepr { elements, padding })
    }

    /// Emits the elements as one MAC PDU of exactly `tbs` bytes, padding as §6.1.2
    /// prescribes (one or two padding subheaders at the front for 1–2 spare bytes, else a
    /// padding subheader at the end).
    pub fn emit(
        &self,
        dir: LinkDirection,
        tbs: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), MacPduError> {
        let n = self.elements.len();
        let body: usize = self.elements.iter().map(|e| e.payload.len()).sum();
        let sub_len = |i: usize, with_l: bool| -> Result<usize, MacPduError> {
            let e = &self.elements[i];
            if fixed_ce_len(dir, e.lcid).is_some() || !with_l {
                return Ok(1);
            }
            match e.payload.len() {
                0..=127 => Ok(2),
                128..=32767 => Ok(3),
                32768..=65535 => Ok(3),
                _ => Err(MacPduError::TooLong),
            }
        };
        let mut hdr_no_pad = 0usize;
        let mut hdr_all_l = 0usize;
        for i in 0..n {
            hdr_no_pad += sub_len(i, i + 1 < n)?;
            hdr_all_l += sub_len(i, true)?;
        }
        let n0 = hdr_no_pad + body;
        if tbs < n0 || (n == 0 && tbs == 0) {
            return Err(MacPduError::DoesNotFit {
                need: n0.max(1),
                tbs,
            });
        }
        let (front_pad, end_pad) = if n == 0 {
            (0, Some(tbs - 1))
        } else if tbs == n0 {
            (0, None)
        } else if tbs - n0 <= 2 {
            (tbs - n0, None)
        } else {
            // tbs − n0 ≥ 3 ≥ (L bytes of the last element + the padding subheader).
            let n1 = hdr_all_l + 1 + body;
            if tbs < n1 {
                return Err(MacPduError::DoesNotFit { need: n1, tbs });
            }
            (0, Some(tbs - n1))
        };
        let start = out.len();
        for _ in 0..front_pad {
            out.push(0x20 | LCID_PADDING); // R=0 F2=0 E=1 LCID=11111
        }
        for (i, e) in self.elements.iter().enumerate() {
            let last = i + 1 == n && end_pad.is_none();
            let ebit = if last { 0 } else { 0x20 };
            let len = e.payload.len();
            let with_l = !last && fixed_ce_len(dir, e.lcid).is_none();
            let f2 = with_l && len > 32767;
            out.push((u8::from(f2) << 6) | ebit | (e.lcid & 0x1f));
            if with_l {
                if f2 {
                    // len ≤ 65535 checked by sub_len.
                    out.extend_from_slice(&(len as u16).to_be_bytes());
                } else if len > 127 {
                    out.push(0x80 | (len >> 8) as u8);
                    out.push(len as u8);
                } else {
                    out.push(len as u8);
                }
            }
        }
        if end_pad.is_some() {
            out.push(LCID_PADDING); // last subheader: E=0
        }
        for e in &self.elements {
            out.extend_from_slice(e.payload);
        }
        if let Some(p) = end_pad {
            out.resize(out.len() + p, 0);
        }
        debug_assert_eq!(out.len() - start, tbs);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// MAC control elements
// ---------------------------------------------------------------------------------------

/// Timing Advance Command MAC CE (§6.1.3.5): `TAG Id(2) Timing Advance Command(6)`.
/// NB-IoT has one TAG, Id 0. T_A = 0…63 adjusts N_TA by (T_A − 31)·16 Ts (TS 36.213 §4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimingAdvanceCommand {
    /// TAG Id (0…3).
    pub tag_id: u8,
    /// T_A (0…63).
    pub ta: u8,
}

impl TimingAdvanceCommand {
    /// Parses the 1-octet body.
    pub fn parse(b: &[u8]) -> Result<Self, MacPduError> {
        let v = *b.first().ok_or(MacPduError::Truncated)?;
        Ok(TimingAdvanceCommand {
            tag_id: v >> 6,
            ta: v & 0x3f,
        })
    }
    /// The 1-octet body.
    pub fn emit(&self) -> Result<[u8; 1], MacPduError> {
        if self.tag_id > 3 || self.ta > 63 {
            return Err(MacPduError::OutOfRange("TA command"));
        }
        Ok([(self.tag_id << 6) | self.ta])
    }
}

/// C-RNTI MAC CE (§6.1.3.2): the 16-bit C-RNTI.
pub fn parse_c_rnti(b: &[u8]) -> Result<u16, MacPduError> {
    match b {
        [hi, lo, ..] => Ok(u16::from_be_bytes([*hi, *lo])),
        _ => Err(MacPduError::Truncated),
    }
}

/// UE Contention Resolution Identity MAC CE (§6.1.3.4): the first 48 bits of the UL CCCH
/// SDU (Msg3).
pub fn parse_contention_resolution_identity(b: &[u8]) -> Result<[u8; 6], MacPduError> {
    b.get(..6)
        .and_then(|s| <[u8; 6]>::try_from(s).ok())
        .ok_or(MacPduError::Truncated)
}

/// Short BSR MAC CE (§6.1.3.1): `LCG ID(2) Buffer Size(6)`; NB-IoT reports LCG 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortBsr {
    /// LCG ID (0…3).
    pub lcg_id: u8,
    /// Buffer Size index (0…63), Table 6.1.3.1-1.
    pub buffer_size_index: u8,
}

/// Upper bounds in bytes of the Buffer Size levels of Table 6.1.3.1-1 (index i means
/// `BSR_BOUNDS[i-1] < BS ≤ BSR_BOUNDS[i]`, index 63 means BS > 150000).
pub const BSR_BOUNDS: [u32; 63] = [
    0, 10, 12, 14, 17, 19, 22, 26, 31, 36, 42, 49, 57, 67, 78, 91, 107, 125, 146, 171, 200, 234,
    274, 321, 376, 440, 515, 603, 706, 826, 967, 1132, 1326, 1552, 1817, 2127, 2490, 2915, 3413,
    3995, 4677, 5476, 6411, 7505, 8787, 10287, 12043, 14099, 16507, 19325, 22624, 26487, 31009,
    36304, 42502, 49759, 58255, 68201, 79846, 93479, 109439, 128125, 150000,
];

impl ShortBsr {
    /// The BSR for `bytes` buffered in LCG `lcg_id`: the smallest level that covers them.
    pub fn for_bytes(lcg_id: u8, bytes: usize) -> Self {
        let b = u32::try_from(bytes).unwrap_or(u32::MAX);
        let idx = BSR_BOUNDS.iter().position(|&ub| b <= ub).unwrap_or(63);
        ShortBsr {
            lcg_id,
            buffer_size_index: idx as u8,
        }
    }
    /// Parses the 1-octet body.
    pub fn parse(b: &[u8]) -> Result<Self, MacPduError> {
        let v = *b.first().ok_or(MacPduError::Truncated)?;
        Ok(ShortBsr {
            lcg_id: v >> 6,
            buffer_size_index: v & 0x3f,
        })
    }
    /// The 1-octet body.
    pub fn emit(&self) -> Result<[u8; 1], MacPduError> {
        if self.lcg_id > 3 || self.buffer_size_index > 63 {
            return Err(MacPduError::OutOfRange("BSR"));
        }
        Ok([(self.lcg_id << 6) | self.buffer_size_index])
    }
}

/// Upper bounds in bytes of the Data Volume levels of the DPR (Table 6.1.3.10-1): index i
/// means `DV_BOUNDS[i-1] < DV ≤ DV_BOUNDS[i]`, index 15 means DV > 1500.
pub const DV_BOUNDS: [u32; 15] = [
    0, 10, 14, 19, 26, 36, 49, 67, 91, 125, 171, 234, 321, 768, 1500,
];

/// Data Volume and Power Headroom Report, DPR (§6.1.3.10): `R R PH(2) DV(4)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dpr {
    /// Power Headroom level (0…3), Table 6.1.3.10-2 / TS 36.133.
    pub ph: u8,
    /// Data Volume index (0…15).
    pub dv: u8,
}

impl Dpr {
    /// The DPR for `bytes` of data and power headroom level `ph` (0…3).
    pub fn for_bytes(ph: u8, bytes: usize) -> Self {
        let b = u32::try_from(bytes).unwrap_or(u32::MAX);
        let idx = DV_BOUNDS.iter().position(|&ub| b <= ub).unwrap_or(15);
        Dpr {
            ph: ph & 0x03,
            dv: idx as u8,
        }
    }

    /// Parses the 1-octet body (R bits ignored).
    pub fn parse(b: &[u8]) -> Result<Self, MacPduError> {
        let v = *b.first().ok_or(MacPduError::Truncated)?;
        Ok(Dpr {
            ph: (v >> 4) & 0x03,
            dv: v & 0x0f,
        })
    }
    /// The 1-octet body.
    pub fn emit(&self) -> Result<[u8; 1], MacPduError> {
        if self.ph > 3 || self.dv > 15 {
            return Err(MacPduError::OutOfRange("DPR"));
        }
        Ok([(self.ph << 4) | self.dv])
    }
}

/// Timing Advance Report MAC CE (§6.1.3.20, Rel-17 IoT NTN): `R R TA(14)`, 2 octets. The
/// TA field carries the UE's timing advance in ms (subframes), rounded up — by analogy
/// with TS 38.321 §6.1.3.56 (15 kHz slots); the LTE unit is **UNCONFIRMED**.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimingAdvanceReport {
    /// Timing Advance (0…16383).
    pub ta: u16,
}

impl TimingAdvanceReport {
    /// Parses the 2-octet body (R bits ignored).
    pub fn parse(b: &[u8]) -> Result<Self, MacPduError> {
        match b {
            [hi, lo, ..] => Ok(TimingAdvanceReport {
                ta: u16::from_be_bytes([*hi, *lo]) & 0x3fff,
            }),
            _ => Err(MacPduError::Truncated),
        }
    }
    /// The 2-octet body.
    pub fn emit(&self) -> Result<[u8; 2], MacPduError> {
        if self.ta > 0x3fff {
            return Err(MacPduError::OutOfRange("TA report"));
        }
        Ok(self.ta.to_be_bytes())
    }
}

/// Differential Koffset MAC CE (Rel-17 IoT NTN, TS 36.321; same layout as TS 38.321
/// §6.1.3.60): one octet `R R Differential Koffset(6)`. The value is K_UE,offset in ms
/// (subframes) that TS 36.213 §16 subtracts from k-Offset for C-RNTI scheduling
/// (K_offset = K_cell,offset − K_UE,offset). Its DL-SCH LCID/eLCID in 36.321 is
/// **UNCONFIRMED** (not found in any source available here), so it is not in [`DlLcid`];
/// callers that know the code point parse the body with this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DifferentialKoffset {
    /// K_UE,offset (0…63 ms).
    pub k_ue_offset: u8,
}

impl DifferentialKoffset {
    /// Parses the 1-octet body (R bits ignored).
    pub fn parse(b: &[u8]) -> Result<Self, MacPduError> {
        let v = *b.first().ok_or(MacPduError::Truncated)?;
        Ok(DifferentialKoffset {
            k_ue_offset: v & 0x3f,
        })
    }
    /// The 1-octet body.
    pub fn emit(&self) -> Result<[u8; 1], MacPduError> {
        if self.k_ue_offset > 0x3f {
            return Err(MacPduError::OutOfRange("Differential Koffset"));
        }
        Ok([self.k_ue_offset])
    }
}

// ---------------------------------------------------------------------------------------
// Random Access Response
// ---------------------------------------------------------------------------------------

/// The 15-bit NB-IoT RAR UL grant (TS 36.213 §16.3.3, MSB first): subcarrier spacing (1),
/// subcarrier indication (6), scheduling delay (2), Msg3 repetition number (3), MCS (3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NbRarGrant {
    /// Δf: false = 3.75 kHz, true = 15 kHz.
    pub spacing_15khz: bool,
    /// Subcarrier indication I_sc (0…63).
    pub subcarrier_indication: u8,
    /// Scheduling delay I_delay (0…3): k0 = 12 for 0 (§16.3.3), else 16, 32, 64 as in
    /// Table 16.5.1-1.
    pub scheduling_delay: u8,
    /// Msg3 repetition number index (0…7).
    pub msg3_repetitions: u8,
    /// MCS index (0…7), Table 16.3.3-1.
    pub mcs: u8,
}

impl NbRarGrant {
    /// From the 15-bit value.
    pub fn from_bits(v: u16) -> Self {
        NbRarGrant {
            spacing_15khz: v & 0x4000 != 0,
            subcarrier_indication: ((v >> 8) & 0x3f) as u8,
            scheduling_delay: ((v >> 6) & 0x03) as u8,
            msg3_repetitions: ((v >> 3) & 0x07) as u8,
            mcs: (v & 0x07) as u8,
        }
    }
    /// The 15-bit value.
    pub fn bits(&self) -> u16 {
        (u16::from(self.spacing_15khz) << 14)
            | (u16::from(self.subcarrier_indication & 0x3f) << 8)
            | (u16::from(self.scheduling_delay & 0x03) << 6)
            | (u16::from(self.msg3_repetitions & 0x07) << 3)
            | u16::from(self.mcs & 0x07)
    }
}

/// One NB-IoT MAC RAR (6 octets, figure 6.1.5-3b): `R(1) TA(11) UL Grant(15) R(5)
/// Temporary C-RNTI(16)` — the grant occupies the first 15 bits of the LTE 20-bit UL Grant
/// position, followed by 5 padding bits (as Wireshark's dissector reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NbRar {
    /// Timing Advance Command T_A (0…1282 for NB-IoT; 11 bits), N_TA = T_A·16 Ts.
    pub ta: u16,
    /// UL grant for Msg3.
    pub grant: NbRarGrant,
    /// Temporary C-RNTI.
    pub tc_rnti: u16,
}

impl NbRar {
    /// Octets of one MAC RAR.
    pub const LEN: usize = 6;

    /// Parses 6 octets.
    pub fn parse(b: &[u8]) -> Result<Self, MacPduError> {
        let b: [u8; 6] = b
            .get(..6)
            .and_then(|s| s.try_into().ok())
            .ok_or(MacPduError::Truncated)?;
        let v = u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]);
        Ok(NbRar {
            ta: ((v >> 36) & 0x7ff) as u16,
            grant: NbRarGrant::from_bits(((v >> 21) & 0x7fff) as u16),
            tc_rnti: (v & 0xffff) as u16,
        })
    }

    /// The 6 octets.
    pub fn emit(&self) -> Result<[u8; 6], MacPduError> {
        if self.ta > 0x7ff {
            return Err(MacPduError::OutOfRange("TA"));
        }
        let v = (u64::from(self.ta) << 36)
            | (u64::from(self.grant.bits()) << 21)
            | u64::from(self.tc_rnti);
        let a = v.to_be_bytes();
        Ok([a[2], a[3], a[4], a[5], a[6], a[7]])
    }
}

/// A parsed RAR MAC PDU: optional Backoff Indicator and the (RAPID, RAR) pairs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RarPduRepr {
    /// Backoff Indicator (0…15), Table 7.2-1.
    pub backoff_indicator: Option<u8>,
    /// RAPID and its MAC RAR, in subheader order.
    pub rars: Vec<(u8, NbRar)>,
}

impl RarPduRepr {
    /// Parses a RAR MAC PDU (§6.1.5). Padding after the last RAR is ignored.
    pub fn parse(buf: &[u8]) -> Result<Self, MacPduError> {
        let mut pos = 0;
        let mut bi = None;
        let mut rapids = Vec::new();
        loop {
            let b = *buf.get(pos).ok_or(MacPduError::Truncated)?;
            pos += 1;
            if b & 0x40 != 0 {
                rapids.push(b & 0x3f);
            } else {
                bi = Some(b & 0x0f);
            }
            if b & 0x80 == 0 {
                break;
            }
        }
        let mut rars = Vec::with_capacity(rapids.len());
        for rapid in rapids {
            let r = NbRar::parse(buf.get(pos..).unwrap_or_default())?;
            pos += NbRar::LEN;
            rars.push((rapid, r));
        }
        Ok(RarPduRepr {
            backoff_indicator: bi,
            rars,
        })
    }

    /// Appends the RAR PDU (BI subheader first if present).
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), MacPduError> {
        let total = usize::from(self.backoff_indicator.is_some()) + self.rars.len();
        let mut k = 0;
        if let Some(bi) = self.backoff_indicator {
            k += 1;
            let e = if k < total { 0x80 } else { 0 };
            out.push(e | (bi & 0x0f)); // E T=0 R R BI
        }
        for (rapid, _) in &self.rars {
            k += 1;
            let e = if k < total { 0x80 } else { 0 };
            out.push(e | 0x40 | (rapid & 0x3f)); // E T=1 RAPID
        }
        for (_, r) in &self.rars {
            out.extend_from_slice(&r.emit()?);
        }
        Ok(())
    }
}

/// Fuzz entry: every MAC decoder on `data`; must never panic.
pub fn fuzz_decode_mac(data: &[u8]) {
    for d in [LinkDirection::Downlink, LinkDirection::Uplink] {
        if let Ok(p) = MacPduRepr::parse(data, d) {
            for e in &p.elements {
                let _ = TimingAdvanceCommand::parse(e.payload);
                let _ = parse_c_rnti(e.payload);
                let _ = parse_contention_resolution_identity(e.payload);
                let _ = ShortBsr::parse(e.payload);
                let _ = Dpr::parse(e.payload);
                let _ = TimingAdvanceReport::parse(e.payload);
                let _ = DifferentialKoffset::parse(e.payload);
            }
        }
    }
    let _ = RarPduRepr::parse(data);
}

#[cfg(test)]
#[allow(clippy::unusual_byte_groupings)]
mod tests {
    use super::*;

    /// NB-IoT Msg4-like DL PDU: Contention Resolution Identity CE, then an SRB1bis SDU that
    /// runs to the end.
    #[test]
    fn dl_pdu_cri_then_sdu() {
        let bytes = [
            // R=0 F2=0 E=1 LCID=11100 (UE Contention Resolution Identity, fixed size)
            0b0_0_1_11100,
            // R=0 F2=0 E=0 LCID=00011 (SRB1bis), last subheader: no L
            0b0_0_0_00011,
            // CRI: 6 octets
            1,
            2,
            3,
            4,
            5,
            6,
            // SDU
            0xaa,
            0xbb,
            0xcc,
        ];
        let p = MacPduRepr::parse(&bytes, LinkDirection::Downlink).unwrap();
        assert_eq!(p.elements.len(), 2);
        assert_eq!(p.elements[0].lcid, 28);
        assert_eq!(
            parse_contention_resolution_identity(p.elements[0].payload).unwrap(),
            [1, 2, 3, 4, 5, 6]
        );
        assert_eq!(p.elements[1].lcid, LCID_SRB1BIS);
        assert_eq!(p.elements[1].payload, &[0xaa, 0xbb, 0xcc]);
        assert_eq!(p.padding, 0);
        let mut out = Vec::new();
        p.emit(LinkDirection::Downlink, bytes.len(), &mut out)
            .unwrap();
        assert_eq!(out, bytes);
    }

    /// UL PDU: SDU with a 7-bit L, Short BSR, then trailing padding.
    #[test]
    fn ul_pdu_with_l_and_padding() {
        let bytes = [
            // R F2=0 E=1 LCID=00001 (SRB1) | F=0 L=2
            0b0_0_1_00001,
            0b0_0000010,
            // R F2=0 E=1 LCID=11101 (Short BSR, fixed size)
            0b0_0_1_11101,
            // R F2=0 E=0 LCID=11111 (padding, last)
            0b0_0_0_11111,
            // SDU (2), BSR: LCG=00 BS index=000101 (5: 17 < BS <= 19)
            0x11,
            0x22,
            0b00_000101,
            // padding
            0,
            0,
            0,
        ];
        let p = MacPduRepr::parse(&bytes, LinkDirection::Uplink).unwrap();
        assert_eq!(p.elements.len(), 2);
        assert_eq!(p.elements[0].payload, &[0x11, 0x22]);
        let bsr = ShortBsr::parse(p.elements[1].payload).unwrap();
        assert_eq!(bsr, ShortBsr::for_bytes(0, 18));
        assert_eq!(p.padding, 4);
        let mut out = Vec::new();
        p.emit(LinkDirection::Uplink, bytes.len(), &mut out)
            .unwrap();
        assert_eq!(out, bytes);
    }

    /// One or two spare bytes go as padding subheaders at the front.
    #[test]
    fn front_padding() {
        let sdu = [9u8; 3];
        let p = MacPduRepr {
            elements: vec![MacSubPdu {
                lcid: 1,
                payload: &sdu,
            }],
            padding: 0,
        };
        let mut out = Vec::new();
        p.emit(LinkDirection::Uplink, 6, &mut out).unwrap();
        // E=1 padding, E=1 padding, E=0 LCID 1, SDU
        assert_eq!(out, [0x3f, 0x3f, 0x01, 9, 9, 9]);
        let back = MacPduRepr::parse(&out, LinkDirection::Uplink).unwrap();
        assert_eq!(back.elements, p.elements);
        assert!(p.emit(LinkDirection::Uplink, 3, &mut Vec::new()).is_err());
    }

    #[test]
    fn fifteen_bit_l() {
        let sdu = vec![7u8; 300];
        let p = MacPduRepr {
            elements: vec![
                MacSubPdu {
                    lcid: 4,
                    payload: &sdu,
                },
                MacSubPdu {
                    lcid: 5,
                    payload: &sdu[..1],
                },
            ],
            padding: 0,
        };
        let mut out = Vec::new();
        p.emit(LinkDirection::Downlink, 305, &mut out).unwrap();
        // R F2=0 E=1 LCID=4 | F=1 L=300 (0x012c) | E=0 LCID=5
        assert_eq!(&out[..4], &[0x24, 0x81, 0x2c, 0x05]);
        assert_eq!(
            MacPduRepr::parse(&out, LinkDirection::Downlink)
                .unwrap()
                .elements,
            p.elements
        );
    }

    #[test]
    fn control_elements() {
        // TAG Id=00 | T_A=011111 (31: no change)
        let ta = TimingAdvanceCommand::parse(&[0b00_011111]).unwrap();
        assert_eq!(ta, TimingAdvanceCommand { tag_id: 0, ta: 31 });
        assert_eq!(ta.emit().unwrap(), [0x1f]);
        assert_eq!(parse_c_rnti(&[0x12, 0x34]).unwrap(), 0x1234);
        // R R | PH=10 | DV=0111
        assert_eq!(Dpr::parse(&[0b00_10_0111]).unwrap(), Dpr { ph: 2, dv: 7 });
        assert_eq!(ShortBsr::for_bytes(0, 0).buffer_size_index, 0);
        assert_eq!(ShortBsr::for_bytes(0, 1132).buffer_size_index, 31);
        assert_eq!(ShortBsr::for_bytes(0, 1133).buffer_size_index, 32);
        assert_eq!(ShortBsr::for_bytes(0, 150_001).buffer_size_index, 63);
        assert_eq!(Dpr::for_bytes(1, 100), Dpr { ph: 1, dv: 9 });
        assert_eq!(Dpr::for_bytes(0, 2000).dv, 15);
    }

    /// UL PDU with a Timing Advance Report (LCID 01111, fixed 2 octets) and a C-RNTI CE.
    #[test]
    fn timing_advance_report() {
        let bytes = [
            // R F2 E=1 LCID=01111 (Timing Advance Report)
            0b0_0_1_01111,
            // R F2 E=0 LCID=11011 (C-RNTI), last
            0b0_0_0_11011,
            // R R | TA = 00 0010 0001 1101 (541)
            0b00_000010,
            0b0001_1101,
            // C-RNTI 0x4601
            0x46,
            0x01,
        ];
        let p = MacPduRepr::parse(&bytes, LinkDirection::Uplink).unwrap();
        assert_eq!(
            TimingAdvanceReport::parse(p.elements[0].payload).unwrap(),
            TimingAdvanceReport { ta: 541 }
        );
        assert_eq!(parse_c_rnti(p.elements[1].payload).unwrap(), 0x4601);
        assert_eq!(
            TimingAdvanceReport { ta: 541 }.emit().unwrap(),
            [0x02, 0x1d]
        );
        let mut out = Vec::new();
        p.emit(LinkDirection::Uplink, 6, &mut out).unwrap();
        assert_eq!(out, bytes);
    }

    /// Differential Koffset: R R | 101101 = 45 ms; Timing Advance Report of 541 ms for a GEO
    /// UE: R R | 00 0010 0001 1101.
    #[test]
    fn ntn_control_elements() {
        let d = DifferentialKoffset::parse(&[0b11_101101]).unwrap();
        assert_eq!(d, DifferentialKoffset { k_ue_offset: 45 });
        assert_eq!(d.emit().unwrap(), [0b00_101101]);
        assert!(DifferentialKoffset { k_ue_offset: 64 }.emit().is_err());
        assert!(DifferentialKoffset::parse(&[]).is_err());
        assert_eq!(
            TimingAdvanceReport::parse(&[0b11_000010, 0b0001_1101]).unwrap(),
            TimingAdvanceReport { ta: 541 }
        );
        assert!(TimingAdvanceReport { ta: 0x4000 }.emit().is_err());
        // DPR in Msg3: R R | PH level 3 | DV index 13 (321 < DV ≤ 768) for 500 bytes.
        assert_eq!(Dpr::for_bytes(3, 500).emit().unwrap(), [0b00_11_1101]);
        assert_eq!(Dpr::for_bytes(0, 0).emit().unwrap(), [0]);
    }

    #[test]
    fn rar_pdu() {
        let rar = NbRar {
            ta: 0x2ab,
            grant: NbRarGrant {
                spacing_15khz: true,
                subcarrier_indication: 12,
                scheduling_delay: 1,
                msg3_repetitions: 2,
                mcs: 3,
            },
            tc_rnti: 0x4601,
        };
        let pdu = RarPduRepr {
            backoff_indicator: Some(5),
            rars: vec![(17, rar)],
        };
        let mut out = Vec::new();
        pdu.emit(&mut out).unwrap();
        // E=1 T=0 R R BI=0101 | E=0 T=1 RAPID=010001
        assert_eq!(&out[..2], &[0b1_0_00_0101, 0b0_1_010001]);
        // R=0 | TA=010 1010 1011 | grant=1 001100 01 010 011 | R=00000 | TC-RNTI=0x4601
        assert_eq!(
            &out[2..],
            &[
                0b0_0101010,
                0b1011_1001,
                0b100_01_010,
                0b011_00000,
                0x46,
                0x01
            ]
        );
        assert_eq!(RarPduRepr::parse(&out).unwrap(), pdu);
    }
}
