//! 5GS mobility management messages (TS 24.501 §8.2). Extended protocol discriminator 0x7E.
//!
//! Mandatory IEs are typed fields; optional IEs are kept in `ies` in the order received, with
//! typed getters for the ones the procedures use.

use super::identity::MobileIdentity5gs;
use crate::DecodeError;
use crate::ie::NasWriter;
use crate::ie::{
    Ie, IeFormat, IeTable, NasKsi, emit_lv, emit_lve, find_ie, parse_optional, set_ie,
};
use crate::reader::Reader;
use ntn_security::Direction;

use IeFormat::{HalfTv, Tlv, Tlve, Tv};

/// 5GMM message types (TS 24.501 §9.7, table 9.7.1).
pub mod message_type {
    #![allow(missing_docs)]
    pub const REGISTRATION_REQUEST: u8 = 0x41;
    pub const REGISTRATION_ACCEPT: u8 = 0x42;
    pub const REGISTRATION_COMPLETE: u8 = 0x43;
    pub const REGISTRATION_REJECT: u8 = 0x44;
    pub const DEREGISTRATION_REQUEST_UE_ORIGINATING: u8 = 0x45;
    pub const DEREGISTRATION_ACCEPT_UE_ORIGINATING: u8 = 0x46;
    pub const DEREGISTRATION_REQUEST_UE_TERMINATED: u8 = 0x47;
    pub const DEREGISTRATION_ACCEPT_UE_TERMINATED: u8 = 0x48;
    pub const SERVICE_REQUEST: u8 = 0x4c;
    pub const SERVICE_REJECT: u8 = 0x4d;
    pub const SERVICE_ACCEPT: u8 = 0x4e;
    pub const CONFIGURATION_UPDATE_COMMAND: u8 = 0x54;
    pub const CONFIGURATION_UPDATE_COMPLETE: u8 = 0x55;
    pub const AUTHENTICATION_REQUEST: u8 = 0x56;
    pub const AUTHENTICATION_RESPONSE: u8 = 0x57;
    pub const AUTHENTICATION_REJECT: u8 = 0x58;
    pub const AUTHENTICATION_FAILURE: u8 = 0x59;
    pub const AUTHENTICATION_RESULT: u8 = 0x5a;
    pub const IDENTITY_REQUEST: u8 = 0x5b;
    pub const IDENTITY_RESPONSE: u8 = 0x5c;
    pub const SECURITY_MODE_COMMAND: u8 = 0x5d;
    pub const SECURITY_MODE_COMPLETE: u8 = 0x5e;
    pub const SECURITY_MODE_REJECT: u8 = 0x5f;
    pub const STATUS: u8 = 0x64;
    pub const UL_NAS_TRANSPORT: u8 = 0x67;
    pub const DL_NAS_TRANSPORT: u8 = 0x68;

