//! EPS mobility management messages (TS 24.301 §8.2). Protocol discriminator 7.
//!
//! Each message is a `Repr`: mandatory IEs as typed fields, optional IEs in `ies` in the order
//! received (known or not), with typed getters. `parse_body`/`emit_body` handle what follows
//! the message type octet; [`EmmMessage`] adds the two header octets.

use crate::DecodeError;
use crate::ie::NasWriter;
use crate::ie::{
    Ie, IeFormat, IeTable, MobileIdentity, NasKsi, SecurityCapability, emit_lv, emit_lve, find_ie,
    parse_optional, set_ie,
};
use crate::reader::Reader;
use ntn_security::Direction;

use IeFormat::{HalfTv, Tlv, Tlve, Tv};

/// EMM message types (TS 24.301 §9.8, table 9.8.1).
pub mod message_type {
    #![allow(missing_docs)]
    pub const ATTACH_REQUEST: u8 = 0x41;
    pub const ATTACH_ACCEPT: u8 = 0x42;
    pub const ATTACH_COMPLETE: u8 = 0x43;
    pub const ATTACH_REJECT: u8 = 0x44;
    pub const DETACH_REQUEST: u8 = 0x45;
    pub const DETACH_ACCEPT: u8 = 0x46;
    pub const TRACKING_AREA_UPDATE_REQUEST: u8 = 0x48;
    pub const TRACKING_AREA_UPDATE_ACCEPT: u8 = 0x49;
    pub const TRACKING_AREA_UPDATE_COMPLETE: u8 = 0x4a;
    pub const TRACKING_AREA_UPDATE_REJECT: u8 = 0x4b;
    pub const EXTENDED_SERVICE_REQUEST: u8 = 0x4c;
    pub const CONTROL_PLANE_SERVICE_REQUEST: u8 = 0x4d;
    pub const SERVICE_REJECT: u8 = 0x4e;
    pub const SERVICE_ACCEPT: u8 = 0x4f;
    pub const GUTI_REALLOCATION_COMMAND: u8 = 0x50;
    pub const GUTI_REALLOCATION_COMPLETE: u8 = 0x51;
    pub const AUTHENTICATION_REQUEST: u8 = 0x52;
    pub const AUTHENTICATION_RESPONSE: u8 = 0x53;
    pub const AUTHENTICATION_REJECT: u8 = 0x54;
    pub const IDENTITY_REQUEST: u8 = 0x55;
    pub const IDENTITY_RESPONSE: u8 = 0x56;
    pub const AUTHENTICATION_FAILURE: u8 = 0x5c;
    pub const SECURITY_MODE_COMMAND: u8 = 0x5d;
    pub const SECURITY_MODE_COMPLETE: u8 = 0x5e;
    pub const SECURITY_MODE_REJECT: u8 = 0x5f;
    pub const EMM_STATUS: u8 = 0x60;
    pub const EMM_INFORMATION: u8 = 0x61;
    pub const DOWNLINK_NAS_TRANSPORT: u8 = 0x62;
    pub const UPLINK_NAS_TRANSPORT: u8 = 0x63;
    pub const CS_SERVICE_NOTIFICATION: u8 = 0x64;
    pub const DOWNLINK_GENERIC_NAS_TRANSPORT: u8 = 0x68;
    pub const UPLINK_GENERIC_NAS_TRANSPORT: u8 = 0x69;

    /// The EMM message names of the specification, by message type.
    pub const NAMES: &[(u8, &str)] = &[
        (ATTACH_REQUEST, "ATTACH REQUEST"),
        (ATTACH_ACCEPT, "ATTACH ACCEPT"),
        (ATTACH_COMPLETE, "ATTACH COMPLETE"),
        (ATTACH_REJECT, "ATTACH REJECT"),
        (DETACH_REQUEST, "DETACH REQUEST"),
        (DETACH_ACCEPT, "DETACH ACCEPT"),
        (TRACKING_AREA_UPDATE_REQUEST, "TRACKING AREA UPDATE REQUEST"),
        (TRACKING_AREA_UPDATE_ACCEPT, "TRACKING AREA UPDATE ACCEPT"),
        (
            TRACKING_AREA_UPDATE_COMPLETE,
            "TRACKING AREA UPDATE COMPLETE",
        ),
        (TRACKING_AREA_UPDATE_REJECT, "TRACKING AREA UPDATE REJECT"),
        (EXTENDED_SERVICE_REQUEST, "EXTENDED SERVICE REQUEST"),
        (
            CONTROL_PLANE_SERVICE_REQUEST,
            "CONTROL PLANE SERVICE REQUEST",
        ),
        (SERVICE_REJECT, "SERVICE REJECT"),
        (SERVICE_ACCEPT, "SERVICE ACCEPT"),
        (GUTI_REALLOCATION_COMMAND, "GUTI REALLOCATION COMMAND"),
        (GUTI_REALLOCATION_COMPLETE, "GUTI REALLOCATION COMPLETE"),
        (AUTHENTICATION_REQUEST, "AUTHENTICATION REQUEST"),
        (AUTHENTICATION_RESPONSE, "AUTHENTICATION RESPONSE"),
        (AUTHENTICATION_REJECT, "AUTHENTICATION REJECT"),
        (IDENTITY_REQUEST, "IDENTITY REQUEST"),
        (IDENTITY_RESPONSE, "IDENTITY RESPONSE"),
        (AUTHENTICATION_FAILURE, "AUTHENTICATION FAILURE"),
        (SECURITY_MODE_COMMAND, "SECURITY MODE COMMAND"),
        (SECURITY_MODE_COMPLETE, "SECURITY MODE COMPLETE"),
        (SECURITY_MODE_REJECT, "SECURITY MODE REJECT"),
        (EMM_STATUS, "EMM STATUS"),
        (EMM_INFORMATION, "EMM INFORMATION"),
        (DOWNLINK_NAS_TRANSPORT, "DOWNLINK NAS TRANSPORT"),
        (UPLINK_NAS_TRANSPORT, "UPLINK NAS TRANSPORT"),
        (CS_SERVICE_NOTIFICATION, "CS SERVICE NOTIFICATION"),
        (
            DOWNLINK_GENERIC_NAS_TRANSPORT,
            "DOWNLINK GENERIC NAS TRANSPORT",
        ),
        (UPLINK_GENERIC_NAS_TRANSPORT, "UPLINK GENERIC NAS TRANSPORT"),
    ];
}

