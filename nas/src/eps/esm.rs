//! EPS session management messages (TS 24.301 §8.3). Protocol discriminator 2; header octets
//! EPS bearer identity | PD, procedure transaction identity, message type.

use crate::ie::NasWriter;
use crate::ie::{Apn, Ie, IeFormat, IeTable, emit_lv, emit_lve, find_ie, parse_optional, set_ie};
use crate::reader::Reader;
use crate::{DecodeError, EncodeError};

use IeFormat::{HalfTv, Tlv, Tlve, Tv};

/// ESM message types (TS 24.301 §9.8, table 9.8.2).
pub mod message_type {
    #![allow(missing_docs)]
    pub const ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REQUEST: u8 = 0xc1;
    pub const ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_ACCEPT: u8 = 0xc2;
    pub const ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REJECT: u8 = 0xc3;
    pub const PDN_CONNECTIVITY_REQUEST: u8 = 0xd0;
    pub const PDN_CONNECTIVITY_REJECT: u8 = 0xd1;
    pub const ESM_INFORMATION_REQUEST: u8 = 0xd9;
    pub const ESM_INFORMATION_RESPONSE: u8 = 0xda;
    pub const ESM_STATUS: u8 = 0xe8;
    pub const ESM_DATA_TRANSPORT: u8 = 0xeb;

    /// The ESM message names of the specification, by message type.
    pub const NAMES: &[(u8, &str)] = &[
        (
            ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REQUEST,
            "ACTIVATE DEFAULT EPS BEARER CONTEXT REQUEST",
        ),
        (
            ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_ACCEPT,
            "ACTIVATE DEFAULT EPS BEARER CONTEXT ACCEPT",
        ),
        (
            ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REJECT,
            "ACTIVATE DEFAULT EPS BEARER CONTEXT REJECT",
        ),
        (PDN_CONNECTIVITY_REQUEST, "PDN CONNECTIVITY REQUEST"),
        (PDN_CONNECTIVITY_REJECT, "PDN CONNECTIVITY REJECT"),
        (ESM_INFORMATION_REQUEST, "ESM INFORMATION REQUEST"),
        (ESM_INFORMATION_RESPONSE, "ESM INFORMATION RESPONSE"),
        (ESM_STATUS, "ESM STATUS"),
        (ESM_DATA_TRANSPORT, "ESM DATA TRANSPORT"),
    ];
}

const PDN_CONN_REQ_IES: IeTable = &[
    (0xd0, HalfTv), // ESM information transfer flag
    (0x28, Tlv),    // Access point name
    (0x27, Tlv),    // Protocol configuration options
    (0xc0, HalfTv), // Device properties
    (0x33, Tlv),    // NBIFOM container
    (0x66, Tlv),    // Header compression configuration
    (0x7b, Tlve),   // Extended protocol configuration options
];

const ACT_DEF_REQ_IES: IeTable = &[
    (0x5d, Tlv),    // Transaction identifier
    (0x30, Tlv),    // Negotiated QoS
    (0x32, Tv(1)),  // Negotiated LLC SAPI
    (0x80, HalfTv), // Radio priority
    (0x34, Tlv),    // Packet flow identifier
    (0x5e, Tlv),    // APN-AMBR
    (0x58, Tv(1)),  // ESM cause
    (0x27, Tlv),    // Protocol configuration options
    (0xb0, HalfTv), // Connectivity type
    (0x33, Tlv),    // NBIFOM container
    (0x66, Tlv),    // Header compression configuration
    (0x90, HalfTv), // Control plane only indication
    (0x7b, Tlve),   // Extended protocol configuration options
    (0x6e, Tlv),    // Serving PLMN rate control
    (0x5f, Tlv),    // Extended APN-AMBR
];

const PCO_IES: IeTable = &[
    (0x27, Tlv),  // Protocol configuration options
    (0x37, Tlv),  // Back-off timer value
    (0x6b, Tlv),  // Re-attempt indicator
    (0x33, Tlv),  // NBIFOM container
    (0x66, Tlv),  // Header compression configuration
    (0x7b, Tlve), // Extended protocol configuration options
];

const ESM_INFO_RSP_IES: IeTable = &[(0x28, Tlv), (0x27, Tlv), (0x7b, Tlve)];

const ESM_DATA_TRANSPORT_IES: IeTable = &[(0xf0, HalfTv)]; // Release assistance indication