    /// The 5GMM message names of the specification, by message type.
    pub const NAMES: &[(u8, &str)] = &[
        (REGISTRATION_REQUEST, "REGISTRATION REQUEST"),
        (REGISTRATION_ACCEPT, "REGISTRATION ACCEPT"),
        (REGISTRATION_COMPLETE, "REGISTRATION COMPLETE"),
        (REGISTRATION_REJECT, "REGISTRATION REJECT"),
        (
            DEREGISTRATION_REQUEST_UE_ORIGINATING,
            "DE-REGISTRATION REQUEST (UE ORIGINATING DE-REGISTRATION)",
        ),
        (
            DEREGISTRATION_ACCEPT_UE_ORIGINATING,
            "DE-REGISTRATION ACCEPT (UE ORIGINATING DE-REGISTRATION)",
        ),
        (
            DEREGISTRATION_REQUEST_UE_TERMINATED,
            "DE-REGISTRATION REQUEST (UE TERMINATED DE-REGISTRATION)",
        ),
        (
            DEREGISTRATION_ACCEPT_UE_TERMINATED,
            "DE-REGISTRATION ACCEPT (UE TERMINATED DE-REGISTRATION)",
        ),
        (SERVICE_REQUEST, "SERVICE REQUEST"),
        (SERVICE_REJECT, "SERVICE REJECT"),
        (SERVICE_ACCEPT, "SERVICE ACCEPT"),
        (CONFIGURATION_UPDATE_COMMAND, "CONFIGURATION UPDATE COMMAND"),
        (
            CONFIGURATION_UPDATE_COMPLETE,
            "CONFIGURATION UPDATE COMPLETE",
        ),
        (AUTHENTICATION_REQUEST, "AUTHENTICATION REQUEST"),
        (AUTHENTICATION_RESPONSE, "AUTHENTICATION RESPONSE"),
        (AUTHENTICATION_REJECT, "AUTHENTICATION REJECT"),
        (AUTHENTICATION_FAILURE, "AUTHENTICATION FAILURE"),
        (AUTHENTICATION_RESULT, "AUTHENTICATION RESULT"),
        (IDENTITY_REQUEST, "IDENTITY REQUEST"),
        (IDENTITY_RESPONSE, "IDENTITY RESPONSE"),
        (SECURITY_MODE_COMMAND, "SECURITY MODE COMMAND"),
        (SECURITY_MODE_COMPLETE, "SECURITY MODE COMPLETE"),
        (SECURITY_MODE_REJECT, "SECURITY MODE REJECT"),
        (STATUS, "5GMM STATUS"),
        (UL_NAS_TRANSPORT, "UL NAS TRANSPORT"),
        (DL_NAS_TRANSPORT, "DL NAS TRANSPORT"),
    ];
}

const REGISTRATION_REQUEST_IES: IeTable = &[
    (0xc0, HalfTv), // Non-current native NAS key set identifier
    (0x10, Tlv),    // 5GMM capability
    (0x2e, Tlv),    // UE security capability
    (0x2f, Tlv),    // Requested NSSAI
    (0x52, Tv(5)),  // Last visited registered TAI
    (0x17, Tlv),    // S1 UE network capability
    (0x40, Tlv),    // Uplink data status
    (0x50, Tlv),    // PDU session status
    (0xb0, HalfTv), // MICO indication
    (0x2b, Tlv),    // UE status
    (0x77, Tlve),   // Additional GUTI
    (0x25, Tlv),    // Allowed PDU session status
    (0x18, Tlv),    // UE's usage setting
    (0x51, Tlv),    // Requested DRX parameters
    (0x70, Tlve),   // EPS NAS message container
    (0x74, Tlve),   // LADN indication
    (0x80, HalfTv), // Payload container type
    (0x7b, Tlve),   // Payload container
    (0x90, HalfTv), // Network slicing indication
    (0x53, Tlv),    // 5GS update type
    (0x41, Tlv),    // Mobile station classmark 2
    (0x42, Tlv),    // Supported codecs
    (0x71, Tlve),   // NAS message container
    (0x60, Tlv),    // EPS bearer context status
    (0x6e, Tlv),    // Requested extended DRX parameters
    (0x6a, Tlv),    // T3324 value
    (0x67, Tlv),    // UE radio capability ID
    (0x35, Tlv),    // Requested mapped NSSAI
    (0x48, Tlv),    // Additional information requested
    (0x1a, Tlv),    // Requested WUS assistance information
    (0xa0, HalfTv), // N5GC indication
    (0x30, Tlv),    // Requested NB-N1 mode DRX parameters
];

