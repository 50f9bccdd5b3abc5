//! 5GS mobile identity (TS 24.501 §9.11.3.4).

use crate::DecodeError;

/// 5GS mobile identity.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub enum MobileIdentity5gs {
    /// Type 000: no identity; value octets kept.
    NoIdentity(Vec<u8>),
    /// Type 001: SUCI (TS 23.003 §2.2B). For the IMSI SUPI format.
    Suci(Suci),
    /// Type 010: 5G-GUTI.
    Guti(Guti5g),
    /// Type 011: IMEI digits.
    Imei(String),
    /// Type 100: 5G-S-TMSI.
    STmsi {
        /// AMF set ID (10 bits).
        amf_set_id: u16,
        /// AMF pointer (6 bits).
        amf_pointer: u8,
        /// 5G-TMSI.
        tmsi: u32,
    },
    /// Type 101: IMEISV digits.
    Imeisv(String),
    /// Other types (MAC address, EUI-64, reserved), kept as received.
    Unknown {
        /// Type of identity (3 bits).
        kind: u8,
        /// Value octets.
        value: Vec<u8>,
    },
}

/// SUCI with the IMSI SUPI format (TS 24.501 figure 9.11.3.4.3).
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Suci {
    /// SUPI format (3 bits): 0 IMSI, 1 network specific identifier.
    pub supi_format: u8,
    /// Home network identity: MCC/MNC as 3 octets, NAS BCD order.
    pub plmn: [u8; 3],
    /// Routing indicator, 2 octets BCD (digits 1-4, 0xF filler).
    pub routing_indicator: [u8; 2],
    /// Protection scheme identifier (4 bits): 0 null scheme, 1 profile A, 2 profile B.
    pub protection_scheme: u8,
    /// Home network public key identifier.
    pub hn_public_key_id: u8,
    /// Scheme output: for the null scheme the MSIN in BCD; for ECIES the ephemeral public key,
    /// ciphertext and MAC tag.
    pub scheme_output: Vec<u8>,
}

/// 5G-GUTI (TS 23.003 §2.10).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub struct Guti5g {
    /// PLMN identity, NAS order.
    pub plmn: [u8; 3],
    /// AMF region ID.
    pub amf_region_id: u8,
    /// AMF set ID (10 bits).
    pub amf_set_id: u16,
    /// AMF pointer (6 bits).
    pub amf_pointer: u8,
    /// 5G-TMSI.
    pub tmsi: u32,
}

fn digits(v: &[u8], what: &'static str) -> Result<String, DecodeError> {
    let first = *v.first().ok_or(DecodeError::Truncated(what))?;
    let odd = first & 0x08 != 0;
    let mut s = String::new();
    let mut push = |d: u8| -> Result<(), DecodeError> {
        if d > 9 {
            return Err(DecodeError::InvalidValue {
                field: what,
                value: u32::from(d),
            });
        }
        s.push(char::from(b'0' + d));
        Ok(())
    };
    push(first >> 4)?;
    let rest = v.get(1..).unwrap_or(&[]);
    for (i, b) in rest.iter().enumerate() {
        push(b & 0x0f)?;
        if i + 1 != rest.len() || odd {
            push(b >> 4)?;
        }
    }
    Ok(s)
}

fn put_digits(kind: u8, d: &str, out: &mut Vec<u8>) {
    let d: Vec<u8> = d.bytes().map(|c| c.wrapping_sub(b'0') & 0x0f).collect();
    let odd = d.len() % 2 == 1;
    out.push((d.first().copied().unwrap_or(0x0f) << 4) | (u8::from(odd) << 3) | kind);
    for pair in d.get(1..).unwrap_or(&[]).chunks(2) {
        out.push((pair.get(1).copied().unwrap_or(0x0f) << 4) | pair[0]);
    }
}