/// EMM cause values used by the procedures here (TS 24.301 §9.9.3.9).
pub mod cause {
    #![allow(missing_docs)]
    pub const ILLEGAL_UE: u8 = 3;
    pub const MAC_FAILURE: u8 = 20;
    pub const SYNCH_FAILURE: u8 = 21;
    pub const CONGESTION: u8 = 22;
    pub const UE_SECURITY_CAPABILITIES_MISMATCH: u8 = 23;
    pub const SECURITY_MODE_REJECTED_UNSPECIFIED: u8 = 24;
    pub const NON_EPS_AUTHENTICATION_UNACCEPTABLE: u8 = 26;
    pub const SEMANTICALLY_INCORRECT_MESSAGE: u8 = 95;
    pub const INVALID_MANDATORY_INFORMATION: u8 = 96;
    pub const MESSAGE_TYPE_NON_EXISTENT: u8 = 97;
    pub const MESSAGE_NOT_COMPATIBLE_WITH_PROTOCOL_STATE: u8 = 98;
    pub const PROTOCOL_ERROR_UNSPECIFIED: u8 = 111;
}

// ---- optional IE tables (TS 24.301 §8.2.x, in message order) ---------------------------

const ATTACH_REQUEST_IES: IeTable = &[
    (0x19, Tv(3)),  // Old P-TMSI signature
    (0x50, Tlv),    // Additional GUTI
    (0x52, Tv(5)),  // Last visited registered TAI
    (0x5c, Tv(2)),  // DRX parameter
    (0x31, Tlv),    // MS network capability
    (0x13, Tv(5)),  // Old location area identification
    (0x90, HalfTv), // TMSI status
    (0x11, Tlv),    // Mobile station classmark 2
    (0x20, Tlv),    // Mobile station classmark 3
    (0x40, Tlv),    // Supported codecs
    (0xf0, HalfTv), // Additional update type
    (0x5d, Tlv),    // Voice domain preference and UE's usage setting
    (0xd0, HalfTv), // Device properties
    (0xe0, HalfTv), // Old GUTI type
    (0xc0, HalfTv), // MS network feature support
    (0x10, Tlv),    // TMSI based NRI container
    (0x6a, Tlv),    // T3324 value
    (0x5e, Tlv),    // T3412 extended value
    (0x6e, Tlv),    // Extended DRX parameters
    (0x6f, Tlv),    // UE additional security capability
    (0x6d, Tlv),    // UE status
    (0x17, Tv(1)),  // Additional information requested
    (0x32, Tlv),    // N1 UE network capability
    (0x34, Tlv),    // UE radio capability ID availability
    (0x35, Tlv),    // Requested WUS assistance information
    (0x36, Tlv),    // DRX parameter in NB-S1 mode
    (0x38, Tlv),    // Requested IMSI offset
];

const ATTACH_ACCEPT_IES: IeTable = &[
    (0x50, Tlv),    // GUTI
    (0x13, Tv(5)),  // Location area identification
    (0x23, Tlv),    // MS identity
    (0x53, Tv(1)),  // EMM cause
    (0x17, Tv(1)),  // T3402 value
    (0x59, Tv(1)),  // T3423 value
    (0x4a, Tlv),    // Equivalent PLMNs
    (0x34, Tlv),    // Emergency number list
    (0x64, Tlv),    // EPS network feature support
    (0xf0, HalfTv), // Additional update result
    (0x5e, Tlv),    // T3412 extended value
    (0x6a, Tlv),    // T3324 value
    (0x6e, Tlv),    // Extended DRX parameters
    (0x65, Tlv),    // DCN-ID
    (0xe0, HalfTv), // SMS services status
    (0xd0, HalfTv), // Non-3GPP NW provided policies
    (0x6b, Tlv),    // T3448 value
    (0xc0, HalfTv), // Network policy
    (0x6c, Tlv),    // T3447 value
    (0x7a, Tlve),   // Extended emergency number list
    (0x7c, Tlve),   // Ciphering key data
    (0x66, Tlv),    // UE radio capability ID
    (0xb0, HalfTv), // UE radio capability ID deletion indication
    (0x35, Tlv),    // Negotiated WUS assistance information
    (0x36, Tlv),    // Negotiated DRX parameter in NB-S1 mode
    (0x38, Tlv),    // Negotiated IMSI offset
];

const ATTACH_REJECT_IES: IeTable = &[
    (0x78, Tlve),   // ESM message container
    (0x5f, Tlv),    // T3346 value
    (0x16, Tlv),    // T3402 value
    (0xa0, HalfTv), // Extended EMM cause
];

const AUTH_FAILURE_IES: IeTable = &[(0x30, Tlv)]; // Authentication failure parameter (AUTS)

const SMC_IES: IeTable = &[
    (0xc0, HalfTv), // IMEISV request
    (0x55, Tv(4)),  // Replayed nonceUE
    (0x56, Tv(4)),  // NonceMME
    (0x4f, Tlv),    // HashMME
    (0x6f, Tlv),    // Replayed UE additional security capability
    (0x6d, Tlv),    // UE radio capability ID request
];

const SMC_COMPLETE_IES: IeTable = &[
    (0x23, Tlv),  // IMEISV
    (0x79, Tlve), // Replayed NAS message container
    (0x66, Tlv),  // UE radio capability ID
];

const DETACH_REQUEST_DL_IES: IeTable = &[(0x53, Tv(1))]; // EMM cause

const EMM_INFORMATION_IES: IeTable = &[
    (0x43, Tlv),   // Full name for network
    (0x45, Tlv),   // Short name for network
    (0x46, Tv(1)), // Local time zone
    (0x47, Tv(7)), // Universal time and local time zone
    (0x49, Tlv),   // Network daylight saving time
];

