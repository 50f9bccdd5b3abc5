//! EPS NAS (TS 24.301): message framing, EMM and ESM messages, NAS security.

pub mod emm;
pub mod esm;
pub mod mme;
pub mod security;
pub mod ue;
pub mod usim;

use crate::ie::NasWriter;
use crate::reader::Reader;
use crate::{DecodeError, EncodeError};
pub use emm::EmmMessage;
pub use esm::{EsmBody, EsmMessage};
use ntn_security::Direction;

/// Protocol discriminator of EPS mobility management (TS 24.007 §11.2.3.1.1).
pub const PD_EMM: u8 = 0x07;
/// Protocol discriminator of EPS session management.
pub const PD_ESM: u8 = 0x02;

/// Security header type (TS 24.301 §9.3.1, table 9.3.1).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum SecurityHeaderType {
    /// 0: plain NAS message, not security protected.
    Plain,
    /// 1: integrity protected.
    IntegrityProtected,
    /// 2: integrity protected and ciphered.
    IntegrityProtectedCiphered,
    /// 3: integrity protected with new EPS security context (SECURITY MODE COMMAND).
    IntegrityProtectedNewContext,
    /// 4: integrity protected and ciphered with new EPS security context (SECURITY MODE
    /// COMPLETE).
    IntegrityProtectedCipheredNewContext,
    /// 5: integrity protected and partially ciphered (CONTROL PLANE SERVICE REQUEST).
    IntegrityProtectedPartiallyCiphered,
    /// 12: security header for the SERVICE REQUEST message.
    ServiceRequest,
}

impl SecurityHeaderType {
    /// From the 4-bit field; `None` for reserved values.
    pub fn from_nibble(n: u8) -> Option<Self> {
        Some(match n {
            0 => Self::Plain,
            1 => Self::IntegrityProtected,
            2 => Self::IntegrityProtectedCiphered,
            3 => Self::IntegrityProtectedNewContext,
            4 => Self::IntegrityProtectedCipheredNewContext,
            5 => Self::IntegrityProtectedPartiallyCiphered,
            12 => Self::ServiceRequest,
            _ => return None,
        })
    }

    /// The 4-bit field.
    pub fn nibble(self) -> u8 {
        match self {
            Self::Plain => 0,
            Self::IntegrityProtected => 1,
            Self::IntegrityProtectedCiphered => 2,
            Self::IntegrityProtectedNewContext => 3,
            Self::IntegrityProtectedCipheredNewContext => 4,
            Self::IntegrityProtectedPartiallyCiphered => 5,
            Self::ServiceRequest => 12,
        }
    }

    /// Whether the NAS message inside is ciphered (types 2 and 4).
    pub fn is_ciphered(self) -> bool {
        matches!(
            self,
            Self::IntegrityProtectedCiphered | Self::IntegrityProtectedCipheredNewContext
        )
    }
}

/// A security-protected NAS message (TS 24.301 §9.1 figure 9.1.2): header, message
/// authentication code, sequence number and the (possibly ciphered) NAS message.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ProtectedPdu {
    /// Security header type (1..=5).
    pub header_type: SecurityHeaderType,
    /// Message authentication code.
    pub mac: [u8; 4],
    /// Sequence number: the 8 LSBs of the NAS COUNT.
    pub sn: u8,
    /// The NAS message, ciphered when the header type says so.
    pub payload: Vec<u8>,
}

impl ProtectedPdu {
    /// Appends the encoded envelope.
    pub fn emit(&self, out: &mut NasWriter) {
        out.push((self.header_type.nibble() << 4) | PD_EMM);
        out.extend_from_slice(&self.mac);
        out.push(self.sn);
        out.extend_from_slice(&self.payload);
    }
}