const REGISTRATION_ACCEPT_IES: IeTable = &[
    (0x77, Tlve),   // 5G-GUTI
    (0x4a, Tlv),    // Equivalent PLMNs
    (0x54, Tlv),    // TAI list
    (0x15, Tlv),    // Allowed NSSAI
    (0x11, Tlv),    // Rejected NSSAI
    (0x31, Tlv),    // Configured NSSAI
    (0x21, Tlv),    // 5GS network feature support
    (0x50, Tlv),    // PDU session status
    (0x26, Tlv),    // PDU session reactivation result
    (0x72, Tlve),   // PDU session reactivation result error cause
    (0x79, Tlve),   // LADN information
    (0xb0, HalfTv), // MICO indication
    (0x90, HalfTv), // Network slicing indication
    (0x27, Tlv),    // Service area list
    (0x5e, Tlv),    // T3512 value
    (0x5d, Tlv),    // Non-3GPP de-registration timer value
    (0x16, Tlv),    // T3502 value
    (0x34, Tlv),    // Emergency number list
    (0x7a, Tlve),   // Extended emergency number list
    (0x73, Tlve),   // SOR transparent container
    (0x78, Tlve),   // EAP message
    (0xa0, HalfTv), // NSSAI inclusion mode
    (0x76, Tlve),   // Operator-defined access category definitions
    (0x51, Tlv),    // Negotiated DRX parameters
    (0xd0, HalfTv), // Non-3GPP NW policies
    (0x60, Tlv),    // EPS bearer context status
    (0x6e, Tlv),    // Negotiated extended DRX parameters
    (0x6c, Tlv),    // T3447 value
    (0x6b, Tlv),    // T3448 value
    (0x6a, Tlv),    // T3324 value
    (0x67, Tlv),    // UE radio capability ID
    (0xe0, HalfTv), // UE radio capability ID deletion indication
    (0x39, Tlv),    // Pending NSSAI
    (0x74, Tlve),   // Ciphering key data
    (0x75, Tlve),   // CAG information list
    (0x1b, Tlv),    // Truncated 5G-S-TMSI configuration
    (0x1c, Tlv),    // Negotiated WUS assistance information
    (0x29, Tlv),    // Negotiated NB-N1 mode DRX parameters
];

const AUTH_REQUEST_IES: IeTable = &[(0x21, Tv(16)), (0x20, Tlv), (0x78, Tlve)];
const AUTH_RESPONSE_IES: IeTable = &[(0x2d, Tlv), (0x78, Tlve)];
const AUTH_FAILURE_IES: IeTable = &[(0x30, Tlv)];
const SMC_IES: IeTable = &[
    (0xe0, HalfTv), // IMEISV request
    (0x57, Tv(1)),  // Selected EPS NAS security algorithms
    (0x36, Tlv),    // Additional 5G security information
    (0x78, Tlve),   // EAP message
    (0x38, Tlv),    // ABBA
    (0x19, Tlv),    // Replayed S1 UE security capabilities
];
const SMC_COMPLETE_IES: IeTable = &[(0x77, Tlve), (0x71, Tlve), (0x78, Tlve)];
const DEREG_NW_IES: IeTable = &[(0x58, Tv(1)), (0x5f, Tlv), (0x6d, Tlv)];
const CAUSE_IES: IeTable = &[
    (0x5f, Tlv),
    (0x16, Tlv),
    (0x78, Tlve),
    (0x69, Tlv),
    (0x75, Tlve),
];
const UL_NAS_TRANSPORT_IES: IeTable = &[
    (0x12, Tv(1)),  // PDU session ID
    (0x59, Tv(1)),  // Old PDU session ID
    (0x80, HalfTv), // Request type
    (0x22, Tlv),    // S-NSSAI
    (0x25, Tlv),    // DNN
    (0x24, Tlv),    // Additional information
    (0xa0, HalfTv), // MA PDU session information
    (0xf0, HalfTv), // Release assistance indication
];
const DL_NAS_TRANSPORT_IES: IeTable = &[(0x12, Tv(1)), (0x24, Tlv), (0x58, Tv(1)), (0x37, Tlv)];
const CONFIG_UPDATE_COMMAND_IES: IeTable = &[
    (0xd0, HalfTv), // Configuration update indication
    (0x77, Tlve),   // 5G-GUTI
    (0x54, Tlv),    // TAI list
    (0x15, Tlv),    // Allowed NSSAI
    (0x27, Tlv),    // Service area list
    (0x43, Tlv),    // Full name for network
    (0x45, Tlv),    // Short name for network
    (0x46, Tv(1)),  // Local time zone
    (0x47, Tv(7)),  // Universal time and local time zone
    (0x49, Tlv),    // Network daylight saving time
];
const SERVICE_REQUEST_IES: IeTable = &[(0x40, Tlv), (0x50, Tlv), (0x25, Tlv), (0x71, Tlve)];