const TAU_REQUEST_IES: IeTable = &[
    (0xb0, HalfTv), // Non-current native NAS key set identifier
    (0x80, HalfTv), // GPRS ciphering key sequence number
    (0x19, Tv(3)),  // Old P-TMSI signature
    (0x50, Tlv),    // Additional GUTI
    (0x55, Tv(4)),  // NonceUE
    (0x58, Tlv),    // UE network capability
    (0x52, Tv(5)),  // Last visited registered TAI
    (0x5c, Tv(2)),  // DRX parameter
    (0xa0, HalfTv), // UE radio capability information update needed
    (0x57, Tlv),    // EPS bearer context status
    (0x31, Tlv),    // MS network capability
    (0x13, Tv(5)),  // Old location area identification
    (0x90, HalfTv), // TMSI status
    (0x11, Tlv),    // Mobile station classmark 2
    (0x20, Tlv),    // Mobile station classmark 3
    (0x40, Tlv),    // Supported codecs
    (0xf0, HalfTv), // Additional update type
    (0x5d, Tlv),    // Voice domain preference and UE's usage setting
    (0xe0, HalfTv), // Old GUTI type
    (0xd0, HalfTv), // Device properties
    (0xc0, HalfTv), // MS network feature support
    (0x10, Tlv),    // TMSI based NRI container
    (0x6a, Tlv),    // T3324 value
    (0x5e, Tlv),    // T3412 extended value
    (0x6e, Tlv),    // Extended DRX parameters
    (0x6f, Tlv),    // UE additional security capability
    (0x6d, Tlv),    // UE status
    (0x17, Tv(1)),  // Additional information requested
    (0x32, Tlv),    // N1 UE network capability
    (0x34, Tlv),    // UE radio capability ID availability
    (0x35, Tlv),    // Requested WUS assistance information
    (0x36, Tlv),    // DRX parameter in NB-S1 mode
    (0x38, Tlv),    // Requested IMSI offset
];

const TAU_ACCEPT_IES: IeTable = &[
    (0x5a, Tv(1)),  // T3412 value
    (0x50, Tlv),    // GUTI
    (0x54, Tlv),    // TAI list
    (0x57, Tlv),    // EPS bearer context status
    (0x13, Tv(5)),  // Location area identification
    (0x23, Tlv),    // MS identity
    (0x53, Tv(1)),  // EMM cause
    (0x17, Tv(1)),  // T3402 value
    (0x59, Tv(1)),  // T3423 value
    (0x4a, Tlv),    // Equivalent PLMNs
    (0x34, Tlv),    // Emergency number list
    (0x64, Tlv),    // EPS network feature support
    (0xf0, HalfTv), // Additional update result
    (0x5e, Tlv),    // T3412 extended value
    (0x6a, Tlv),    // T3324 value
    (0x6e, Tlv),    // Extended DRX parameters
    (0x68, Tlv),    // Header compression configuration status
    (0x65, Tlv),    // DCN-ID
    (0xe0, HalfTv), // SMS services status
    (0xd0, HalfTv), // Non-3GPP NW policies
    (0x6b, Tlv),    // T3448 value
    (0xc0, HalfTv), // Network policy
    (0x6c, Tlv),    // T3447 value
    (0x7a, Tlve),   // Extended emergency number list
    (0x7c, Tlve),   // Ciphering key data
];

const TAU_REJECT_IES: IeTable = &[(0x5f, Tlv), (0xa0, HalfTv)];
const SERVICE_REJECT_IES: IeTable = &[(0x5b, Tv(1)), (0x5f, Tlv), (0x6b, Tlv)];
const CPSR_IES: IeTable = &[
    (0x78, Tlve),   // ESM message container
    (0x67, Tlv),    // NAS message container
    (0x57, Tlv),    // EPS bearer context status
    (0xd0, HalfTv), // Device properties
];
const GUTI_REALLOCATION_COMMAND_IES: IeTable = &[
    (0x54, Tlv),    // TAI list
    (0x65, Tlv),    // DCN-ID
    (0x66, Tlv),    // UE radio capability ID
    (0xb0, HalfTv), // UE radio capability ID deletion indication
];
const EXTENDED_SERVICE_REQUEST_IES: IeTable = &[
    (0xb0, HalfTv), // CSFB response
    (0x57, Tlv),    // EPS bearer context status
    (0xd0, HalfTv), // Device properties
];
const SERVICE_ACCEPT_IES: IeTable = &[
    (0x57, Tlv), // EPS bearer context status
    (0x6b, Tlv), // T3448 value
];
const CS_SERVICE_NOTIFICATION_IES: IeTable = &[
    (0x60, Tlv),   // CLI
    (0x61, Tv(1)), // SS Code
    (0x62, Tv(1)), // LCS indicator
    (0x63, Tlv),   // LCS client identity
];
const GENERIC_NAS_TRANSPORT_IES: IeTable = &[(0x65, Tlv)]; // Additional information

// ---- messages ------------------------------------------------------------------------------

/// ATTACH REQUEST (§8.2.4), UE to network.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AttachRequest {
    /// EPS attach type (§9.9.3.11), 4-bit field: 1 EPS attach, 2 combined, 6 emergency.
    pub attach_type: u8,
    /// NAS key set identifier.
    pub nas_ksi: NasKsi,
    /// EPS mobile identity (IMSI, GUTI or IMEI).
    pub identity: MobileIdentity,
    /// UE network capability.
    pub ue_network_capability: SecurityCapability,
    /// ESM message container: the PDN CONNECTIVITY REQUEST (or ESM DUMMY MESSAGE).
    pub esm_container: Vec<u8>,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl AttachRequest {
    fn parse_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let o = r.u8("EPS attach type")?;
        let identity = MobileIdentity::parse(r.lv("EPS mobile identity", 1, 11)?)?;
        let ue_network_capability =
            SecurityCapability::parse(r.lv("UE network capability", 2, 13)?)?;
        let esm_container = r.lve("ESM message container", 0, 65535)?.to_vec();
        Ok(Self {
            attach_type: o & 0x0f,
            nas_ksi: NasKsi::from_nibble(o >> 4),
            identity,
            ue_network_capability,
            esm_container,
            ies: parse_optional(r, ATTACH_REQUEST_IES)?,
        })
    }

    fn emit_body(&self, out: &mut NasWriter) {
        out.push((self.nas_ksi.nibble() << 4) | (self.attach_type & 0x0f));
        emit_lv(out, &self.identity.to_vec());
        emit_lv(out, &self.ue_network_capability.to_vec());
        emit_lve(out, &self.esm_container);
        self.ies.iter().for_each(|ie| ie.emit(out));
    }

    /// DRX parameter (IEI 0x5C), if present.
    pub fn drx_parameter(&self) -> Option<[u8; 2]> {
        find_ie(&self.ies, 0x5c).and_then(|ie| ie.value.as_slice().try_into().ok())
    }

    /// Sets the DRX parameter.
    pub fn set_drx_parameter(&mut self, v: [u8; 2]) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x5c,
                format: Tv(2),
                value: v.to_vec(),
            },
            ATTACH_REQUEST_IES,
        );
    }
}

