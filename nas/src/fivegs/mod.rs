//! 5GS NAS (TS 24.501): message framing, 5GMM and 5GSM messages, 5GS mobile identity.
//!
//! Security-protected 5GS NAS messages use the same envelope as EPS (security header type,
//! MAC, SN, then the plain message) behind extended protocol discriminator 0x7E.

pub mod identity;
pub mod mm;
pub mod procedures;
pub mod sm;

use crate::ie::NasWriter;
use crate::reader::Reader;
use crate::{DecodeError, EncodeError};
pub use identity::{Guti5g, MobileIdentity5gs, Suci};
pub use mm::FgmmMessage;
use ntn_security::Direction;
pub use sm::{FgsmBody, FgsmMessage};

/// Extended protocol discriminator of 5GS mobility management (TS 24.007 §11.2.3.1A).
pub const EPD_5GMM: u8 = 0x7e;
/// Extended protocol discriminator of 5GS session management.
pub const EPD_5GSM: u8 = 0x2e;

/// A security-protected 5GS NAS message (TS 24.501 §9.1.1, figure 9.1.1.2).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ProtectedPdu5g {
    /// Security header type (1..=4, TS 24.501 §9.3.1).
    pub header_type: u8,
    /// Message authentication code.
    pub mac: [u8; 4],
    /// Sequence number.
    pub sn: u8,
    /// The plain 5GS NAS message, ciphered for header types 2 and 4.
    pub payload: Vec<u8>,
}

/// A 5GS NAS PDU.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum NasMessage5g {
    /// Plain 5GMM message.
    Mm(FgmmMessage),
    /// Plain 5GSM message.
    Sm(FgsmMessage),
    /// Security-protected envelope.
    Protected(ProtectedPdu5g),
}

impl NasMessage5g {
    /// Parses a 5GS NAS PDU.
    pub fn parse(buf: &[u8], direction: Direction) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        match r.u8("extended protocol discriminator")? {
            EPD_5GSM => Ok(Self::Sm(FgsmMessage::parse(buf)?)),
            EPD_5GMM => {
                let sht = r.u8("security header type")? & 0x0f;
                match sht {
                    0 => {
                        let mt = r.u8("message type")?;
                        Ok(Self::Mm(FgmmMessage::parse_body(mt, &mut r, direction)?))
                    }
                    1..=4 => {
                        let mac = r.array::<4>("message authentication code")?;
                        let sn = r.u8("sequence number")?;
                        Ok(Self::Protected(ProtectedPdu5g {
                            header_type: sht,
                            mac,
                            sn,
                            payload: r.rest().to_vec(),
                        }))
                    }
                    v => Err(DecodeError::InvalidValue {
                        field: "security header type",
                        value: u32::from(v),
                    }),
                }
            }
            epd => Err(DecodeError::UnknownProtocol(epd)),
        }
    }

    /// Appends the encoded PDU.
    pub fn emit(&self, out: &mut NasWriter) {
        match self {
            Self::Mm(m) => {
                out.extend_from_slice(&[EPD_5GMM, 0x00, m.message_type()]);
                m.emit_body(out);
            }
            Self::Sm(m) => m.emit(out),
            Self::Protected(p) => {
                out.extend_from_slice(&[EPD_5GMM, p.header_type & 0x0f]);
                out.extend_from_slice(&p.mac);
                out.push(p.sn);
                out.extend_from_slice(&p.payload);
            }
        }
    }

    /// The encoded PDU.
    pub fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = NasWriter::new();
        self.emit(&mut w);
        w.finish()
    }
}

/// Fuzz entry point for the 5GS decoders; must never panic.
pub fn fuzz_parse(data: &[u8]) {
    for dir in [Direction::Uplink, Direction::Downlink] {
        if let Ok(m) = NasMessage5g::parse(data, dir)
            && let Ok(b) = m.to_vec()
        {
            let _ = NasMessage5g::parse(&b, dir);
        }
    }
}
