//! Information elements shared by the EPS NAS messages (TS 24.301 §9.9, TS 24.008 §10.5)
//! and the generic optional-IE machinery (TS 24.007 §11.2).

use crate::reader::Reader;
use crate::{DecodeError, EncodeError};

/// Where NAS messages are encoded: the octets, and the first value that did not fit its
/// length field. Dereferences to the octets, so fixed fields are pushed as into a `Vec`;
/// [`NasWriter::finish`] returns the octets or that error.
#[derive(Debug, Default)]
pub struct NasWriter {
    buf: Vec<u8>,
    error: Option<EncodeError>,
}

impl NasWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded octets, or the first encoding error.
    ///
    /// # Errors
    /// [`EncodeError::TooLong`] if a value did not fit its length field.
    pub fn finish(self) -> Result<Vec<u8>, EncodeError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.buf),
        }
    }

    fn fail(&mut self, e: EncodeError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// A length field of `N` octets (big-endian) for `v`, then `v`; too long a value records
    /// the error and writes nothing.
    fn length_and_value<const N: usize>(&mut self, what: &'static str, iei: Option<u8>, v: &[u8]) {
        let max = (1usize << (8 * N)) - 1;
        if v.len() > max {
            self.fail(EncodeError::TooLong {
                what,
                iei,
                len: v.len(),
                max,
            });
            return;
        }
        let len = v.len().to_be_bytes();
        self.buf.extend_from_slice(&len[len.len() - N..]);
        self.buf.extend_from_slice(v);
    }
}

impl core::ops::Deref for NasWriter {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.buf
    }
}

impl core::ops::DerefMut for NasWriter {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
}

/// How an optional IE is framed (TS 24.007 §11.2.1). `Debug` prints the specification's
/// name ("TV", "TLV-E", ...) so dissections built from it read as the specification does.
#[derive(Clone, Copy, Eq, PartialEq)]
pub enum IeFormat {
    /// Type 1: 4-bit IEI in bits 8-5 and a 4-bit value in the same octet.
    HalfTv,
    /// Type 3: IEI then a value of fixed length (octets, excluding the IEI).
    Tv(usize),
    /// Type 4: IEI, one length octet, value.
    Tlv,
    /// Type 6: IEI, two length octets, value (EPS IEIs 0x7X, TS 24.007 §11.2.4).
    Tlve,
}

impl IeFormat {
    /// The format's name in TS 24.007 §11.2.1: "TV (type 1)", "TV", "TLV", "TLV-E".
    pub fn name(self) -> &'static str {
        match self {
            IeFormat::HalfTv => "TV (type 1)",
            IeFormat::Tv(_) => "TV",
            IeFormat::Tlv => "TLV",
            IeFormat::Tlve => "TLV-E",
        }
    }
}

impl core::fmt::Debug for IeFormat {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}", self.name())
    }
}

/// One optional IE as received: its IEI, framing and value octets. For [`IeFormat::HalfTv`]
/// `iei` is the upper nibble (e.g. 0xC0) and `value` is one octet holding the lower nibble.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Ie {
    /// Information element identifier.
    pub iei: u8,
    /// Framing.
    pub format: IeFormat,
    /// Value octets.
    pub value: Vec<u8>,
}

impl Ie {
    /// Appends the IE with its framing; a TLV value above 255 octets or a TLV-E value above
    /// 65535 is recorded in `out` as [`EncodeError::TooLong`].
    pub fn emit(&self, out: &mut NasWriter) {
        match self.format {
            IeFormat::HalfTv => {
                out.push((self.iei & 0xf0) | (self.value.first().copied().unwrap_or(0) & 0x0f))
            }
            IeFormat::Tv(_) => {
                out.push(self.iei);
                out.extend_from_slice(&self.value);
            }
            IeFormat::Tlv => {
                out.push(self.iei);
                out.length_and_value::<1>("TLV IE", Some(self.iei), &self.value);
            }
            IeFormat::Tlve => {
                out.push(self.iei);
                out.length_and_value::<2>("TLV-E IE", Some(self.iei), &self.value);
            }
        }
    }
}