impl MobileIdentity5gs {
    /// Decodes the value part (without the LV-E length).
    pub fn parse(v: &[u8]) -> Result<Self, DecodeError> {
        let first = *v
            .first()
            .ok_or(DecodeError::Truncated("5GS mobile identity"))?;
        let need = |n: usize, ie: &'static str| {
            if v.len() < n {
                Err(DecodeError::BadLength {
                    ie,
                    len: v.len(),
                    min: n,
                    max: usize::MAX,
                })
            } else {
                Ok(())
            }
        };
        Ok(match first & 0x07 {
            0 => Self::NoIdentity(v.to_vec()),
            1 => {
                need(8, "SUCI")?;
                Self::Suci(Suci {
                    supi_format: (first >> 4) & 0x07,
                    plmn: [v[1], v[2], v[3]],
                    routing_indicator: [v[4], v[5]],
                    protection_scheme: v[6] & 0x0f,
                    hn_public_key_id: v[7],
                    scheme_output: v[8..].to_vec(),
                })
            }
            2 => {
                if v.len() != 11 {
                    return Err(DecodeError::BadLength {
                        ie: "5G-GUTI",
                        len: v.len(),
                        min: 11,
                        max: 11,
                    });
                }
                let sp = u16::from_be_bytes([v[5], v[6]]);
                Self::Guti(Guti5g {
                    plmn: [v[1], v[2], v[3]],
                    amf_region_id: v[4],
                    amf_set_id: sp >> 6,
                    amf_pointer: (sp & 0x3f) as u8,
                    tmsi: u32::from_be_bytes([v[7], v[8], v[9], v[10]]),
                })
            }
            3 => Self::Imei(digits(v, "IMEI")?),
            4 => {
                if v.len() != 7 {
                    return Err(DecodeError::BadLength {
                        ie: "5G-S-TMSI",
                        len: v.len(),
                        min: 7,
                        max: 7,
                    });
                }
                let sp = u16::from_be_bytes([v[1], v[2]]);
                Self::STmsi {
                    amf_set_id: sp >> 6,
                    amf_pointer: (sp & 0x3f) as u8,
                    tmsi: u32::from_be_bytes([v[3], v[4], v[5], v[6]]),
                }
            }
            5 => Self::Imeisv(digits(v, "IMEISV")?),
            kind => Self::Unknown {
                kind,
                value: v.to_vec(),
            },
        })
    }

    /// Encodes the value part.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut o = Vec::new();
        match self {
            Self::NoIdentity(v) | Self::Unknown { value: v, .. } => o.extend_from_slice(v),
            Self::Suci(s) => {
                o.push(((s.supi_format & 0x07) << 4) | 0x01);
                o.extend_from_slice(&s.plmn);
                o.extend_from_slice(&s.routing_indicator);
                o.push(s.protection_scheme & 0x0f);
                o.push(s.hn_public_key_id);
                o.extend_from_slice(&s.scheme_output);
            }
            Self::Guti(g) => {
                o.push(0xf2);
                o.extend_from_slice(&g.plmn);
                o.push(g.amf_region_id);
                o.extend_from_slice(
                    &(((g.amf_set_id & 0x3ff) << 6) | u16::from(g.amf_pointer & 0x3f))
                        .to_be_bytes(),
                );
                o.extend_from_slice(&g.tmsi.to_be_bytes());
            }
            Self::Imei(d) => put_digits(3, d, &mut o),
            Self::STmsi {
                amf_set_id,
                amf_pointer,
                tmsi,
            } => {
                o.push(0xf4);
                o.extend_from_slice(
                    &(((amf_set_id & 0x3ff) << 6) | u16::from(amf_pointer & 0x3f)).to_be_bytes(),
                );
                o.extend_from_slice(&tmsi.to_be_bytes());
            }
            Self::Imeisv(d) => put_digits(5, d, &mut o),
        }
        o
    }
}

impl Suci {
    /// A SUCI with the null protection scheme for an IMSI: the scheme output is the MSIN in BCD
    /// (TS 33.501 Annex C.2, TS 24.501 figure 9.11.3.4.3).
    pub fn null_scheme(plmn: [u8; 3], routing_indicator: [u8; 2], msin: &str) -> Self {
        let d: Vec<u8> = msin.bytes().map(|c| c.wrapping_sub(b'0') & 0x0f).collect();
        let scheme_output = d
            .chunks(2)
            .map(|p| (p.get(1).copied().unwrap_or(0x0f) << 4) | p[0])
            .collect();
        Self {
            supi_format: 0,
            plmn,
            routing_indicator,
            protection_scheme: 0,
            hn_public_key_id: 0,
            scheme_output,
        }
    }
}