/// PDN CONNECTIVITY REQUEST (§8.3.20).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct PdnConnectivityRequest {
    /// Request type (§9.9.4.14), 3 bits: 1 initial request, 2 handover, 4 emergency.
    pub request_type: u8,
    /// PDN type (§9.9.4.10), 3 bits: 1 IPv4, 2 IPv6, 3 IPv4v6, 5 non-IP.
    pub pdn_type: u8,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl PdnConnectivityRequest {
    /// Access point name (IEI 0x28), if present.
    pub fn apn(&self) -> Option<Apn> {
        find_ie(&self.ies, 0x28).map(|ie| Apn(ie.value.clone()))
    }

    /// Sets the access point name.
    pub fn set_apn(&mut self, apn: &Apn) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x28,
                format: Tlv,
                value: apn.0.clone(),
            },
            PDN_CONN_REQ_IES,
        );
    }

    /// ESM information transfer flag (IEI 0xD-), if present.
    pub fn esm_information_transfer_flag(&self) -> Option<bool> {
        find_ie(&self.ies, 0xd0).and_then(|ie| ie.value.first().map(|v| v & 1 != 0))
    }
}

/// ACTIVATE DEFAULT EPS BEARER CONTEXT REQUEST (§8.3.6).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ActivateDefaultEpsBearerContextRequest {
    /// EPS quality of service (§9.9.4.3), value octets (QCI first).
    pub eps_qos: Vec<u8>,
    /// Access point name.
    pub apn: Apn,
    /// PDN address (§9.9.4.9), value octets: PDN type then the address.
    pub pdn_address: Vec<u8>,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl ActivateDefaultEpsBearerContextRequest {
    /// The IPv4 address when the PDN address is of type IPv4.
    pub fn ipv4(&self) -> Option<[u8; 4]> {
        match self.pdn_address.as_slice() {
            [t, a, b, c, d] if t & 0x07 == 1 => Some([*a, *b, *c, *d]),
            _ => None,
        }
    }
}

/// ESM DATA TRANSPORT (§8.3.25): user data over the control plane (CIoT EPS optimisation).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EsmDataTransport {
    /// User data container (§9.9.4.24).
    pub user_data: Vec<u8>,
    /// Optional IEs as received (release assistance indication, IEI 0xF-).
    pub ies: Vec<Ie>,
}

impl EsmDataTransport {
    /// Release assistance indication (downlink data expected), if present.
    pub fn release_assistance_indication(&self) -> Option<u8> {
        find_ie(&self.ies, 0xf0).and_then(|ie| ie.value.first().map(|v| v & 0x03))
    }

    /// Sets the release assistance indication.
    pub fn set_release_assistance_indication(&mut self, ddx: u8) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0xf0,
                format: HalfTv,
                value: vec![ddx & 0x03],
            },
            ESM_DATA_TRANSPORT_IES,
        );
    }
}