/// Appends an LV field; a value above 255 octets is recorded in `out` as
/// [`EncodeError::TooLong`].
pub fn emit_lv(out: &mut NasWriter, v: &[u8]) {
    out.length_and_value::<1>("LV value", None, v);
}

/// Appends an LV-E field; a value above 65535 octets is recorded in `out` as
/// [`EncodeError::TooLong`].
pub fn emit_lve(out: &mut NasWriter, v: &[u8]) {
    out.length_and_value::<2>("LV-E value", None, v);
}

/// Known optional IEs of one message: (IEI, format). Half-octet IEIs are given as their upper
/// nibble with the low nibble zero.
pub(crate) type IeTable = &'static [(u8, IeFormat)];

/// Parses the optional part of a message: every IE up to the end, in order. IEIs missing from
/// `table` are framed by the TS 24.007 §11.2.4 rule (bit 8 set: type 1; 0x7X: TLV-E;
/// otherwise TLV) and kept.
pub(crate) fn parse_optional(r: &mut Reader<'_>, table: IeTable) -> Result<Vec<Ie>, DecodeError> {
    let mut ies = Vec::new();
    while let Some(b) = r.peek() {
        let format = table
            .iter()
            .find(|(iei, f)| match f {
                IeFormat::HalfTv => *iei == b & 0xf0,
                _ => *iei == b,
            })
            .map(|(_, f)| *f)
            .unwrap_or(if b & 0x80 != 0 {
                IeFormat::HalfTv
            } else if b & 0xf0 == 0x70 {
                IeFormat::Tlve
            } else {
                IeFormat::Tlv
            });
        r.u8("IEI")?;
        let ie = match format {
            IeFormat::HalfTv => Ie {
                iei: b & 0xf0,
                format,
                value: vec![b & 0x0f],
            },
            IeFormat::Tv(n) => Ie {
                iei: b,
                format,
                value: r.bytes(n, "TV IE")?.to_vec(),
            },
            IeFormat::Tlv => Ie {
                iei: b,
                format,
                value: r.lv("TLV IE", 0, 255)?.to_vec(),
            },
            IeFormat::Tlve => Ie {
                iei: b,
                format,
                value: r.lve("TLV-E IE", 0, 65535)?.to_vec(),
            },
        };
        ies.push(ie);
    }
    Ok(ies)
}

/// Finds an optional IE by IEI (upper nibble for half-octet IEs).
pub fn find_ie(ies: &[Ie], iei: u8) -> Option<&Ie> {
    ies.iter().find(|ie| ie.iei == iei)
}

/// Replaces (or inserts, keeping `order`) the IE with the IEI of `ie`; `order` lists IEIs in
/// the order of the message definition so the emitted message keeps the specified order.
pub(crate) fn set_ie(ies: &mut Vec<Ie>, ie: Ie, order: IeTable) {
    if let Some(slot) = ies.iter_mut().find(|x| x.iei == ie.iei) {
        *slot = ie;
        return;
    }
    let rank = |iei: u8| {
        order
            .iter()
            .position(|(i, _)| *i == iei)
            .unwrap_or(usize::MAX)
    };
    let r = rank(ie.iei);
    let pos = ies
        .iter()
        .position(|x| rank(x.iei) > r)
        .unwrap_or(ies.len());
    ies.insert(pos, ie);
}

/// NAS key set identifier (TS 24.301 §9.9.3.21): type of security context flag and KSI.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub struct NasKsi {
    /// Type of security context flag: `false` native, `true` mapped.
    pub mapped: bool,
    /// Key set identifier 0..=6; 7 = no key is available.
    pub ksi: u8,
}

impl Default for NasKsi {
    /// "No key is available".
    fn default() -> Self {
        Self::NO_KEY
    }
}

impl NasKsi {
    /// KSI value 7: "no key is available" (UE to network) / reserved (network to UE).
    pub const NO_KEY: Self = Self {
        mapped: false,
        ksi: 7,
    };

