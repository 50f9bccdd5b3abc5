//! 5GS session management messages (TS 24.501 §8.3). Extended protocol discriminator 0x2E;
//! header: EPD, PDU session ID, PTI, message type.

use crate::ie::NasWriter;
use crate::ie::{Ie, IeFormat, IeTable, emit_lv, emit_lve, parse_optional};
use crate::reader::Reader;
use crate::{DecodeError, EncodeError};

use IeFormat::{HalfTv, Tlv, Tlve, Tv};

/// 5GSM message types (TS 24.501 table 9.7.2).
pub mod message_type {
    #![allow(missing_docs)]
    pub const PDU_SESSION_ESTABLISHMENT_REQUEST: u8 = 0xc1;
    pub const PDU_SESSION_ESTABLISHMENT_ACCEPT: u8 = 0xc2;
    pub const PDU_SESSION_ESTABLISHMENT_REJECT: u8 = 0xc3;
    pub const PDU_SESSION_RELEASE_REQUEST: u8 = 0xd1;
    pub const PDU_SESSION_RELEASE_REJECT: u8 = 0xd2;
    pub const PDU_SESSION_RELEASE_COMMAND: u8 = 0xd3;
    pub const PDU_SESSION_RELEASE_COMPLETE: u8 = 0xd4;
    pub const STATUS: u8 = 0xd6;

    /// The 5GSM message names of the specification, by message type.
    pub const NAMES: &[(u8, &str)] = &[
        (
            PDU_SESSION_ESTABLISHMENT_REQUEST,
            "PDU SESSION ESTABLISHMENT REQUEST",
        ),
        (
            PDU_SESSION_ESTABLISHMENT_ACCEPT,
            "PDU SESSION ESTABLISHMENT ACCEPT",
        ),
        (
            PDU_SESSION_ESTABLISHMENT_REJECT,
            "PDU SESSION ESTABLISHMENT REJECT",
        ),
        (PDU_SESSION_RELEASE_REQUEST, "PDU SESSION RELEASE REQUEST"),
        (PDU_SESSION_RELEASE_REJECT, "PDU SESSION RELEASE REJECT"),
        (PDU_SESSION_RELEASE_COMMAND, "PDU SESSION RELEASE COMMAND"),
        (PDU_SESSION_RELEASE_COMPLETE, "PDU SESSION RELEASE COMPLETE"),
        (STATUS, "5GSM STATUS"),
    ];
}

const EST_REQ_IES: IeTable = &[
    (0x90, HalfTv), // PDU session type
    (0xa0, HalfTv), // SSC mode
    (0x28, Tlv),    // 5GSM capability
    (0x55, Tv(2)),  // Maximum number of supported packet filters
    (0xb0, HalfTv), // Always-on PDU session requested
    (0x39, Tlv),    // SM PDU DN request container
    (0x7b, Tlve),   // Extended protocol configuration options
    (0x66, Tlv),    // Header compression configuration
    (0x6f, Tlve),   // DS-TT Ethernet port MAC address
];

const EST_ACC_IES: IeTable = &[
    (0x59, Tv(1)),  // 5GSM cause
    (0x29, Tlv),    // PDU address
    (0x56, Tv(1)),  // RQ timer value
    (0x22, Tlv),    // S-NSSAI
    (0x80, HalfTv), // Always-on PDU session indication
    (0x75, Tlve),   // Mapped EPS bearer contexts
    (0x78, Tlve),   // EAP message
    (0x79, Tlve),   // Authorized QoS flow descriptions
    (0x7b, Tlve),   // Extended protocol configuration options
    (0x25, Tlv),    // DNN
];

const CAUSE_IES: IeTable = &[
    (0x37, Tlv),
    (0xf0, HalfTv),
    (0x61, Tlv),
    (0x78, Tlve),
    (0x7b, Tlve),
    (0x59, Tv(1)),
];