/// SERVICE REQUEST (TS 24.301 §8.2.25), the short-format message with its own security
/// header type 12.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct ServiceRequest {
    /// KSI (3 bits).
    pub ksi: u8,
    /// Sequence number: the 5 LSBs of the uplink NAS COUNT.
    pub sequence_number: u8,
    /// Short MAC: the 2 LSB octets of the NAS-MAC (§9.9.3.28).
    pub short_mac: [u8; 2],
}

/// A NAS PDU as found on the air interface.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum NasMessage {
    /// A plain EMM message.
    Emm(EmmMessage),
    /// A plain ESM message.
    Esm(EsmMessage),
    /// A security-protected envelope; the security context opens it.
    Protected(ProtectedPdu),
    /// SERVICE REQUEST.
    ServiceRequest(ServiceRequest),
}

impl NasMessage {
    /// Parses a NAS PDU. `direction` is needed because a few messages (DETACH REQUEST) differ
    /// between uplink and downlink.
    pub fn parse(buf: &[u8], direction: Direction) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let h = r.u8("NAS header")?;
        match h & 0x0f {
            PD_ESM => Ok(Self::Esm(EsmMessage::parse(buf)?)),
            PD_EMM => {
                let sht =
                    SecurityHeaderType::from_nibble(h >> 4).ok_or(DecodeError::InvalidValue {
                        field: "security header type",
                        value: u32::from(h >> 4),
                    })?;
                match sht {
                    SecurityHeaderType::Plain => {
                        let mt = r.u8("message type")?;
                        Ok(Self::Emm(EmmMessage::parse_body(mt, &mut r, direction)?))
                    }
                    SecurityHeaderType::ServiceRequest => {
                        let o = r.u8("KSI and sequence number")?;
                        let short_mac = r.array::<2>("short MAC")?;
                        if !r.is_empty() {
                            return Err(DecodeError::TrailingBytes(r.rest().len()));
                        }
                        Ok(Self::ServiceRequest(ServiceRequest {
                            ksi: o >> 5,
                            sequence_number: o & 0x1f,
                            short_mac,
                        }))
                    }
                    header_type => {
                        let mac = r.array::<4>("message authentication code")?;
                        let sn = r.u8("sequence number")?;
                        Ok(Self::Protected(ProtectedPdu {
                            header_type,
                            mac,
                            sn,
                            payload: r.rest().to_vec(),
                        }))
                    }
                }
            }
            pd => Err(DecodeError::UnknownProtocol(pd)),
        }
    }

    /// Appends the encoded PDU.
    pub fn emit(&self, out: &mut NasWriter) {
        match self {
            Self::Emm(m) => {
                out.push(PD_EMM);
                out.push(m.message_type());
                m.emit_body(out);
            }
            Self::Esm(m) => m.emit(out),
            Self::Protected(p) => p.emit(out),
            Self::ServiceRequest(s) => {
                out.push((SecurityHeaderType::ServiceRequest.nibble() << 4) | PD_EMM);
                out.push(((s.ksi & 0x07) << 5) | (s.sequence_number & 0x1f));
                out.extend_from_slice(&s.short_mac);
            }
        }
    }

    /// The encoded PDU as a vector.
    pub fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = NasWriter::new();
        self.emit(&mut w);
        w.finish()
    }
}

impl From<EmmMessage> for NasMessage {
    fn from(m: EmmMessage) -> Self {
        Self::Emm(m)
    }
}

impl From<EsmMessage> for NasMessage {
    fn from(m: EsmMessage) -> Self {
        Self::Esm(m)
    }
}

/// Fuzz entry point: parse in both directions and, when a parse succeeds, re-emit and parse
/// again; must never panic. Driven by the stable fuzz test and usable from cargo-fuzz.
pub fn fuzz_parse(data: &[u8]) {
    for dir in [Direction::Uplink, Direction::Downlink] {
        if let Ok(m) = NasMessage::parse(data, dir)
            && let Ok(bytes) = m.to_vec()
        {
            let _ = NasMessage::parse(&bytes, dir);
        }
    }
}