/// The body of an ESM message, by message type.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum EsmBody {
    /// PDN CONNECTIVITY REQUEST.
    PdnConnectivityRequest(PdnConnectivityRequest),
    /// PDN CONNECTIVITY REJECT.
    PdnConnectivityReject {
        /// ESM cause.
        cause: u8,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// ACTIVATE DEFAULT EPS BEARER CONTEXT REQUEST.
    ActivateDefaultEpsBearerContextRequest(ActivateDefaultEpsBearerContextRequest),
    /// ACTIVATE DEFAULT EPS BEARER CONTEXT ACCEPT.
    ActivateDefaultEpsBearerContextAccept {
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// ACTIVATE DEFAULT EPS BEARER CONTEXT REJECT.
    ActivateDefaultEpsBearerContextReject {
        /// ESM cause.
        cause: u8,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// ESM INFORMATION REQUEST.
    EsmInformationRequest,
    /// ESM INFORMATION RESPONSE.
    EsmInformationResponse {
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// ESM STATUS.
    EsmStatus {
        /// ESM cause.
        cause: u8,
    },
    /// ESM DATA TRANSPORT.
    EsmDataTransport(EsmDataTransport),
    /// A message type not modelled here, kept as received.
    Unknown {
        /// Message type octet.
        message_type: u8,
        /// Octets after the message type.
        body: Vec<u8>,
    },
}

/// A plain ESM message: header and body.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EsmMessage {
    /// EPS bearer identity (4 bits), 0 when no bearer is assigned.
    pub ebi: u8,
    /// Procedure transaction identity.
    pub pti: u8,
    /// Body.
    pub body: EsmBody,
}

impl EsmMessage {
    /// The message type octet.
    pub fn message_type(&self) -> u8 {
        use message_type as t;
        match &self.body {
            EsmBody::PdnConnectivityRequest(_) => t::PDN_CONNECTIVITY_REQUEST,
            EsmBody::PdnConnectivityReject { .. } => t::PDN_CONNECTIVITY_REJECT,
            EsmBody::ActivateDefaultEpsBearerContextRequest(_) => {
                t::ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REQUEST
            }
            EsmBody::ActivateDefaultEpsBearerContextAccept { .. } => {
                t::ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_ACCEPT
            }
            EsmBody::ActivateDefaultEpsBearerContextReject { .. } => {
                t::ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REJECT
            }
            EsmBody::EsmInformationRequest => t::ESM_INFORMATION_REQUEST,
            EsmBody::EsmInformationResponse { .. } => t::ESM_INFORMATION_RESPONSE,
            EsmBody::EsmStatus { .. } => t::ESM_STATUS,
            EsmBody::EsmDataTransport(_) => t::ESM_DATA_TRANSPORT,
            EsmBody::Unknown { message_type, .. } => *message_type,
        }
    }

    /// Parses a plain ESM message (all octets of `buf`).
    pub fn parse(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(buf);
        let h = r.u8("ESM header")?;
        if h & 0x0f != super::PD_ESM {
            return Err(DecodeError::UnknownProtocol(h & 0x0f));
        }
        let pti = r.u8("procedure transaction identity")?;
        let mt = r.u8("message type")?;
        use message_type as t;
        let body = match mt {
            t::PDN_CONNECTIVITY_REQUEST => {
                let o = r.u8("request type / PDN type")?;
                EsmBody::PdnConnectivityRequest(PdnConnectivityRequest {
                    request_type: o & 0x07,
                    pdn_type: (o >> 4) & 0x07,
                    ies: parse_optional(&mut r, PDN_CONN_REQ_IES)?,
                })
            }
            t::PDN_CONNECTIVITY_REJECT => EsmBody::PdnConnectivityReject {
                cause: r.u8("ESM cause")?,
                ies: parse_optional(&mut r, PCO_IES)?,
            },
            t::ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REQUEST => {
                let eps_qos = r.lv("EPS QoS", 1, 13)?.to_vec();
                let apn = Apn(r.lv("access point name", 1, 100)?.to_vec());
                let pdn_address = r.lv("PDN address", 5, 13)?.to_vec();
                EsmBody::ActivateDefaultEpsBearerContextRequest(
                    ActivateDefaultEpsBearerContextRequest {
                        eps_qos,
                        apn,
                        pdn_address,
                        ies: parse_optional(&mut r, ACT_DEF_REQ_IES)?,
                    },
                )
            }
            t::ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_ACCEPT => {
                EsmBody::ActivateDefaultEpsBearerContextAccept {
                    ies: parse_optional(&mut r, PCO_IES)?,
                }
            }
            t::ACTIVATE_DEFAULT_EPS_BEARER_CONTEXT_REJECT => {
                EsmBody::ActivateDefaultEpsBearerContextReject {
                    cause: r.u8("ESM cause")?,
                    ies: parse_optional(&mut r, PCO_IES)?,
                }
            }
            t::ESM_INFORMATION_REQUEST => EsmBody::EsmInformationRequest,
            t::ESM_INFORMATION_RESPONSE => EsmBody::EsmInformationResponse {
                ies: parse_optional(&mut r, ESM_INFO_RSP_IES)?,
            },
            t::ESM_STATUS => EsmBody::EsmStatus {
                cause: r.u8("ESM cause")?,
            },
            t::ESM_DATA_TRANSPORT => EsmBody::EsmDataTransport(EsmDataTransport {
                user_data: r.lve("user data container", 0, 65535)?.to_vec(),
                ies: parse_optional(&mut r, ESM_DATA_TRANSPORT_IES)?,
            }),
            other => EsmBody::Unknown {
                message_type: other,
                body: r.rest().to_vec(),
            },
        };
        if !matches!(body, EsmBody::Unknown { .. }) && !r.is_empty() {
            return Err(DecodeError::TrailingBytes(r.rest().len()));
        }
        Ok(Self {
            ebi: h >> 4,
            pti,
            body,
        })
    }

    /// Appends the encoded message.
    pub fn emit(&self, out: &mut NasWriter) {
        out.push((self.ebi << 4) | super::PD_ESM);
        out.push(self.pti);
        out.push(self.message_type());
        let ies = |out: &mut NasWriter, ies: &[Ie]| ies.iter().for_each(|ie| ie.emit(out));
        match &self.body {
            EsmBody::PdnConnectivityRequest(m) => {
                out.push(((m.pdn_type & 0x07) << 4) | (m.request_type & 0x07));
                ies(out, &m.ies);
            }
            EsmBody::PdnConnectivityReject { cause, ies: v }
            | EsmBody::ActivateDefaultEpsBearerContextReject { cause, ies: v } => {
                out.push(*cause);
                ies(out, v);
            }
            EsmBody::ActivateDefaultEpsBearerContextRequest(m) => {
                emit_lv(out, &m.eps_qos);
                emit_lv(out, &m.apn.0);
                emit_lv(out, &m.pdn_address);
                ies(out, &m.ies);
            }
            EsmBody::ActivateDefaultEpsBearerContextAccept { ies: v }
            | EsmBody::EsmInformationResponse { ies: v } => ies(out, v),
            EsmBody::EsmInformationRequest => {}
            EsmBody::EsmStatus { cause } => out.push(*cause),
            EsmBody::EsmDataTransport(m) => {
                emit_lve(out, &m.user_data);
                ies(out, &m.ies);
            }
            EsmBody::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    /// The encoded message as a vector.
    pub fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = NasWriter::new();
        self.emit(&mut w);
        w.finish()
    }
}