/// 5GMM cause values used here (TS 24.501 §9.11.3.2).
pub mod cause {
    #![allow(missing_docs)]
    pub const MAC_FAILURE: u8 = 20;
    pub const SYNCH_FAILURE: u8 = 21;
    pub const UE_SECURITY_CAPABILITIES_MISMATCH: u8 = 23;
    pub const NGKSI_ALREADY_IN_USE: u8 = 71;
}

/// REGISTRATION REQUEST (§8.2.6).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct RegistrationRequest {
    /// 5GS registration type (§9.11.3.7), 4 bits: FOR flag | 1 initial, 2 mobility update,
    /// 3 periodic update, 4 emergency.
    pub registration_type: u8,
    /// ngKSI.
    pub ng_ksi: NasKsi,
    /// 5GS mobile identity (SUCI, 5G-GUTI, ...).
    pub identity: MobileIdentity5gs,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl RegistrationRequest {
    /// UE security capability (IEI 0x2E), value octets (5G-EA, 5G-IA, EEA, EIA).
    pub fn ue_security_capability(&self) -> Option<&[u8]> {
        find_ie(&self.ies, 0x2e).map(|ie| ie.value.as_slice())
    }

    /// Sets the UE security capability.
    pub fn set_ue_security_capability(&mut self, v: &[u8]) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x2e,
                format: Tlv,
                value: v.to_vec(),
            },
            REGISTRATION_REQUEST_IES,
        );
    }
}

/// REGISTRATION ACCEPT (§8.2.7).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct RegistrationAccept {
    /// 5GS registration result value octet (§9.11.3.6).
    pub result: u8,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl RegistrationAccept {
    /// 5G-GUTI (IEI 0x77).
    pub fn guti(&self) -> Option<Result<MobileIdentity5gs, DecodeError>> {
        find_ie(&self.ies, 0x77).map(|ie| MobileIdentity5gs::parse(&ie.value))
    }

    /// Sets the 5G-GUTI.
    pub fn set_guti(&mut self, id: &MobileIdentity5gs) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x77,
                format: Tlve,
                value: id.to_vec(),
            },
            REGISTRATION_ACCEPT_IES,
        );
    }
}

/// AUTHENTICATION REQUEST (§8.2.1).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AuthenticationRequest {
    /// ngKSI.
    pub ng_ksi: NasKsi,
    /// ABBA (§9.11.3.10).
    pub abba: Vec<u8>,
    /// Optional IEs as received (RAND 0x21, AUTN 0x20, EAP 0x78).
    pub ies: Vec<Ie>,
}

impl AuthenticationRequest {
    /// RAND (IEI 0x21).
    pub fn rand(&self) -> Option<[u8; 16]> {
        find_ie(&self.ies, 0x21).and_then(|ie| ie.value.as_slice().try_into().ok())
    }

    /// AUTN (IEI 0x20).
    pub fn autn(&self) -> Option<[u8; 16]> {
        find_ie(&self.ies, 0x20).and_then(|ie| ie.value.as_slice().try_into().ok())
    }

    /// A 5G AKA request with RAND and AUTN.
    pub fn five_g_aka(ng_ksi: NasKsi, abba: &[u8], rand: [u8; 16], autn: [u8; 16]) -> Self {
        Self {
            ng_ksi,
            abba: abba.to_vec(),
            ies: vec![
                Ie {
                    iei: 0x21,
                    format: Tv(16),
                    value: rand.to_vec(),
                },
                Ie {
                    iei: 0x20,
                    format: Tlv,
                    value: autn.to_vec(),
                },
            ],
        }
    }
}

/// SECURITY MODE COMMAND (§8.2.25).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct SecurityModeCommand {
    /// Type of ciphering algorithm (4 bits): 0 5G-EA0 .. 3 128-5G-EA3.
    pub ciphering: u8,
    /// Type of integrity protection algorithm (4 bits).
    pub integrity: u8,
    /// ngKSI.
    pub ng_ksi: NasKsi,
    /// Replayed UE security capabilities, value octets.
    pub replayed_ue_security_capabilities: Vec<u8>,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