/// The body of a 5GSM message.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum FgsmBody {
    /// PDU SESSION ESTABLISHMENT REQUEST (§8.3.1).
    PduSessionEstablishmentRequest {
        /// Integrity protection maximum data rate (2 octets).
        max_integrity_rate: [u8; 2],
        /// Optional IEs (PDU session type 0x9-, SSC mode 0xA-, ...).
        ies: Vec<Ie>,
    },
    /// PDU SESSION ESTABLISHMENT ACCEPT (§8.3.2).
    PduSessionEstablishmentAccept {
        /// Selected PDU session type (3 bits).
        pdu_session_type: u8,
        /// Selected SSC mode (3 bits).
        ssc_mode: u8,
        /// Authorized QoS rules, value octets.
        qos_rules: Vec<u8>,
        /// Session-AMBR, value octets (6).
        session_ambr: Vec<u8>,
        /// Optional IEs (PDU address 0x29, S-NSSAI, DNN ...).
        ies: Vec<Ie>,
    },
    /// PDU SESSION ESTABLISHMENT REJECT.
    PduSessionEstablishmentReject {
        /// 5GSM cause.
        cause: u8,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// PDU SESSION RELEASE REQUEST.
    PduSessionReleaseRequest {
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// PDU SESSION RELEASE REJECT.
    PduSessionReleaseReject {
        /// 5GSM cause.
        cause: u8,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// PDU SESSION RELEASE COMMAND.
    PduSessionReleaseCommand {
        /// 5GSM cause.
        cause: u8,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// PDU SESSION RELEASE COMPLETE.
    PduSessionReleaseComplete {
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// 5GSM STATUS.
    Status {
        /// 5GSM cause.
        cause: u8,
    },
    /// Another message type, kept as received.
    Unknown {
        /// Message type.
        message_type: u8,
        /// Octets after the message type.
        body: Vec<u8>,
    },
}

/// A plain 5GSM message.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct FgsmMessage {
    /// PDU session identity (1..=15; 0 = none).
    pub pdu_session_id: u8,
    /// Procedure transaction identity.
    pub pti: u8,
    /// Body.
    pub body: FgsmBody,
}

impl FgsmMessage {
    /// Message type octet.
    pub fn message_type(&self) -> u8 {
        use message_type as t;
        match &self.body {
            FgsmBody::PduSessionEstablishmentRequest { .. } => t::PDU_SESSION_ESTABLISHMENT_REQUEST,
            FgsmBody::PduSessionEstablishmentAccept { .. } => t::PDU_SESSION_ESTABLISHMENT_ACCEPT,
            FgsmBody::PduSessionEstablishmentReject { .. } => t::PDU_SESSION_ESTABLISHMENT_REJECT,
            FgsmBody::PduSessionReleaseRequest { .. } => t::PDU_SESSION_RELEASE_REQUEST,
            FgsmBody::PduSessionReleaseReject { .. } => t::PDU_SESSION_RELEASE_REJECT,
            FgsmBody::PduSessionReleaseCommand { .. } => t::PDU_SESSION_RELEASE_COMMAND,
            FgsmBody::PduSessionReleaseComplete { .. } => t::PDU_SESSION_RELEASE_COMPLETE,
            FgsmBody::Status { .. } => t::STATUS,
            FgsmBody::Unknown { message_type, .. } => *message_type,
        }
    }

    /// Parses a plain 5GSM message (all of `buf`).
    pub fn parse(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let epd = r.u8("extended protocol discriminator")?;
        if epd != super::EPD_5GSM {
            return Err(DecodeError::UnknownProtocol(epd));
        }
        let pdu_session_id = r.u8("PDU session ID")?;
        let pti = r.u8("PTI")?;
        let mt = r.u8("message type")?;
        use message_type as t;
        let body = match mt {
            t::PDU_SESSION_ESTABLISHMENT_REQUEST => FgsmBody::PduSessionEstablishmentRequest {
                max_integrity_rate: r.array::<2>("integrity protection maximum data rate")?,
                ies: parse_optional(&mut r, EST_REQ_IES)?,
            },
            t::PDU_SESSION_ESTABLISHMENT_ACCEPT => {
                let o = r.u8("PDU session type / SSC mode")?;
                let qos_rules = r.lve("authorized QoS rules", 4, 65535)?.to_vec();
                let session_ambr = r.lv("session-AMBR", 6, 6)?.to_vec();
                FgsmBody::PduSessionEstablishmentAccept {
                    pdu_session_type: o & 0x07,
                    ssc_mode: (o >> 4) & 0x07,
                    qos_rules,
                    session_ambr,
                    ies: parse_optional(&mut r, EST_ACC_IES)?,
                }
            }
            t::PDU_SESSION_ESTABLISHMENT_REJECT => FgsmBody::PduSessionEstablishmentReject {
                cause: r.u8("5GSM cause")?,
                ies: parse_optional(&mut r, CAUSE_IES)?,
            },
            t::PDU_SESSION_RELEASE_REQUEST => FgsmBody::PduSessionReleaseRequest {
                ies: parse_optional(&mut r, CAUSE_IES)?,
            },
            t::PDU_SESSION_RELEASE_REJECT => FgsmBody::PduSessionReleaseReject {
                cause: r.u8("5GSM cause")?,
                ies: parse_optional(&mut r, CAUSE_IES)?,
            },
            t::PDU_SESSION_RELEASE_COMMAND => FgsmBody::PduSessionReleaseCommand {
                cause: r.u8("5GSM cause")?,
                ies: parse_optional(&mut r, CAUSE_IES)?,
            },
            t::PDU_SESSION_RELEASE_COMPLETE => FgsmBody::PduSessionReleaseComplete {
                ies: parse_optional(&mut r, CAUSE_IES)?,
            },
            t::STATUS => FgsmBody::Status {
                cause: r.u8("5GSM cause")?,
            },
            other => FgsmBody::Unknown {
                message_type: other,
                body: r.rest().to_vec(),
            },
        };
        if !matches!(body, FgsmBody::Unknown { .. }) && !r.is_empty() {
            return Err(DecodeError::TrailingBytes(r.rest().len()));
        }
        Ok(Self {
            pdu_session_id,
            pti,
            body,
        })
    }

    /// Appends the encoded message.
    pub fn emit(&self, out: &mut NasWriter) {
        out.extend_from_slice(&[
            super::EPD_5GSM,
            self.pdu_session_id,
            self.pti,
            self.message_type(),
        ]);
        let ies = |out: &mut NasWriter, v: &[Ie]| v.iter().for_each(|ie| ie.emit(out));
        match &self.body {
            FgsmBody::PduSessionEstablishmentRequest {
                max_integrity_rate,
                ies: v,
            } => {
                out.extend_from_slice(max_integrity_rate);
                ies(out, v);
            }
            FgsmBody::PduSessionEstablishmentAccept {
                pdu_session_type,
                ssc_mode,
                qos_rules,
                session_ambr,
                ies: v,
            } => {
                out.push(((ssc_mode & 0x07) << 4) | (pdu_session_type & 0x07));
                emit_lve(out, qos_rules);
                emit_lv(out, session_ambr);
                ies(out, v);
            }
            FgsmBody::PduSessionEstablishmentReject { cause, ies: v }
            | FgsmBody::PduSessionReleaseReject { cause, ies: v }
            | FgsmBody::PduSessionReleaseCommand { cause, ies: v } => {
                out.push(*cause);
                ies(out, v);
            }
            FgsmBody::PduSessionReleaseRequest { ies: v }
            | FgsmBody::PduSessionReleaseComplete { ies: v } => ies(out, v),
            FgsmBody::Status { cause } => out.push(*cause),
            FgsmBody::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    /// The encoded message.
    pub fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = NasWriter::new();
        self.emit(&mut w);
        w.finish()
    }
}