/// ATTACH ACCEPT (§8.2.1), network to UE.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AttachAccept {
    /// EPS attach result (§9.9.3.10), 4-bit field: 1 EPS only, 2 combined.
    pub attach_result: u8,
    /// T3412 value, GPRS timer (TS 24.008 §10.5.7.3).
    pub t3412: u8,
    /// Tracking area identity list (§9.9.3.33), value octets.
    pub tai_list: Vec<u8>,
    /// ESM message container: ACTIVATE DEFAULT EPS BEARER CONTEXT REQUEST.
    pub esm_container: Vec<u8>,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl AttachAccept {
    fn parse_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let o = r.u8("EPS attach result")?;
        let t3412 = r.u8("T3412 value")?;
        let tai_list = r.lv("TAI list", 6, 96)?.to_vec();
        let esm_container = r.lve("ESM message container", 0, 65535)?.to_vec();
        Ok(Self {
            attach_result: o & 0x0f,
            t3412,
            tai_list,
            esm_container,
            ies: parse_optional(r, ATTACH_ACCEPT_IES)?,
        })
    }

    fn emit_body(&self, out: &mut NasWriter) {
        out.push(self.attach_result & 0x0f);
        out.push(self.t3412);
        emit_lv(out, &self.tai_list);
        emit_lve(out, &self.esm_container);
        self.ies.iter().for_each(|ie| ie.emit(out));
    }

    /// GUTI (IEI 0x50): `None` if absent, `Some(Err)` if present but malformed.
    pub fn guti(&self) -> Option<Result<MobileIdentity, DecodeError>> {
        find_ie(&self.ies, 0x50).map(|ie| MobileIdentity::parse(&ie.value))
    }

    /// Sets the GUTI IE.
    pub fn set_guti(&mut self, id: &MobileIdentity) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x50,
                format: Tlv,
                value: id.to_vec(),
            },
            ATTACH_ACCEPT_IES,
        );
    }

    /// EMM cause (IEI 0x53), if present.
    pub fn emm_cause(&self) -> Option<u8> {
        find_ie(&self.ies, 0x53).and_then(|ie| ie.value.first().copied())
    }
}

/// A message whose body is a single mandatory ESM message container (ATTACH COMPLETE §8.2.2).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AttachComplete {
    /// ESM message container: ACTIVATE DEFAULT EPS BEARER CONTEXT ACCEPT.
    pub esm_container: Vec<u8>,
}

/// ATTACH REJECT (§8.2.3).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AttachReject {
    /// EMM cause.
    pub cause: u8,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

/// AUTHENTICATION REQUEST (§8.2.7).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AuthenticationRequest {
    /// NAS key set identifier of the KASME being established.
    pub nas_ksi: NasKsi,
    /// RAND.
    pub rand: [u8; 16],
    /// AUTN.
    pub autn: [u8; 16],
}

/// AUTHENTICATION RESPONSE (§8.2.8).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AuthenticationResponse {
    /// RES, 4 to 16 octets.
    pub res: Vec<u8>,
}

/// AUTHENTICATION FAILURE (§8.2.5).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AuthenticationFailure {
    /// EMM cause: 20 MAC failure, 21 synch failure, 26 non-EPS authentication unacceptable.
    pub cause: u8,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl AuthenticationFailure {
    /// A synch failure carrying AUTS (cause 21 with the authentication failure parameter).
    pub fn synch_failure(auts: [u8; 14]) -> Self {
        Self {
            cause: cause::SYNCH_FAILURE,
            ies: vec![Ie {
                iei: 0x30,
                format: Tlv,
                value: auts.to_vec(),
            }],
        }
    }

    /// AUTS from the authentication failure parameter (IEI 0x30, §9.9.3.1), if present and
    /// 14 octets long.
    pub fn auts(&self) -> Option<[u8; 14]> {
        find_ie(&self.ies, 0x30).and_then(|ie| ie.value.as_slice().try_into().ok())
    }
}

/// SECURITY MODE COMMAND (§8.2.20).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct SecurityModeCommand {
    /// Type of ciphering algorithm (§9.9.3.23), 3 bits: 0 EEA0 .. 3 128-EEA3.
    pub ciphering: u8,
    /// Type of integrity protection algorithm, 3 bits: 0 EIA0 .. 3 128-EIA3.
    pub integrity: u8,
    /// NAS key set identifier.
    pub nas_ksi: NasKsi,
    /// Replayed UE security capabilities.
    pub replayed_ue_security_capabilities: SecurityCapability,
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl SecurityModeCommand {
    /// IMEISV request (IEI 0xC-) value, if present: 1 = IMEISV requested.
    pub fn imeisv_request(&self) -> Option<u8> {
        find_ie(&self.ies, 0xc0).and_then(|ie| ie.value.first().map(|v| v & 0x07))
    }

    /// Sets the IMEISV request IE.
    pub fn set_imeisv_request(&mut self, v: u8) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0xc0,
                format: HalfTv,
                value: vec![v & 0x07],
            },
            SMC_IES,
        );
    }
}

/// SECURITY MODE COMPLETE (§8.2.21).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct SecurityModeComplete {
    /// Optional IEs as received.
    pub ies: Vec<Ie>,
}

impl SecurityModeComplete {
    /// IMEISV (IEI 0x23), if present.
    pub fn imeisv(&self) -> Option<Result<MobileIdentity, DecodeError>> {
        find_ie(&self.ies, 0x23).map(|ie| MobileIdentity::parse(&ie.value))
    }

    /// Sets the IMEISV IE.
    pub fn set_imeisv(&mut self, id: &MobileIdentity) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x23,
                format: Tlv,
                value: id.to_vec(),
            },
            SMC_COMPLETE_IES,
        );
    }
}

/// IDENTITY REQUEST (§8.2.18).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct IdentityRequest {
    /// Identity type 2 (TS 24.008 §10.5.5.9), 3 bits: 1 IMSI, 2 IMEI, 3 IMEISV, 4 TMSI.
    pub identity_type: u8,
}