    /// From the 4-bit field.
    pub fn from_nibble(n: u8) -> Self {
        Self {
            mapped: n & 0x08 != 0,
            ksi: n & 0x07,
        }
    }

    /// The 4-bit field.
    pub fn nibble(self) -> u8 {
        (u8::from(self.mapped) << 3) | (self.ksi & 0x07)
    }
}

/// GUTI (TS 23.003 §2.8): PLMN, MME group, MME code, M-TMSI.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub struct Guti {
    /// PLMN identity, 3 octets as coded in NAS (TS 24.008 §10.5.1.3).
    pub plmn: [u8; 3],
    /// MME group ID.
    pub mme_group_id: u16,
    /// MME code.
    pub mme_code: u8,
    /// M-TMSI.
    pub m_tmsi: u32,
}

/// Mobile identity: EPS mobile identity (TS 24.301 §9.9.3.12) and the TS 24.008 §10.5.1.4
/// mobile identity used by identity response and IMEISV.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub enum MobileIdentity {
    /// IMSI digits.
    Imsi(String),
    /// IMEI digits.
    Imei(String),
    /// IMEISV digits.
    Imeisv(String),
    /// GUTI (EPS mobile identity type 110).
    Guti(Guti),
    /// TMSI / P-TMSI / M-TMSI (TS 24.008 type 100).
    Tmsi(u32),
    /// Type "no identity" (000), value octets kept.
    NoIdentity(Vec<u8>),
    /// Other type code points, kept as received.
    Unknown {
        /// Type of identity (3 bits).
        kind: u8,
        /// Value octets.
        value: Vec<u8>,
    },
}

fn decode_digits(v: &[u8], what: &'static str) -> Result<String, DecodeError> {
    let first = v.first().ok_or(DecodeError::Truncated(what))?;
    let odd = first & 0x08 != 0;
    let mut s = String::new();
    let push = |s: &mut String, d: u8| -> Result<(), DecodeError> {
        if d > 9 {
            return Err(DecodeError::InvalidValue {
                field: what,
                value: u32::from(d),
            });
        }
        s.push(char::from(b'0' + d));
        Ok(())
    };
    push(&mut s, first >> 4)?;
    let rest = v.get(1..).unwrap_or(&[]);
    for (i, b) in rest.iter().enumerate() {
        push(&mut s, b & 0x0f)?;
        let last = i + 1 == rest.len();
        if last && !odd {
            if b >> 4 != 0x0f {
                return Err(DecodeError::InvalidValue {
                    field: what,
                    value: u32::from(*b),
                });
            }
        } else {
            push(&mut s, b >> 4)?;
        }
    }
    Ok(s)
}

fn encode_digits(kind: u8, digits: &str, out: &mut Vec<u8>) {
    let d: Vec<u8> = digits
        .bytes()
        .map(|c| c.wrapping_sub(b'0') & 0x0f)
        .collect();
    let odd = d.len() % 2 == 1;
    out.push((d.first().copied().unwrap_or(0x0f) << 4) | (u8::from(odd) << 3) | kind);
    let rest = d.get(1..).unwrap_or(&[]);
    for pair in rest.chunks(2) {
        let lo = pair[0];
        let hi = pair.get(1).copied().unwrap_or(0x0f);
        out.push((hi << 4) | lo);
    }
}