/// A plain 5GMM message, by message type.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum FgmmMessage {
    /// REGISTRATION REQUEST.
    RegistrationRequest(RegistrationRequest),
    /// REGISTRATION ACCEPT.
    RegistrationAccept(RegistrationAccept),
    /// REGISTRATION COMPLETE.
    RegistrationComplete {
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// REGISTRATION REJECT.
    RegistrationReject {
        /// 5GMM cause.
        cause: u8,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// DEREGISTRATION REQUEST (UE originating).
    DeregistrationRequestUe {
        /// De-registration type (4 bits).
        deregistration_type: u8,
        /// ngKSI.
        ng_ksi: NasKsi,
        /// 5GS mobile identity.
        identity: MobileIdentity5gs,
    },
    /// DEREGISTRATION ACCEPT (UE originating; sent by the network).
    DeregistrationAcceptUe,
    /// DEREGISTRATION REQUEST (UE terminated).
    DeregistrationRequestNetwork {
        /// De-registration type (4 bits).
        deregistration_type: u8,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// DEREGISTRATION ACCEPT (UE terminated; sent by the UE).
    DeregistrationAcceptNetwork,
    /// SERVICE REQUEST.
    ServiceRequest {
        /// Service type (4 bits).
        service_type: u8,
        /// ngKSI.
        ng_ksi: NasKsi,
        /// 5G-S-TMSI.
        s_tmsi: MobileIdentity5gs,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// SERVICE ACCEPT.
    ServiceAccept {
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// SERVICE REJECT.
    ServiceReject {
        /// 5GMM cause.
        cause: u8,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// CONFIGURATION UPDATE COMMAND.
    ConfigurationUpdateCommand {
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// CONFIGURATION UPDATE COMPLETE.
    ConfigurationUpdateComplete,
    /// AUTHENTICATION REQUEST.
    AuthenticationRequest(AuthenticationRequest),
    /// AUTHENTICATION RESPONSE (RES* in IEI 0x2D).
    AuthenticationResponse {
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// AUTHENTICATION REJECT.
    AuthenticationReject {
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// AUTHENTICATION FAILURE.
    AuthenticationFailure {
        /// 5GMM cause.
        cause: u8,
        /// Optional IEs (AUTS in IEI 0x30).
        ies: Vec<Ie>,
    },
    /// AUTHENTICATION RESULT.
    AuthenticationResult {
        /// ngKSI.
        ng_ksi: NasKsi,
        /// EAP message.
        eap: Vec<u8>,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// IDENTITY REQUEST.
    IdentityRequest {
        /// Identity type (3 bits, §9.11.3.3).
        identity_type: u8,
    },
    /// IDENTITY RESPONSE.
    IdentityResponse {
        /// Mobile identity.
        identity: MobileIdentity5gs,
    },
    /// SECURITY MODE COMMAND.
    SecurityModeCommand(SecurityModeCommand),
    /// SECURITY MODE COMPLETE.
    SecurityModeComplete {
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// SECURITY MODE REJECT.
    SecurityModeReject {
        /// 5GMM cause.
        cause: u8,
    },
    /// 5GMM STATUS.
    Status {
        /// 5GMM cause.
        cause: u8,
    },
    /// UL NAS TRANSPORT.
    UlNasTransport {
        /// Payload container type (4 bits): 1 N1 SM information, 2 SMS, ...
        payload_type: u8,
        /// Payload container.
        payload: Vec<u8>,
        /// Optional IEs (PDU session ID 0x12, request type 0x8-, S-NSSAI, DNN ...).
        ies: Vec<Ie>,
    },
    /// DL NAS TRANSPORT.
    DlNasTransport {
        /// Payload container type.
        payload_type: u8,
        /// Payload container.
        payload: Vec<u8>,
        /// Optional IEs.
        ies: Vec<Ie>,
    },
    /// Another message type, kept as received.
    Unknown {
        /// Message type octet.
        message_type: u8,
        /// Octets after the message type.
        body: Vec<u8>,
    },
}

impl FgmmMessage {
    /// The message type octet.
    pub fn message_type(&self) -> u8 {
        use message_type as t;
        match self {
            Self::RegistrationRequest(_) => t::REGISTRATION_REQUEST,
            Self::RegistrationAccept(_) => t::REGISTRATION_ACCEPT,
            Self::RegistrationComplete { .. } => t::REGISTRATION_COMPLETE,
            Self::RegistrationReject { .. } => t::REGISTRATION_REJECT,
            Self::DeregistrationRequestUe { .. } => t::DEREGISTRATION_REQUEST_UE_ORIGINATING,
            Self::DeregistrationAcceptUe => t::DEREGISTRATION_ACCEPT_UE_ORIGINATING,
            Self::DeregistrationRequestNetwork { .. } => t::DEREGISTRATION_REQUEST_UE_TERMINATED,
            Self::DeregistrationAcceptNetwork => t::DEREGISTRATION_ACCEPT_UE_TERMINATED,
            Self::ServiceRequest { .. } => t::SERVICE_REQUEST,
            Self::ServiceAccept { .. } => t::SERVICE_ACCEPT,
            Self::ServiceReject { .. } => t::SERVICE_REJECT,
            Self::ConfigurationUpdateCommand { .. } => t::CONFIGURATION_UPDATE_COMMAND,
            Self::ConfigurationUpdateComplete => t::CONFIGURATION_UPDATE_COMPLETE,
            Self::AuthenticationRequest(_) => t::AUTHENTICATION_REQUEST,
            Self::AuthenticationResponse { .. } => t::AUTHENTICATION_RESPONSE,
            Self::AuthenticationReject { .. } => t::AUTHENTICATION_REJECT,
            Self::AuthenticationFailure { .. } => t::AUTHENTICATION_FAILURE,
            Self::AuthenticationResult { .. } => t::AUTHENTICATION_RESULT,
            Self::IdentityRequest { .. } => t::IDENTITY_REQUEST,
            Self::IdentityResponse { .. } => t::IDENTITY_RESPONSE,
            Self::SecurityModeCommand(_) => t::SECURITY_MODE_COMMAND,
            Self::SecurityModeComplete { .. } => t::SECURITY_MODE_COMPLETE,
            Self::SecurityModeReject { .. } => t::SECURITY_MODE_REJECT,
            Self::Status { .. } => t::STATUS,
            Self::UlNasTransport { .. } => t::UL_NAS_TRANSPORT,
            Self::DlNasTransport { .. } => t::DL_NAS_TRANSPORT,
            Self::Unknown { message_type, .. } => *message_type,
        }
    }

    pub(crate) fn parse_body(
        mt: u8,
        r: &mut Reader<'_>,
        _dir: Direction,
    ) -> Result<Self, DecodeError> {
        use self::message_type as t;
        let id = |v: &[u8]| MobileIdentity5gs::parse(v);
        let m = match mt {
            t::REGISTRATION_REQUEST => {
                let o = r.u8("5GS registration type")?;
                let identity = id(r.lve("5GS mobile identity", 1, 65535)?)?;
                Self::RegistrationRequest(RegistrationRequest {
                    registration_type: o & 0x0f,
                    ng_ksi: NasKsi::from_nibble(o >> 4),
                    identity,
                    ies: parse_optional(r, REGISTRATION_REQUEST_IES)?,
                })
            }
            t::REGISTRATION_ACCEPT => {
                let v = r.lv("5GS registration result", 1, 1)?;
                Self::RegistrationAccept(RegistrationAccept {
                    result: v[0],
                    ies: parse_optional(r, REGISTRATION_ACCEPT_IES)?,
                })
            }
            t::REGISTRATION_COMPLETE => Self::RegistrationComplete {
                ies: parse_optional(r, &[(0x73, Tlve)])?,
            },
            t::REGISTRATION_REJECT => Self::RegistrationReject {
                cause: r.u8("5GMM cause")?,
                ies: parse_optional(r, CAUSE_IES)?,
            },
            t::DEREGISTRATION_REQUEST_UE_ORIGINATING => {
                let o = r.u8("de-registration type")?;
                Self::DeregistrationRequestUe {
                    deregistration_type: o & 0x0f,
                    ng_ksi: NasKsi::from_nibble(o >> 4),
                    identity: id(r.lve("5GS mobile identity", 1, 65535)?)?,
                }
            }
            t::DEREGISTRATION_ACCEPT_UE_ORIGINATING => Self::DeregistrationAcceptUe,
            t::DEREGISTRATION_REQUEST_UE_TERMINATED => Self::DeregistrationRequestNetwork {
                deregistration_type: r.u8("de-registration type")? & 0x0f,
                ies: parse_optional(r, DEREG_NW_IES)?,
            },
            t::DEREGISTRATION_ACCEPT_UE_TERMINATED => Self::DeregistrationAcceptNetwork,
            t::SERVICE_REQUEST => {
                let o = r.u8("service type")?;
                Self::ServiceRequest {
                    service_type: o >> 4,
                    ng_ksi: NasKsi::from_nibble(o & 0x0f),
                    s_tmsi: id(r.lve("5G-S-TMSI", 1, 65535)?)?,
                    ies: parse_optional(r, SERVICE_REQUEST_IES)?,
                }
            }
            t::SERVICE_ACCEPT => Self::ServiceAccept {
                ies: parse_optional(r, &[(0x50, Tlv), (0x26, Tlv), (0x72, Tlve), (0x78, Tlve)])?,
            },
            t::SERVICE_REJECT => Self::ServiceReject {
                cause: r.u8("5GMM cause")?,
                ies: parse_optional(r, CAUSE_IES)?,
            },
            t::CONFIGURATION_UPDATE_COMMAND => Self::ConfigurationUpdateCommand {
                ies: parse_optional(r, CONFIG_UPDATE_COMMAND_IES)?,
            },
            t::CONFIGURATION_UPDATE_COMPLETE => Self::ConfigurationUpdateComplete,
            t::AUTHENTICATION_REQUEST => {
                let o = r.u8("ngKSI")?;
                let abba = r.lv("ABBA", 2, 255)?.to_vec();
                Self::AuthenticationRequest(AuthenticationRequest {
                    ng_ksi: NasKsi::from_nibble(o & 0x0f),
                    abba,
                    ies: parse_optional(r, AUTH_REQUEST_IES)?,
                })
            }
            t::AUTHENTICATION_RESPONSE => Self::AuthenticationResponse {
                ies: parse_optional(r, AUTH_RESPONSE_IES)?,
            },
            t::AUTHENTICATION_REJECT => Self::AuthenticationReject {
                ies: parse_optional(r, &[(0x78, Tlve)])?,
            },
            t::AUTHENTICATION_FAILURE => Self::AuthenticationFailure {
                cause: r.u8("5GMM cause")?,
                ies: parse_optional(r, AUTH_FAILURE_IES)?,
            },
            t::AUTHENTICATION_RESULT => {
                let o = r.u8("ngKSI")?;
                let eap = r.lve("EAP message", 4, 1500)?.to_vec();
                Self::AuthenticationResult {
                    ng_ksi: NasKsi::from_nibble(o & 0x0f),
                    eap,
                    ies: parse_optional(r, &[(0x38, Tlv)])?,
                }
            }
            t::IDENTITY_REQUEST => Self::IdentityRequest {
                identity_type: r.u8("identity type")? & 0x07,
            },
            t::IDENTITY_RESPONSE => Self::IdentityResponse {
                identity: id(r.lve("mobile identity", 1, 65535)?)?,
            },
            t::SECURITY_MODE_COMMAND => {
                let alg = r.u8("NAS security algorithms")?;
                let o = r.u8("ngKSI")?;
                let caps = r.lv("replayed UE security capabilities", 2, 8)?.to_vec();
                Self::SecurityModeCommand(SecurityModeCommand {
                    ciphering: alg >> 4,
                    integrity: alg & 0x0f,
                    ng_ksi: NasKsi::from_nibble(o & 0x0f),
                    replayed_ue_security_capabilities: caps,
                    ies: parse_optional(r, SMC_IES)?,
                })
            }
            t::SECURITY_MODE_COMPLETE => Self::SecurityModeComplete {
                ies: parse_optional(r, SMC_COMPLETE_IES)?,
            },
            t::SECURITY_MODE_REJECT => Self::SecurityModeReject {
                cause: r.u8("5GMM cause")?,
            },
            t::STATUS => Self::Status {
                cause: r.u8("5GMM cause")?,
            },
            t::UL_NAS_TRANSPORT | t::DL_NAS_TRANSPORT => {
                let o = r.u8("payload container type")?;
                let payload = r.lve("payload container", 1, 65535)?.to_vec();
                if mt == t::UL_NAS_TRANSPORT {
                    Self::UlNasTransport {
                        payload_type: o & 0x0f,
                        payload,
                        ies: parse_optional(r, UL_NAS_TRANSPORT_IES)?,
                    }
                } else {
                    Self::DlNasTransport {
                        payload_type: o & 0x0f,
                        payload,
                        ies: parse_optional(r, DL_NAS_TRANSPORT_IES)?,
                    }
                }
            }
            other => Self::Unknown {
                message_type: other,
                body: r.bytes(r.rest().len(), "body")?.to_vec(),
            },
        };
        if !r.is_empty() {
            return Err(DecodeError::TrailingBytes(r.rest().len()));
        }
        Ok(m)
    }

    pub(crate) fn emit_body(&self, out: &mut NasWriter) {
        let ies = |out: &mut NasWriter, v: &[Ie]| v.iter().for_each(|ie| ie.emit(out));
        match self {
            Self::RegistrationRequest(m) => {
                out.push((m.ng_ksi.nibble() << 4) | (m.registration_type & 0x0f));
                emit_lve(out, &m.identity.to_vec());
                ies(out, &m.ies);
            }
            Self::RegistrationAccept(m) => {
                emit_lv(out, &[m.result]);
                ies(out, &m.ies);
            }
            Self::RegistrationComplete { ies: v }
            | Self::ServiceAccept { ies: v }
            | Self::ConfigurationUpdateCommand { ies: v }
            | Self::AuthenticationResponse { ies: v }
            | Self::AuthenticationReject { ies: v }
            | Self::SecurityModeComplete { ies: v } => ies(out, v),
            Self::RegistrationReject { cause, ies: v }
            | Self::ServiceReject { cause, ies: v }
            | Self::AuthenticationFailure { cause, ies: v } => {
                out.push(*cause);
                ies(out, v);
            }
            Self::DeregistrationRequestUe {
                deregistration_type,
                ng_ksi,
                identity,
            } => {
                out.push((ng_ksi.nibble() << 4) | (deregistration_type & 0x0f));
                emit_lve(out, &identity.to_vec());
            }
            Self::DeregistrationAcceptUe
            | Self::DeregistrationAcceptNetwork
            | Self::ConfigurationUpdateComplete => {}
            Self::DeregistrationRequestNetwork {
                deregistration_type,
                ies: v,
            } => {
                out.push(deregistration_type & 0x0f);
                ies(out, v);
            }
            Self::ServiceRequest {
                service_type,
                ng_ksi,
                s_tmsi,
                ies: v,
            } => {
                out.push((service_type << 4) | ng_ksi.nibble());
                emit_lve(out, &s_tmsi.to_vec());
                ies(out, v);
            }
            Self::AuthenticationRequest(m) => {
                out.push(m.ng_ksi.nibble());
                emit_lv(out, &m.abba);
                ies(out, &m.ies);
            }
            Self::AuthenticationResult {
                ng_ksi,
                eap,
                ies: v,
            } => {
                out.push(ng_ksi.nibble());
                emit_lve(out, eap);
                ies(out, v);
            }
            Self::IdentityRequest { identity_type } => out.push(identity_type & 0x07),
            Self::IdentityResponse { identity } => emit_lve(out, &identity.to_vec()),
            Self::SecurityModeCommand(m) => {
                out.push((m.ciphering << 4) | (m.integrity & 0x0f));
                out.push(m.ng_ksi.nibble());
                emit_lv(out, &m.replayed_ue_security_capabilities);
                ies(out, &m.ies);
            }
            Self::SecurityModeReject { cause } | Self::Status { cause } => out.push(*cause),
            Self::UlNasTransport {
                payload_type,
                payload,
                ies: v,
            }
            | Self::DlNasTransport {
                payload_type,
                payload,
                ies: v,
            } => {
                out.push(payload_type & 0x0f);
                emit_lve(out, payload);
                ies(out, v);
            }
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }
}