/// IDENTITY RESPONSE (§8.2.19).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct IdentityResponse {
    /// Mobile identity (TS 24.008 §10.5.1.4).
    pub identity: MobileIdentity,
}

/// DETACH REQUEST, UE originating (§8.2.11.1).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct DetachRequestUe {
    /// Detach type (§9.9.3.7), 4 bits: bit 4 switch off, bits 3-1 type of detach.
    pub detach_type: u8,
    /// NAS key set identifier.
    pub nas_ksi: NasKsi,
    /// EPS mobile identity.
    pub identity: MobileIdentity,
}

/// DETACH REQUEST, UE terminated (§8.2.11.2).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct DetachRequestNetwork {
    /// Detach type, 4 bits: 1 re-attach required, 2 re-attach not required, 3 IMSI detach.
    pub detach_type: u8,
    /// Optional IEs as received (EMM cause, IEI 0x53).
    pub ies: Vec<Ie>,
}

impl DetachRequestNetwork {
    /// EMM cause (IEI 0x53), if present.
    pub fn emm_cause(&self) -> Option<u8> {
        find_ie(&self.ies, 0x53).and_then(|ie| ie.value.first().copied())
    }
}

/// GUTI REALLOCATION COMMAND (§8.2.16), network to UE.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct GutiReallocationCommand {
    /// The new GUTI (EPS mobile identity).
    pub guti: MobileIdentity,
    /// Optional IEs as received (TAI list, DCN-ID, UE radio capability ID, deletion
    /// indication).
    pub ies: Vec<Ie>,
}

impl GutiReallocationCommand {
    /// TAI list (IEI 0x54), value octets, if present.
    pub fn tai_list(&self) -> Option<&[u8]> {
        find_ie(&self.ies, 0x54).map(|ie| ie.value.as_slice())
    }

    /// Sets the TAI list.
    pub fn set_tai_list(&mut self, v: &[u8]) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x54,
                format: Tlv,
                value: v.to_vec(),
            },
            GUTI_REALLOCATION_COMMAND_IES,
        );
    }
}

/// Service type of EXTENDED SERVICE REQUEST (§9.9.3.27), 4 bits.
pub mod service_type {
    #![allow(missing_docs)]
    pub const MO_CSFB: u8 = 0;
    pub const MT_CSFB: u8 = 1;
    pub const MO_CSFB_EMERGENCY: u8 = 2;
    pub const PACKET_SERVICES_S1: u8 = 8;
    pub const PACKET_SERVICES_S1_NB_IOT: u8 = 9;
}

/// EXTENDED SERVICE REQUEST (§8.2.15), UE to network: CS fallback or packet services (also the
/// paging response of a UE that must not use SERVICE REQUEST).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ExtendedServiceRequest {
    /// Service type (§9.9.3.27), 4 bits; see [`service_type`].
    pub service_type: u8,
    /// NAS key set identifier.
    pub nas_ksi: NasKsi,
    /// M-TMSI, a mobile identity of type TMSI (TS 24.008 §10.5.1.4).
    pub m_tmsi: MobileIdentity,
    /// Optional IEs as received (CSFB response, EPS bearer context status, device
    /// properties).
    pub ies: Vec<Ie>,
}

impl ExtendedServiceRequest {
    /// EPS bearer context status (IEI 0x57), 2 octets, if present.
    pub fn eps_bearer_context_status(&self) -> Option<[u8; 2]> {
        find_ie(&self.ies, 0x57).and_then(|ie| ie.value.as_slice().try_into().ok())
    }

    /// Sets the EPS bearer context status.
    pub fn set_eps_bearer_context_status(&mut self, v: [u8; 2]) {
        set_ie(
            &mut self.ies,
            Ie {
                iei: 0x57,
                format: Tlv,
                value: v.to_vec(),
            },
            EXTENDED_SERVICE_REQUEST_IES,
        );
    }
}

/// CS SERVICE NOTIFICATION (§8.2.9), network to UE: a CS paging relayed over NAS.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct CsServiceNotification {
    /// Paging identity (§9.9.3.25a), 1 bit: 0 IMSI, 1 TMSI.
    pub paging_identity: u8,
    /// Optional IEs as received (CLI, SS code, LCS indicator, LCS client identity).
    pub ies: Vec<Ie>,
}

impl CsServiceNotification {
    /// Calling line identification (IEI 0x60), BCD value octets, if present.
    pub fn cli(&self) -> Option<&[u8]> {
        find_ie(&self.ies, 0x60).map(|ie| ie.value.as_slice())
    }
}