impl MobileIdentity {
    /// Decodes the value part (without length) of a mobile identity IE.
    pub fn parse(v: &[u8]) -> Result<Self, DecodeError> {
        let first = *v.first().ok_or(DecodeError::Truncated("mobile identity"))?;
        Ok(match first & 0x07 {
            1 => Self::Imsi(decode_digits(v, "IMSI")?),
            2 => Self::Imei(decode_digits(v, "IMEI")?),
            3 => {
                // TS 24.301 uses 011 for IMEI in the EPS mobile identity; TS 24.008 uses it for
                // IMEISV. 16 digits means IMEISV, otherwise IMEI.
                let s = decode_digits(v, "IMEI(SV)")?;
                if s.len() == 16 {
                    Self::Imeisv(s)
                } else {
                    Self::Imei(s)
                }
            }
            4 => {
                let t = v.get(1..5).ok_or(DecodeError::Truncated("TMSI"))?;
                Self::Tmsi(u32::from_be_bytes([t[0], t[1], t[2], t[3]]))
            }
            6 => {
                if v.len() != 11 {
                    return Err(DecodeError::BadLength {
                        ie: "GUTI",
                        len: v.len(),
                        min: 11,
                        max: 11,
                    });
                }
                Self::Guti(Guti {
                    plmn: [v[1], v[2], v[3]],
                    mme_group_id: u16::from_be_bytes([v[4], v[5]]),
                    mme_code: v[6],
                    m_tmsi: u32::from_be_bytes([v[7], v[8], v[9], v[10]]),
                })
            }
            0 => Self::NoIdentity(v.to_vec()),
            kind => Self::Unknown {
                kind,
                value: v.to_vec(),
            },
        })
    }

    /// Encodes the value part (without length).
    pub fn emit(&self, out: &mut Vec<u8>) {
        match self {
            Self::Imsi(d) => encode_digits(1, d, out),
            Self::Imei(d) => encode_digits(3, d, out),
            Self::Imeisv(d) => encode_digits(3, d, out),
            Self::Tmsi(t) => {
                out.push(0xf4);
                out.extend_from_slice(&t.to_be_bytes());
            }
            Self::Guti(g) => {
                out.push(0xf6);
                out.extend_from_slice(&g.plmn);
                out.extend_from_slice(&g.mme_group_id.to_be_bytes());
                out.push(g.mme_code);
                out.extend_from_slice(&g.m_tmsi.to_be_bytes());
            }
            Self::NoIdentity(v) | Self::Unknown { value: v, .. } => out.extend_from_slice(v),
        }
    }

    /// The encoded value as a vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(&mut v);
        v
    }
}

/// UE network capability (TS 24.301 §9.9.3.34) / UE security capability (§9.9.3.36): the
/// EEA and EIA bit maps (bit 8 = algorithm 0) and the remaining octets as received.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct SecurityCapability {
    /// EEA0..EEA7 supported, bit 7 (MSB) = EEA0.
    pub eea: u8,
    /// EIA0..EIA7 supported, bit 7 (MSB) = EIA0.
    pub eia: u8,
    /// Octets after the first two (UEA/UIA/GEA, feature bits ...).
    pub rest: Vec<u8>,
}

impl SecurityCapability {
    /// Decodes the value part.
    pub fn parse(v: &[u8]) -> Result<Self, DecodeError> {
        if v.len() < 2 {
            return Err(DecodeError::BadLength {
                ie: "security capability",
                len: v.len(),
                min: 2,
                max: 13,
            });
        }
        Ok(Self {
            eea: v[0],
            eia: v[1],
            rest: v[2..].to_vec(),
        })
    }

    /// Encodes the value part.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![self.eea, self.eia];
        v.extend_from_slice(&self.rest);
        v
    }

    /// Whether EEA`n` is supported.
    pub fn supports_eea(&self, n: u8) -> bool {
        n < 8 && self.eea & (0x80 >> n) != 0
    }

    /// Whether EIA`n` is supported.
    pub fn supports_eia(&self, n: u8) -> bool {
        n < 8 && self.eia & (0x80 >> n) != 0
    }
}

/// Access point name (TS 24.008 §10.5.6.1, TS 23.003 §9.1): length-prefixed labels.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Apn(pub Vec<u8>);

impl Apn {
    /// From a dotted name ("internet", "iot.example").
    ///
    /// # Panics
    /// If a label is longer than 63 characters (caller bug).
    pub fn from_dotted(s: &str) -> Self {
        let mut v = Vec::new();
        for label in s.split('.') {
            #[allow(clippy::expect_used)]
            v.push(u8::try_from(label.len()).expect("APN label too long"));
            v.extend_from_slice(label.as_bytes());
        }
        Self(v)
    }