/// An EMM message in plain form (security header type 0), by message type.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum EmmMessage {
    /// ATTACH REQUEST.
    AttachRequest(AttachRequest),
    /// ATTACH ACCEPT.
    AttachAccept(AttachAccept),
    /// ATTACH COMPLETE.
    AttachComplete(AttachComplete),
    /// ATTACH REJECT.
    AttachReject(AttachReject),
    /// AUTHENTICATION REQUEST.
    AuthenticationRequest(AuthenticationRequest),
    /// AUTHENTICATION RESPONSE.
    AuthenticationResponse(AuthenticationResponse),
    /// AUTHENTICATION FAILURE.
    AuthenticationFailure(AuthenticationFailure),
    /// AUTHENTICATION REJECT.
    AuthenticationReject,
    /// SECURITY MODE COMMAND.
    SecurityModeCommand(SecurityModeCommand),
    /// SECURITY MODE COMPLETE.
    SecurityModeComplete(SecurityModeComplete),
    /// SECURITY MODE REJECT with its EMM cause.
    SecurityModeReject {
        /// EMM cause.
        cause: u8,
    },
    /// IDENTITY REQUEST.
    IdentityRequest(IdentityRequest),
    /// IDENTITY RESPONSE.
    IdentityResponse(IdentityResponse),
    /// EMM STATUS with its EMM cause.
    EmmStatus {
        /// EMM cause.
        cause: u8,
    },
    /// EMM INFORMATION (all IEs optional).
    EmmInformation {
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// DETACH REQUEST sent by the UE.
    DetachRequestUe(DetachRequestUe),
    /// DETACH REQUEST sent by the network.
    DetachRequestNetwork(DetachRequestNetwork),
    /// DETACH ACCEPT.
    DetachAccept,
    /// DOWNLINK NAS TRANSPORT (SMS over NAS).
    DownlinkNasTransport {
        /// NAS message container.
        container: Vec<u8>,
    },
    /// UPLINK NAS TRANSPORT (SMS over NAS).
    UplinkNasTransport {
        /// NAS message container.
        container: Vec<u8>,
    },
    /// TRACKING AREA UPDATE REQUEST (§8.2.29).
    TrackingAreaUpdateRequest {
        /// EPS update type (4 bits: active flag | type).
        update_type: u8,
        /// NAS key set identifier.
        nas_ksi: NasKsi,
        /// Old GUTI (EPS mobile identity).
        old_guti: MobileIdentity,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// TRACKING AREA UPDATE ACCEPT (§8.2.26).
    TrackingAreaUpdateAccept {
        /// EPS update result (4 bits).
        update_result: u8,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// TRACKING AREA UPDATE COMPLETE.
    TrackingAreaUpdateComplete,
    /// TRACKING AREA UPDATE REJECT.
    TrackingAreaUpdateReject {
        /// EMM cause.
        cause: u8,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// SERVICE REJECT (§8.2.24).
    ServiceReject {
        /// EMM cause.
        cause: u8,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// CONTROL PLANE SERVICE REQUEST (§8.2.33), CIoT: may carry ESM DATA TRANSPORT in its ESM
    /// message container (IEI 0x78).
    ControlPlaneServiceRequest {
        /// Control plane service type (4 bits: active flag | type).
        service_type: u8,
        /// NAS key set identifier.
        nas_ksi: NasKsi,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// DOWNLINK GENERIC NAS TRANSPORT (§8.2.31).
    DownlinkGenericNasTransport {
        /// Generic message container type (1 LPP, 2 LCS, ...).
        container_type: u8,
        /// Generic message container.
        container: Vec<u8>,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// UPLINK GENERIC NAS TRANSPORT (§8.2.32).
    UplinkGenericNasTransport {
        /// Generic message container type.
        container_type: u8,
        /// Generic message container.
        container: Vec<u8>,
        /// Optional IEs as received.
        ies: Vec<Ie>,
    },
    /// GUTI REALLOCATION COMMAND.
    GutiReallocationCommand(GutiReallocationCommand),
    /// GUTI REALLOCATION COMPLETE (§8.2.17), no IEs.
    GutiReallocationComplete,
    /// EXTENDED SERVICE REQUEST.
    ExtendedServiceRequest(ExtendedServiceRequest),
    /// SERVICE ACCEPT (§8.2.34): the network's answer to a service request with CIoT EPS
    /// optimisation or an EPS bearer context status to report.
    ServiceAccept {
        /// Optional IEs as received (EPS bearer context status, T3448 value).
        ies: Vec<Ie>,
    },
    /// CS SERVICE NOTIFICATION.
    CsServiceNotification(CsServiceNotification),
    /// A message type this codec does not model (yet), kept as received.
    Unknown {
        /// Message type octet.
        message_type: u8,
        /// The octets after the message type.
        body: Vec<u8>,
    },
}

impl EmmMessage {
    /// The ESM message container of a CONTROL PLANE SERVICE REQUEST, if present.
    pub fn cpsr_esm_container(&self) -> Option<&[u8]> {
        match self {
            Self::ControlPlaneServiceRequest { ies, .. } => {
                find_ie(ies, 0x78).map(|ie| ie.value.as_slice())
            }
            _ => None,
        }
    }

    /// The message type octet.
    pub fn message_type(&self) -> u8 {
        use message_type as t;
        match self {
            Self::AttachRequest(_) => t::ATTACH_REQUEST,
            Self::AttachAccept(_) => t::ATTACH_ACCEPT,
            Self::AttachComplete(_) => t::ATTACH_COMPLETE,
            Self::AttachReject(_) => t::ATTACH_REJECT,
            Self::AuthenticationRequest(_) => t::AUTHENTICATION_REQUEST,
            Self::AuthenticationResponse(_) => t::AUTHENTICATION_RESPONSE,
            Self::AuthenticationFailure(_) => t::AUTHENTICATION_FAILURE,
            Self::AuthenticationReject => t::AUTHENTICATION_REJECT,
            Self::SecurityModeCommand(_) => t::SECURITY_MODE_COMMAND,
            Self::SecurityModeComplete(_) => t::SECURITY_MODE_COMPLETE,
            Self::SecurityModeReject { .. } => t::SECURITY_MODE_REJECT,
            Self::IdentityRequest(_) => t::IDENTITY_REQUEST,
            Self::IdentityResponse(_) => t::IDENTITY_RESPONSE,
            Self::EmmStatus { .. } => t::EMM_STATUS,
            Self::EmmInformation { .. } => t::EMM_INFORMATION,
            Self::DetachRequestUe(_) | Self::DetachRequestNetwork(_) => t::DETACH_REQUEST,
            Self::DetachAccept => t::DETACH_ACCEPT,
            Self::DownlinkNasTransport { .. } => t::DOWNLINK_NAS_TRANSPORT,
            Self::UplinkNasTransport { .. } => t::UPLINK_NAS_TRANSPORT,
            Self::TrackingAreaUpdateRequest { .. } => t::TRACKING_AREA_UPDATE_REQUEST,
            Self::TrackingAreaUpdateAccept { .. } => t::TRACKING_AREA_UPDATE_ACCEPT,
            Self::TrackingAreaUpdateComplete => t::TRACKING_AREA_UPDATE_COMPLETE,
            Self::TrackingAreaUpdateReject { .. } => t::TRACKING_AREA_UPDATE_REJECT,
            Self::ServiceReject { .. } => t::SERVICE_REJECT,
            Self::ControlPlaneServiceRequest { .. } => t::CONTROL_PLANE_SERVICE_REQUEST,
            Self::DownlinkGenericNasTransport { .. } => t::DOWNLINK_GENERIC_NAS_TRANSPORT,
            Self::UplinkGenericNasTransport { .. } => t::UPLINK_GENERIC_NAS_TRANSPORT,
            Self::GutiReallocationCommand(_) => t::GUTI_REALLOCATION_COMMAND,
            Self::GutiReallocationComplete => t::GUTI_REALLOCATION_COMPLETE,
            Self::ExtendedServiceRequest(_) => t::EXTENDED_SERVICE_REQUEST,
            Self::ServiceAccept { .. } => t::SERVICE_ACCEPT,
            Self::CsServiceNotification(_) => t::CS_SERVICE_NOTIFICATION,
            Self::Unknown { message_type, .. } => *message_type,
        }
    }

    /// Parses the part after the message type octet. `direction` picks between the two
    /// DETACH REQUEST formats.
    pub(crate) fn parse_body(
        mt: u8,
        r: &mut Reader<'_>,
        direction: Direction,
    ) -> Result<Self, DecodeError> {
        use self::message_type as t;
        let m = match mt {
            t::ATTACH_REQUEST => Self::AttachRequest(AttachRequest::parse_body(r)?),
            t::ATTACH_ACCEPT => Self::AttachAccept(AttachAccept::parse_body(r)?),
            t::ATTACH_COMPLETE => Self::AttachComplete(AttachComplete {
                esm_container: r.lve("ESM message container", 0, 65535)?.to_vec(),
            }),
            t::ATTACH_REJECT => Self::AttachReject(AttachReject {
                cause: r.u8("EMM cause")?,
                ies: parse_optional(r, ATTACH_REJECT_IES)?,
            }),
            t::AUTHENTICATION_REQUEST => {
                let o = r.u8("NAS key set identifier")?;
                let rand = r.array::<16>("RAND")?;
                let autn_v = r.lv("AUTN", 16, 16)?;
                let mut autn = [0u8; 16];
                autn.copy_from_slice(autn_v);
                Self::AuthenticationRequest(AuthenticationRequest {
                    nas_ksi: NasKsi::from_nibble(o & 0x0f),
                    rand,
                    autn,
                })
            }
            t::AUTHENTICATION_RESPONSE => Self::AuthenticationResponse(AuthenticationResponse {
                res: r.lv("RES", 4, 16)?.to_vec(),
            }),
            t::AUTHENTICATION_FAILURE => Self::AuthenticationFailure(AuthenticationFailure {
                cause: r.u8("EMM cause")?,
                ies: parse_optional(r, AUTH_FAILURE_IES)?,
            }),
            t::AUTHENTICATION_REJECT => Self::AuthenticationReject,
            t::SECURITY_MODE_COMMAND => {
                let alg = r.u8("NAS security algorithms")?;
                let ksi = r.u8("NAS key set identifier")?;
                let caps =
                    SecurityCapability::parse(r.lv("replayed UE security capabilities", 2, 5)?)?;
                Self::SecurityModeCommand(SecurityModeCommand {
                    ciphering: (alg >> 4) & 0x07,
                    integrity: alg & 0x07,
                    nas_ksi: NasKsi::from_nibble(ksi & 0x0f),
                    replayed_ue_security_capabilities: caps,
                    ies: parse_optional(r, SMC_IES)?,
                })
            }
            t::SECURITY_MODE_COMPLETE => Self::SecurityModeComplete(SecurityModeComplete {
                ies: parse_optional(r, SMC_COMPLETE_IES)?,
            }),
            t::SECURITY_MODE_REJECT => Self::SecurityModeReject {
                cause: r.u8("EMM cause")?,
            },
            t::IDENTITY_REQUEST => Self::IdentityRequest(IdentityRequest {
                identity_type: r.u8("identity type 2")? & 0x07,
            }),
            t::IDENTITY_RESPONSE => Self::IdentityResponse(IdentityResponse {
                identity: MobileIdentity::parse(r.lv("mobile identity", 1, 9)?)?,
            }),
            t::EMM_STATUS => Self::EmmStatus {
                cause: r.u8("EMM cause")?,
            },
            t::EMM_INFORMATION => Self::EmmInformation {
                ies: parse_optional(r, EMM_INFORMATION_IES)?,
            },
            t::DETACH_REQUEST => match direction {
                Direction::Uplink => {
                    let o = r.u8("detach type")?;
                    Self::DetachRequestUe(DetachRequestUe {
                        detach_type: o & 0x0f,
                        nas_ksi: NasKsi::from_nibble(o >> 4),
                        identity: MobileIdentity::parse(r.lv("EPS mobile identity", 1, 11)?)?,
                    })
                }
                Direction::Downlink => Self::DetachRequestNetwork(DetachRequestNetwork {
                    detach_type: r.u8("detach type")? & 0x0f,
                    ies: parse_optional(r, DETACH_REQUEST_DL_IES)?,
                }),
            },
            t::DETACH_ACCEPT => Self::DetachAccept,
            t::DOWNLINK_NAS_TRANSPORT => Self::DownlinkNasTransport {
                container: r.lv("NAS message container", 2, 251)?.to_vec(),
            },
            t::UPLINK_NAS_TRANSPORT => Self::UplinkNasTransport {
                container: r.lv("NAS message container", 2, 251)?.to_vec(),
            },
            t::TRACKING_AREA_UPDATE_REQUEST => {
                let o = r.u8("EPS update type")?;
                Self::TrackingAreaUpdateRequest {
                    update_type: o & 0x0f,
                    nas_ksi: NasKsi::from_nibble(o >> 4),
                    old_guti: MobileIdentity::parse(r.lv("old GUTI", 1, 11)?)?,
                    ies: parse_optional(r, TAU_REQUEST_IES)?,
                }
            }
            t::TRACKING_AREA_UPDATE_ACCEPT => Self::TrackingAreaUpdateAccept {
                update_result: r.u8("EPS update result")? & 0x0f,
                ies: parse_optional(r, TAU_ACCEPT_IES)?,
            },
            t::TRACKING_AREA_UPDATE_COMPLETE => Self::TrackingAreaUpdateComplete,
            t::TRACKING_AREA_UPDATE_REJECT => Self::TrackingAreaUpdateReject {
                cause: r.u8("EMM cause")?,
                ies: parse_optional(r, TAU_REJECT_IES)?,
            },
            t::SERVICE_REJECT => Self::ServiceReject {
                cause: r.u8("EMM cause")?,
                ies: parse_optional(r, SERVICE_REJECT_IES)?,
            },
            t::CONTROL_PLANE_SERVICE_REQUEST => {
                let o = r.u8("control plane service type")?;
                Self::ControlPlaneServiceRequest {
                    service_type: o & 0x0f,
                    nas_ksi: NasKsi::from_nibble(o >> 4),
                    ies: parse_optional(r, CPSR_IES)?,
                }
            }
            t::DOWNLINK_GENERIC_NAS_TRANSPORT | t::UPLINK_GENERIC_NAS_TRANSPORT => {
                let container_type = r.u8("generic message container type")?;
                let container = r.lve("generic message container", 1, 65535)?.to_vec();
                let ies = parse_optional(r, GENERIC_NAS_TRANSPORT_IES)?;
                if mt == t::DOWNLINK_GENERIC_NAS_TRANSPORT {
                    Self::DownlinkGenericNasTransport {
                        container_type,
                        container,
                        ies,
                    }
                } else {
                    Self::UplinkGenericNasTransport {
                        container_type,
                        container,
                        ies,
                    }
                }
            }
            t::GUTI_REALLOCATION_COMMAND => {
                Self::GutiReallocationCommand(GutiReallocationCommand {
                    guti: MobileIdentity::parse(r.lv("GUTI", 11, 11)?)?,
                    ies: parse_optional(r, GUTI_REALLOCATION_COMMAND_IES)?,
                })
            }
            t::GUTI_REALLOCATION_COMPLETE => Self::GutiReallocationComplete,
            t::EXTENDED_SERVICE_REQUEST => {
                let o = r.u8("service type and NAS key set identifier")?;
                Self::ExtendedServiceRequest(ExtendedServiceRequest {
                    service_type: o & 0x0f,
                    nas_ksi: NasKsi::from_nibble(o >> 4),
                    m_tmsi: MobileIdentity::parse(r.lv("M-TMSI", 5, 5)?)?,
                    ies: parse_optional(r, EXTENDED_SERVICE_REQUEST_IES)?,
                })
            }
            t::SERVICE_ACCEPT => Self::ServiceAccept {
                ies: parse_optional(r, SERVICE_ACCEPT_IES)?,
            },
            t::CS_SERVICE_NOTIFICATION => Self::CsServiceNotification(CsServiceNotification {
                paging_identity: r.u8("paging identity")? & 0x01,
                ies: parse_optional(r, CS_SERVICE_NOTIFICATION_IES)?,
            }),
            other => Self::Unknown {
                message_type: other,
                body: r.bytes(r.rest().len(), "body")?.to_vec(),
            },
        };
        // Messages without optional IEs must end here; extra octets are tolerated as
        // unknown trailing IEs would be (TS 24.301 §7.6.3 comprehension rules), but a
        // fixed-format message with leftovers is malformed.
        if !r.is_empty() {
            return Err(DecodeError::TrailingBytes(r.rest().len()));
        }
        Ok(m)
    }

    /// Appends the part after the message type octet.
    pub(crate) fn emit_body(&self, out: &mut NasWriter) {
        match self {
            Self::AttachRequest(m) => m.emit_body(out),
            Self::AttachAccept(m) => m.emit_body(out),
            Self::AttachComplete(m) => emit_lve(out, &m.esm_container),
            Self::AttachReject(m) => {
                out.push(m.cause);
                m.ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::AuthenticationRequest(m) => {
                out.push(m.nas_ksi.nibble());
                out.extend_from_slice(&m.rand);
                emit_lv(out, &m.autn);
            }
            Self::AuthenticationResponse(m) => emit_lv(out, &m.res),
            Self::AuthenticationFailure(m) => {
                out.push(m.cause);
                m.ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::AuthenticationReject | Self::DetachAccept => {}
            Self::SecurityModeCommand(m) => {
                out.push(((m.ciphering & 0x07) << 4) | (m.integrity & 0x07));
                out.push(m.nas_ksi.nibble());
                emit_lv(out, &m.replayed_ue_security_capabilities.to_vec());
                m.ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::SecurityModeComplete(m) => m.ies.iter().for_each(|ie| ie.emit(out)),
            Self::SecurityModeReject { cause } | Self::EmmStatus { cause } => out.push(*cause),
            Self::IdentityRequest(m) => out.push(m.identity_type & 0x07),
            Self::IdentityResponse(m) => emit_lv(out, &m.identity.to_vec()),
            Self::EmmInformation { ies } => ies.iter().for_each(|ie| ie.emit(out)),
            Self::DetachRequestUe(m) => {
                out.push((m.nas_ksi.nibble() << 4) | (m.detach_type & 0x0f));
                emit_lv(out, &m.identity.to_vec());
            }
            Self::DetachRequestNetwork(m) => {
                out.push(m.detach_type & 0x0f);
                m.ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::DownlinkNasTransport { container } | Self::UplinkNasTransport { container } => {
                emit_lv(out, container)
            }
            Self::TrackingAreaUpdateRequest {
                update_type,
                nas_ksi,
                old_guti,
                ies,
            } => {
                out.push((nas_ksi.nibble() << 4) | (update_type & 0x0f));
                emit_lv(out, &old_guti.to_vec());
                ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::TrackingAreaUpdateAccept { update_result, ies } => {
                out.push(update_result & 0x0f);
                ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::TrackingAreaUpdateComplete => {}
            Self::TrackingAreaUpdateReject { cause, ies } | Self::ServiceReject { cause, ies } => {
                out.push(*cause);
                ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::ControlPlaneServiceRequest {
                service_type,
                nas_ksi,
                ies,
            } => {
                out.push((nas_ksi.nibble() << 4) | (service_type & 0x0f));
                ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::DownlinkGenericNasTransport {
                container_type,
                container,
                ies,
            }
            | Self::UplinkGenericNasTransport {
                container_type,
                container,
                ies,
            } => {
                out.push(*container_type);
                emit_lve(out, container);
                ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::GutiReallocationCommand(m) => {
                emit_lv(out, &m.guti.to_vec());
                m.ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::GutiReallocationComplete => {}
            Self::ExtendedServiceRequest(m) => {
                out.push((m.nas_ksi.nibble() << 4) | (m.service_type & 0x0f));
                emit_lv(out, &m.m_tmsi.to_vec());
                m.ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::ServiceAccept { ies } => ies.iter().for_each(|ie| ie.emit(out)),
            Self::CsServiceNotification(m) => {
                out.push(m.paging_identity & 0x01);
                m.ies.iter().for_each(|ie| ie.emit(out));
            }
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }
}