    /// The dotted form; `None` if the label lengths do not add up.
    pub fn to_dotted(&self) -> Option<String> {
        let mut out = Vec::new();
        let mut r = Reader::new(&self.0);
        while !r.is_empty() {
            let n = usize::from(r.u8("APN").ok()?);
            let l = r.bytes(n, "APN").ok()?;
            if !out.is_empty() {
                out.push(b'.');
            }
            out.extend_from_slice(l);
        }
        String::from_utf8(out).ok()
    }
}

/// Whether a TAI list value contains `tai` = PLMN identity (3 octets) + TAC (2 octets in EPS,
/// TS 24.301 §9.9.3.33; 3 octets in 5GS, TS 24.501 §9.11.3.9). Partial lists of types 00
/// (one PLMN, listed TACs), 01 (one PLMN, consecutive TACs) and 10 (PLMN/TAC pairs); a
/// truncated or unknown list ends the search (`false`), never a panic.
pub fn tai_list_contains(list: &[u8], tai: &[u8]) -> bool {
    let tac_len = tai.len().saturating_sub(3);
    if !(2..=3).contains(&tac_len) {
        return false;
    }
    let tac_of = |b: &[u8]| b.iter().fold(0u32, |a, x| (a << 8) | u32::from(*x));
    let mut i = 0;
    while let Some(&h) = list.get(i) {
        let n = usize::from(h & 0x1f) + 1;
        match (h >> 5) & 0x03 {
            0 => {
                let Some(p) = list.get(i + 1..i + 4) else {
                    return false;
                };
                for k in 0..n {
                    let at = i + 4 + tac_len * k;
                    let Some(t) = list.get(at..at + tac_len) else {
                        return false;
                    };
                    if p == &tai[..3] && t == &tai[3..] {
                        return true;
                    }
                }
                i += 4 + tac_len * n;
            }
            1 => {
                let Some(e) = list.get(i + 1..i + 4 + tac_len) else {
                    return false;
                };
                let (first, tac) = (tac_of(&e[3..]), tac_of(&tai[3..]));
                if e[..3] == tai[..3] && tac >= first && tac - first < n as u32 {
                    return true;
                }
                i += 4 + tac_len;
            }
            2 => {
                let w = 3 + tac_len;
                for k in 0..n {
                    let at = i + 1 + w * k;
                    let Some(e) = list.get(at..at + w) else {
                        return false;
                    };
                    if e == tai {
                        return true;
                    }
                }
                i += 1 + w * n;
            }
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod encode_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Values longer than their length field are a typed error, never a panic or a
    /// truncated length.
    #[test]
    fn lengths_that_do_not_fit_are_typed_errors() {
        let mut w = NasWriter::new();
        emit_lve(&mut w, &[1; 65_535]);
        emit_lv(&mut w, &[2; 255]);
        assert_eq!(w.finish().unwrap().len(), 2 + 65_535 + 1 + 255);
        let mut w = NasWriter::new();
        emit_lve(&mut w, &vec![0; 70_000]);
        assert_eq!(
            w.finish(),
            Err(EncodeError::TooLong {
                what: "LV-E value",
                iei: None,
                len: 70_000,
                max: 65_535
            })
        );
        let mut w = NasWriter::new();
        emit_lv(&mut w, &[0; 256]);
        Ie {
            iei: 0x78,
            format: IeFormat::Tlve,
            value: vec![0; 65_536],
        }
        .emit(&mut w);
        // the first error is the one reported
        assert!(matches!(
            w.finish(),
            Err(EncodeError::TooLong { len: 256, .. })
        ));
        let mut w = NasWriter::new();
        Ie {
            iei: 0x78,
            format: IeFormat::Tlve,
            value: vec![0; 65_536],
        }
        .emit(&mut w);
        let e = w.finish().unwrap_err();
        assert!(matches!(
            e,
            EncodeError::TooLong {
                iei: Some(0x78),
                ..
            }
        ));
        assert!(e.to_string().contains("65536 octets"), "{e}");
    }
}
