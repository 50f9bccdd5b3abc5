//! 5GS registration with 5G AKA, security mode control and PDU session establishment,
//! mobility and periodic registration update, service request and paging: a UE 5GMM/5GSM
//! entity and a minimal AMF + AUSF + UDM peer for the simulator (sans-IO).
//!
//! UE side: TS 24.501 §5.5.1.2 (initial registration, T3510), §5.5.1.3 (mobility and periodic
//! registration update, T3512), §5.6.1 (service request, T3517), §5.4.1.3 (5G AKA), §5.4.2
//! (security mode control), §6.4.1 (UE-requested PDU session establishment); timer values per
//! access ([`crate::timers`]: satellite NG-RAN for NR NTN). Network side: TS 33.501 §6.1.3.2
//! (5G AKA: XRES*, HXRES*, KAUSF, KSEAF, KAMF), §6.7.2 (NAS SMC); any number of UEs on
//! caller-named connections, with the same surface as the MME ([`Amf::handle_initial_ue_message`],
//! [`Amf::handle_uplink_nas`], [`Amf::poll_transmit`]` -> (ue, pdu)`, [`Amf::poll_timeout`]).

use std::collections::{BTreeMap, VecDeque};

use ntn_security::kdf::{fivegs as kdf5g, kdf};
use ntn_security::milenage::Milenage;
use ntn_security::{CipheringAlgorithmId, Direction, IntegrityAlgorithmId, Key128, Key256};
use ntn_types::{Duration, Instant};

use super::mm::{
    AuthenticationRequest, FgmmMessage, RegistrationAccept, RegistrationRequest,
    SecurityModeCommand, cause,
};
use super::{FgsmBody, FgsmMessage, Guti5g, MobileIdentity5gs, NasMessage5g, Suci};
use crate::SendError;
use crate::connections::Connections;
use crate::eps::SecurityHeaderType;
use crate::eps::mme::UeId;
use crate::eps::security::{NasSecurityContext, Role};
use crate::eps::usim::{AuthReject, Usim};
use crate::ie::{Ie, IeFormat, NasKsi, find_ie, tai_list_contains};
use crate::retransmit::{Expiry, Retransmit};
use crate::timers::{FgmmTimers, NasAccess, gprs_timer3};

/// PLMN identity octets (NAS order) from MCC and MNC digit strings; `None` if malformed.
fn plmn_octets(mcc: &str, mnc: &str) -> Option<[u8; 3]> {
    ntn_security::kdf::PlmnId::from_digits(mcc, mnc).map(|p| p.0)
}

fn bcd(digits: &str) -> Vec<u8> {
    let d: Vec<u8> = digits
        .bytes()
        .map(|c| c.wrapping_sub(b'0') & 0x0f)
        .collect();
    d.chunks(2)
        .map(|p| (p.get(1).copied().unwrap_or(0x0f) << 4) | p[0])
        .collect()
}

fn unbcd(b: &[u8]) -> String {
    let mut s = String::new();
    for x in b {
        for n in [x & 0x0f, x >> 4] {
            if n <= 9 {
                s.push(char::from(b'0' + n));
            }
        }
    }
    s
}

/// SUPI (IMSI digits) from a null-scheme SUCI (TS 33.501 §6.12.2, Annex C.2).
pub fn supi_from_null_suci(s: &Suci) -> Option<String> {
    if s.protection_scheme != 0 || s.supi_format != 0 {
        return None;
    }
    let p = s.plmn;
    let mut supi = String::new();
    for n in [
        p[0] & 0x0f,
        p[0] >> 4,
        p[1] & 0x0f,
        p[2] & 0x0f,
        p[2] >> 4,
        p[1] >> 4,
    ] {
        if n <= 9 {
            supi.push(char::from(b'0' + n));
        }
    }
    supi.push_str(&unbcd(&s.scheme_output));
    Some(supi)
}

/// UE configuration.
#[derive(Clone, Debug)]
pub struct UeNas5gConfig {
    /// Home and serving PLMN MCC digits.
    pub mcc: String,
    /// MNC digits (2 or 3).
    pub mnc: String,
    /// UE security capability value octets (5G-EA, 5G-IA).
    pub ue_security_capability: Vec<u8>,
    /// DNN for the PDU session, dotted.
    pub dnn: String,
    /// The access at start (the stack updates it with [`UeNas5g::set_access`]).
    pub access: NasAccess,
    /// Timer values to use instead of [`FgmmTimers::for_access`], if set.
    pub timers: Option<FgmmTimers>,
}

impl Default for UeNas5gConfig {
    fn default() -> Self {
        Self {
            mcc: "001".into(),
            mnc: "01".into(),
            ue_security_capability: vec![0xf0, 0x70],
            dnn: "internet".into(),
            access: NasAccess::Terrestrial,
            timers: None,
        }
    }
}

/// UE events.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum UeEvent5g {
    /// 5G AKA succeeded on the UE side.
    Authenticated,
    /// The USIM rejected the challenge; the failure was sent.
    AuthenticationFailed {
        /// 5GMM cause sent.
        cause: u8,
    },
    /// NAS security active.
    SecurityActivated,
    /// Registered with this 5G-GUTI.
    Registered {
        /// Assigned 5G-GUTI.
        guti: Option<MobileIdentity5gs>,
    },
    /// A mobility (2) or periodic (3) registration update was accepted.
    RegistrationUpdated {
        /// 5GS registration type value sent.
        registration_type: u8,
        /// New 5G-GUTI, if assigned.
        guti: Option<Guti5g>,
    },
    /// SERVICE ACCEPT received.
    ServiceAccepted,
    /// SERVICE REJECT received or T3517 expired (`cause` `None`).
    ServiceRequestFailed {
        /// 5GMM cause.
        cause: Option<u8>,
    },
    /// PDU session established.
    PduSessionEstablished {
        /// PDU session ID.
        id: u8,
        /// IPv4 address, if any.
        ipv4: Option<[u8; 4]>,
    },
    /// A message was not sent: it does not encode, or the NAS COUNT is exhausted (a new
    /// KAMF is needed before it wraps; nothing is sent unprotected instead).
    NotSent(SendError),
}

/// 5GS registration type values (TS 24.501 §9.11.3.7), 3 bits.
pub mod registration_type {
    #![allow(missing_docs)]
    pub const INITIAL: u8 = 1;
    pub const MOBILITY_UPDATING: u8 = 2;
    pub const PERIODIC_UPDATING: u8 = 3;
}

/// The UE 5GMM/5GSM entity.
#[derive(Debug)]
pub struct UeNas5g {
    config: UeNas5gConfig,
    usim: Usim,
    pending_kamf: Option<(NasKsi, Key256)>,
    security: Option<NasSecurityContext>,
    registered: bool,
    access: NasAccess,
    /// Registration type of the registration in progress, if any.
    registering: Option<u8>,
    connected: bool,
    guti: Option<Guti5g>,
    tai_list: Vec<u8>,
    t3512_value: Option<Duration>,
    current_tai: Option<[u8; 6]>,
    t3510: Option<Instant>,
    t3512: Option<Instant>,
    t3517: Option<Instant>,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<UeEvent5g>,
    dropped: u64,
}

impl UeNas5g {
    /// A deregistered UE.
    pub fn new(config: UeNas5gConfig, usim: Usim) -> Self {
        let access = config.access;
        Self {
            config,
            usim,
            pending_kamf: None,
            security: None,
            registered: false,
            access,
            registering: None,
            connected: false,
            guti: None,
            tai_list: vec![],
            t3512_value: None,
            current_tai: None,
            t3510: None,
            t3512: None,
            t3517: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            dropped: 0,
        }
    }

    /// Next PDU to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<UeEvent5g> {
        self.events.pop_front()
    }

    /// Next deadline (T3510, T3512, T3517).
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.t3510, self.t3512, self.t3517]
            .into_iter()
            .flatten()
            .min()
    }

    /// Dropped PDUs.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Registered?
    pub fn is_registered(&self) -> bool {
        self.registered
    }

    /// Whether a NAS signalling connection exists (5GMM-CONNECTED).
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The 5G-GUTI assigned by the network.
    pub fn guti(&self) -> Option<Guti5g> {
        self.guti
    }

    /// The timer values in use now (per access, or the configured override).
    pub fn timers(&self) -> FgmmTimers {
        self.config
            .timers
            .unwrap_or_else(|| FgmmTimers::for_access(self.access))
    }

    /// The stack reports the access (terrestrial or satellite NG-RAN); procedures started from
    /// now on use its timer values.
    pub fn set_access(&mut self, access: NasAccess) {
        self.access = access;
    }

    fn snn(&self) -> String {
        kdf5g::serving_network_name(&self.config.mcc, &self.config.mnc)
    }

    /// Protects (unless plain) and queues; a message that does not encode or cannot be
    /// protected is reported as [`UeEvent5g::NotSent`], never sent unprotected.
    fn send(&mut self, m: NasMessage5g, h: SecurityHeaderType) -> bool {
        let plain = match m.to_vec() {
            Ok(p) => p,
            Err(e) => return self.not_sent(e.into()),
        };
        let pdu = match self.security.as_mut() {
            Some(c) if h != SecurityHeaderType::Plain => match c.protect(&plain, h) {
                Ok(pdu) => pdu,
                Err(e) => return self.not_sent(e.into()),
            },
            _ => plain,
        };
        self.transmit.push_back(pdu);
        true
    }

    /// Reports a message not sent; always `false`.
    fn not_sent(&mut self, e: SendError) -> bool {
        self.events.push_back(UeEvent5g::NotSent(e));
        false
    }

    /// Starts initial registration with a null-scheme SUCI.
    pub fn handle_register(&mut self, now: Instant) {
        let plmn = plmn_octets(&self.config.mcc, &self.config.mnc).unwrap_or([0; 3]);
        let msin = self
            .usim
            .imsi
            .get(self.config.mcc.len() + self.config.mnc.len()..)
            .unwrap_or("");
        let suci = Suci {
            scheme_output: bcd(msin),
            ..Suci::null_scheme(plmn, [0xf0, 0xff], "")
        };
        let mut req = RegistrationRequest {
            registration_type: 0x08 | registration_type::INITIAL,
            ng_ksi: NasKsi::NO_KEY,
            identity: MobileIdentity5gs::Suci(suci),
            ies: vec![],
        };
        req.set_ue_security_capability(&self.config.ue_security_capability);
        self.send(
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(req)),
            SecurityHeaderType::IntegrityProtected,
        );
        self.registering = Some(registration_type::INITIAL);
        self.connected = true;
        self.t3510 = now.checked_add(self.timers().t3510);
    }

    /// Mobility (2) or periodic (3) registration update (§5.5.1.3.2): REGISTRATION REQUEST
    /// with the 5G-GUTI, integrity protected, T3510.
    fn send_registration_update(&mut self, now: Instant, kind: u8) {
        let (Some(g), Some(ksi)) = (self.guti, self.security.as_ref().map(|c| c.ksi)) else {
            return;
        };
        let mut req = RegistrationRequest {
            registration_type: kind,
            ng_ksi: ksi,
            identity: MobileIdentity5gs::Guti(g),
            ies: vec![],
        };
        req.set_ue_security_capability(&self.config.ue_security_capability);
        self.send(
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(req)),
            SecurityHeaderType::IntegrityProtected,
        );
        self.registering = Some(kind);
        self.connected = true;
        self.t3512 = None;
        self.t3510 = now.checked_add(self.timers().t3510);
    }

    /// The lower layers released the connection: 5GMM-IDLE, T3512 starts (§5.3.7).
    pub fn handle_connection_released(&mut self, now: Instant) {
        self.connected = false;
        if self.registered
            && self.registering.is_none()
            && let Some(v) = self.t3512_value
        {
            self.t3512 = now.checked_add(v);
        }
    }

    /// The serving cell's TAI (PLMN + 24-bit TAC): outside the TAI list, a mobility
    /// registration update starts (§5.5.1.3.2 a).
    pub fn handle_tracking_area(&mut self, now: Instant, plmn: [u8; 3], tac: u32) {
        let mut tai = [0u8; 6];
        tai[..3].copy_from_slice(&plmn);
        tai[3..].copy_from_slice(&tac.to_be_bytes()[1..]);
        self.current_tai = Some(tai);
        if self.registered && self.registering.is_none() && !tai_list_contains(&self.tai_list, &tai)
        {
            self.send_registration_update(now, registration_type::MOBILITY_UPDATING);
        }
    }

    /// Paging for this UE: when idle and registered, SERVICE REQUEST with service type
    /// "mobile terminated services" (§5.6.1.2).
    pub fn handle_paging(&mut self, now: Instant) {
        if self.registered && !self.connected {
            self.send_service_request(now, 2);
        }
    }

    /// A UE-initiated service request from idle (service type 1: data).
    pub fn handle_service_request(&mut self, now: Instant) -> bool {
        if !self.registered || self.connected {
            return false;
        }
        self.send_service_request(now, 1);
        true
    }

    fn send_service_request(&mut self, now: Instant, service_type: u8) {
        let (Some(g), Some(ksi)) = (self.guti, self.security.as_ref().map(|c| c.ksi)) else {
            return;
        };
        let m = FgmmMessage::ServiceRequest {
            service_type,
            ng_ksi: ksi,
            s_tmsi: MobileIdentity5gs::STmsi {
                amf_set_id: g.amf_set_id,
                amf_pointer: g.amf_pointer,
                tmsi: g.tmsi,
            },
            ies: vec![],
        };
        self.send(NasMessage5g::Mm(m), SecurityHeaderType::IntegrityProtected);
        self.connected = true;
        self.t3512 = None;
        self.t3517 = now.checked_add(self.timers().t3517);
    }

    /// Requests a PDU session (IPv4) over UL NAS TRANSPORT.
    pub fn handle_establish_pdu_session(&mut self, _now: Instant, id: u8) -> bool {
        if !self.registered {
            return false;
        }
        let est = FgsmMessage {
            pdu_session_id: id,
            pti: 1,
            body: FgsmBody::PduSessionEstablishmentRequest {
                max_integrity_rate: [0xff, 0xff],
                ies: vec![Ie {
                    iei: 0x90,
                    format: IeFormat::HalfTv,
                    value: vec![1],
                }],
            },
        };
        let dnn = crate::ie::Apn::from_dotted(&self.config.dnn).0;
        let payload = match est.to_vec() {
            Ok(p) => p,
            Err(e) => return self.not_sent(e.into()),
        };
        let ul = FgmmMessage::UlNasTransport {
            payload_type: 1,
            payload,
            ies: vec![
                Ie {
                    iei: 0x12,
                    format: IeFormat::Tv(1),
                    value: vec![id],
                },
                Ie {
                    iei: 0x80,
                    format: IeFormat::HalfTv,
                    value: vec![1],
                },
                Ie {
                    iei: 0x25,
                    format: IeFormat::Tlv,
                    value: dnn,
                },
            ],
        };
        self.send(
            NasMessage5g::Mm(ul),
            SecurityHeaderType::IntegrityProtectedCiphered,
        )
    }

    /// Timer expiries: T3510 restarts the registration in progress; T3512 starts a periodic
    /// registration update; T3517 aborts the service request.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.t3510.is_some_and(|t| now >= t) {
            self.t3510 = None;
            match self.registering {
                Some(k) if self.registered => self.send_registration_update(now, k),
                _ => self.handle_register(now),
            }
        }
        if self.t3512.is_some_and(|t| now >= t) {
            self.t3512 = None;
            if self.registered && !self.connected {
                self.send_registration_update(now, registration_type::PERIODIC_UPDATING);
            }
        }
        if self.t3517.is_some_and(|t| now >= t) {
            self.t3517 = None;
            self.connected = false;
            self.events
                .push_back(UeEvent5g::ServiceRequestFailed { cause: None });
        }
    }

    /// A PDU from the network.
    pub fn handle_pdu(&mut self, _now: Instant, pdu: &[u8]) {
        let Ok(m) = NasMessage5g::parse(pdu, Direction::Downlink) else {
            self.dropped += 1;
            return;
        };
        let m = match m {
            NasMessage5g::Protected(p) if p.header_type == 3 => {
                return self.handle_smc(pdu, &p.payload);
            }
            NasMessage5g::Protected(_) => match self
                .security
                .as_mut()
                .and_then(|c| c.unprotect_parse(pdu, |b, d| NasMessage5g::parse(b, d).ok()))
            {
                Some(m) => m,
                None => {
                    self.dropped += 1;
                    return;
                }
            },
            m => {
                let allowed = matches!(
                    m,
                    NasMessage5g::Mm(
                        FgmmMessage::AuthenticationRequest(_)
                            | FgmmMessage::AuthenticationReject { .. }
                            | FgmmMessage::RegistrationReject { .. }
                            | FgmmMessage::ServiceReject { .. }
                    )
                );
                if self.security.is_some() && !allowed {
                    self.dropped += 1;
                    return;
                }
                m
            }
        };
        match m {
            NasMessage5g::Mm(FgmmMessage::AuthenticationRequest(a)) => self.handle_auth(&a),
            NasMessage5g::Mm(FgmmMessage::RegistrationAccept(acc))
                if self.registering.is_some() =>
            {
                self.t3510 = None;
                let kind = self
                    .registering
                    .take()
                    .unwrap_or(registration_type::INITIAL);
                let guti = acc.guti().and_then(Result::ok);
                let new_guti = match &guti {
                    Some(MobileIdentity5gs::Guti(g)) => Some(*g),
                    _ => None,
                };
                if let Some(g) = new_guti {
                    self.guti = Some(g);
                }
                if let Some(t) = find_ie(&acc.ies, 0x54) {
                    self.tai_list = t.value.clone();
                }
                if let Some(v) = find_ie(&acc.ies, 0x5e).and_then(|ie| ie.value.first()) {
                    self.t3512_value = gprs_timer3(*v);
                }
                if kind == registration_type::INITIAL || new_guti.is_some() {
                    self.send(
                        NasMessage5g::Mm(FgmmMessage::RegistrationComplete { ies: vec![] }),
                        SecurityHeaderType::IntegrityProtectedCiphered,
                    );
                }
                if kind == registration_type::INITIAL {
                    self.registered = true;
                    self.events.push_back(UeEvent5g::Registered { guti });
                } else {
                    self.events.push_back(UeEvent5g::RegistrationUpdated {
                        registration_type: kind,
                        guti: new_guti,
                    });
                }
            }
            NasMessage5g::Mm(FgmmMessage::ServiceAccept { .. }) if self.t3517.is_some() => {
                self.t3517 = None;
                self.events.push_back(UeEvent5g::ServiceAccepted);
            }
            NasMessage5g::Mm(FgmmMessage::ServiceReject { cause, .. }) if self.t3517.is_some() => {
                self.t3517 = None;
                self.connected = false;
                self.events
                    .push_back(UeEvent5g::ServiceRequestFailed { cause: Some(cause) });
            }
            NasMessage5g::Mm(FgmmMessage::DlNasTransport {
                payload_type: 1,
                payload,
                ..
            }) => {
                if let Ok(FgsmMessage {
                    pdu_session_id,
                    body: FgsmBody::PduSessionEstablishmentAccept { ies, .. },
                    ..
                }) = FgsmMessage::parse(&payload)
                {
                    let ipv4 =
                        ies.iter()
                            .find(|i| i.iei == 0x29)
                            .and_then(|i| match i.value.as_slice() {
                                [1, a, b, c, d] => Some([*a, *b, *c, *d]),
                                _ => None,
                            });
                    self.events.push_back(UeEvent5g::PduSessionEstablished {
                        id: pdu_session_id,
                        ipv4,
                    });
                } else {
                    self.dropped += 1;
                }
            }
            _ => self.dropped += 1,
        }
    }

    fn handle_auth(&mut self, a: &AuthenticationRequest) {
        let (Some(rand), Some(autn)) = (a.rand(), a.autn()) else {
            self.dropped += 1;
            return;
        };
        match self.usim.authenticate(&rand, &autn) {
            Ok(r) => {
                let snn = self.snn();
                let res_star = kdf5g::res_star(&r.ck, &r.ik, snn.as_bytes(), &rand, &r.res);
                let kausf = kdf5g::kausf(&r.ck, &r.ik, snn.as_bytes(), &r.sqn_xor_ak);
                let kseaf = kdf5g::kseaf(&kausf, snn.as_bytes());
                let kamf = kdf5g::kamf(&kseaf, self.usim.imsi.as_bytes(), &a.abba);
                self.pending_kamf = Some((a.ng_ksi, kamf));
                self.events.push_back(UeEvent5g::Authenticated);
                let rsp = FgmmMessage::AuthenticationResponse {
                    ies: vec![Ie {
                        iei: 0x2d,
                        format: IeFormat::Tlv,
                        value: res_star.to_vec(),
                    }],
                };
                self.send(
                    NasMessage5g::Mm(rsp),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
            }
            Err(e) => {
                let (c, ies) = match e {
                    AuthReject::SynchFailure { auts } => (
                        cause::SYNCH_FAILURE,
                        vec![Ie {
                            iei: 0x30,
                            format: IeFormat::Tlv,
                            value: auts.to_vec(),
                        }],
                    ),
                    _ => (cause::MAC_FAILURE, vec![]),
                };
                self.events
                    .push_back(UeEvent5g::AuthenticationFailed { cause: c });
                self.send(
                    NasMessage5g::Mm(FgmmMessage::AuthenticationFailure { cause: c, ies }),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
            }
        }
    }

    fn handle_smc(&mut self, pdu: &[u8], inner: &[u8]) {
        let Some((ksi, kamf)) = self.pending_kamf else {
            self.dropped += 1;
            return;
        };
        let Ok(NasMessage5g::Mm(FgmmMessage::SecurityModeCommand(smc))) =
            NasMessage5g::parse(inner, Direction::Downlink)
        else {
            self.dropped += 1;
            return;
        };
        let (Some(c), Some(i)) = (
            CipheringAlgorithmId::from_code(smc.ciphering),
            IntegrityAlgorithmId::from_code(smc.integrity),
        ) else {
            self.dropped += 1;
            return;
        };
        let mut ctx = NasSecurityContext::new_5gs(Role::Ue, ksi, &kamf, c, i);
        if ctx.unprotect(pdu).is_err() {
            self.dropped += 1;
            return;
        }
        if smc.replayed_ue_security_capabilities != self.config.ue_security_capability {
            self.send(
                NasMessage5g::Mm(FgmmMessage::SecurityModeReject {
                    cause: cause::UE_SECURITY_CAPABILITIES_MISMATCH,
                }),
                SecurityHeaderType::Plain,
            );
            return;
        }
        self.security = Some(ctx);
        self.pending_kamf = None;
        self.events.push_back(UeEvent5g::SecurityActivated);
        self.send(
            NasMessage5g::Mm(FgmmMessage::SecurityModeComplete { ies: vec![] }),
            SecurityHeaderType::IntegrityProtectedCipheredNewContext,
        );
    }
}

/// A subscriber in the UDM.
#[derive(Clone, Debug)]
pub struct Subscriber5g {
    /// K.
    pub k: Key128,
    /// OPc.
    pub opc: Key128,
    /// SQN_HE.
    pub sqn: u64,
    /// IPv4 address for PDU sessions.
    pub ipv4: [u8; 4],
}

/// AMF events.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum AmfEvent {
    /// SQN resynchronised from AUTS.
    Resynchronised {
        /// SQN_MS.
        sqn_ms: u64,
    },
    /// The UE completed registration.
    Registered {
        /// SUPI.
        supi: String,
    },
    /// A mobility or periodic registration update was accepted.
    RegistrationUpdated {
        /// SUPI.
        supi: String,
        /// 5GS registration type value (2 mobility, 3 periodic).
        registration_type: u8,
    },
    /// A SERVICE REQUEST was accepted: the UE is connected on `ue`.
    ServiceAccepted {
        /// SUPI.
        supi: String,
        /// Connection.
        ue: UeId,
    },
    /// The RAN must page this idle UE by its 5G-S-TMSI.
    Paging {
        /// SUPI (bookkeeping).
        supi: String,
        /// 5G-TMSI.
        tmsi: u32,
    },
    /// A PDU session was established.
    PduSessionEstablished {
        /// PDU session ID.
        id: u8,
    },
    /// Authentication failed (RES* / HRES* mismatch or MAC failure).
    AuthenticationRejected,
    /// A network procedure was abandoned after its last retransmission.
    ProcedureAbandoned {
        /// SUPI.
        supi: String,
    },
    /// A message to the UE was not sent: it does not encode, or its NAS COUNT is exhausted
    /// (re-authenticate before it wraps; nothing is sent unprotected instead).
    NotSent {
        /// SUPI, when known.
        supi: Option<String>,
        /// Why.
        error: SendError,
    },
}

#[derive(Debug, Default)]
struct Ctx {
    caps: Vec<u8>,
    rand: [u8; 16],
    xres_star: [u8; 16],
    hxres_star: [u8; 16],
    kamf: Key256,
    ksi: NasKsi,
    security: Option<NasSecurityContext>,
    guti: Option<Guti5g>,
    registered: bool,
    retransmit: Option<Retransmit>,
}

/// A minimal AMF with AUSF and UDM, for any number of UEs.
#[derive(Debug)]
pub struct Amf {
    mcc: String,
    mnc: String,
    udm: BTreeMap<String, Subscriber5g>,
    rand_counter: u32,
    next_tmsi: u32,
    ues: BTreeMap<String, Ctx>,
    connections: Connections,
    transmit: VecDeque<(UeId, Vec<u8>)>,
    events: VecDeque<AmfEvent>,
    dropped: u64,
    /// TACs of the registration area (24-bit), in the serving PLMN.
    pub tai_list: Vec<u32>,
    /// T3512 sent in REGISTRATION ACCEPT, GPRS timer 3 octet; 0x06 = 1 h.
    pub t3512: u8,
    /// T3550 (REGISTRATION ACCEPT with a new 5G-GUTI) and T3560 (AUTHENTICATION REQUEST,
    /// SECURITY MODE COMMAND): 6 s (TS 24.501 table 10.2.2).
    pub t3550: Duration,
    /// T3560.
    pub t3560: Duration,
    /// Retransmissions before a procedure is abandoned (4).
    pub max_retransmissions: u8,
}

impl Amf {
    /// An AMF for the PLMN `mcc`/`mnc`.
    pub fn new(mcc: &str, mnc: &str) -> Self {
        Self {
            mcc: mcc.into(),
            mnc: mnc.into(),
            udm: BTreeMap::new(),
            rand_counter: 0,
            next_tmsi: 0x5a5a_0001,
            ues: BTreeMap::new(),
            connections: Connections::default(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            dropped: 0,
            tai_list: vec![1],
            t3512: 0x06,
            t3550: Duration::from_secs(6),
            t3560: Duration::from_secs(6),
            max_retransmissions: 4,
        }
    }

    /// Adds a subscriber by SUPI (IMSI digits).
    pub fn add_subscriber(&mut self, supi: &str, s: Subscriber5g) {
        self.udm.insert(supi.into(), s);
    }

    /// Next downlink PDU and the connection it goes on.
    pub fn poll_transmit(&mut self) -> Option<(UeId, Vec<u8>)> {
        self.transmit.pop_front()
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<AmfEvent> {
        self.events.pop_front()
    }

    /// Dropped PDUs.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The 5G-GUTI of a UE.
    pub fn guti(&self, supi: &str) -> Option<Guti5g> {
        self.ues.get(supi).and_then(|c| c.guti)
    }

    /// Whether the UE has a signalling connection.
    pub fn is_connected(&self, supi: &str) -> bool {
        self.ues.contains_key(supi) && self.connections.connection(supi).is_some()
    }

    /// The earliest T3550/T3560 deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.ues
            .values()
            .filter_map(|c| c.retransmit.as_ref().map(|r| r.at))
            .min()
    }

    /// T3550/T3560 expiries: resend, or abandon after the last retransmission.
    pub fn handle_timeout(&mut self, now: Instant) {
        let max = self.max_retransmissions;
        for (supi, c) in self.ues.iter_mut() {
            if let Some(r) = c.retransmit.as_mut()
                && now >= r.at
            {
                match (r.expire(now, max), self.connections.connection(supi)) {
                    (Expiry::Resend(pdu), Some(conn)) => self.transmit.push_back((conn, pdu)),
                    _ => {
                        c.retransmit = None;
                        self.events
                            .push_back(AmfEvent::ProcedureAbandoned { supi: supi.clone() });
                    }
                }
            }
        }
    }

    /// The RAN released the connection.
    pub fn handle_connection_released(&mut self, _now: Instant, ue: UeId) {
        if let Some(supi) = self.connections.release(ue)
            && let Some(c) = self.ues.get_mut(&supi)
        {
            c.retransmit = None;
        }
    }

    /// Network-triggered service request: asks the RAN to page an idle registered UE.
    pub fn handle_page(&mut self, _now: Instant, supi: &str) -> bool {
        let Some(c) = self.ues.get(supi) else {
            return false;
        };
        match (c.registered, self.connections.connection(supi), c.guti) {
            (true, None, Some(g)) => {
                self.events.push_back(AmfEvent::Paging {
                    supi: supi.into(),
                    tmsi: g.tmsi,
                });
                true
            }
            _ => false,
        }
    }

    /// The first NAS PDU of a new connection; `s_tmsi` = the 5G-TMSI the UE gave the RAN.
    pub fn handle_initial_ue_message(
        &mut self,
        now: Instant,
        ue: UeId,
        s_tmsi: Option<u32>,
        pdu: &[u8],
    ) {
        if let Some(supi) = s_tmsi.and_then(|t| self.supi_by_tmsi(t)) {
            self.connections.bind(ue, &supi);
        }
        self.handle_uplink_nas(now, ue, pdu);
    }

    /// An uplink NAS PDU on connection `ue`.
    pub fn handle_uplink_nas(&mut self, now: Instant, ue: UeId, pdu: &[u8]) {
        let Ok(m) = NasMessage5g::parse(pdu, Direction::Uplink) else {
            self.dropped += 1;
            return;
        };
        if let Some(supi) = self.identify(&m) {
            self.connections.bind(ue, &supi);
        }
        let Some(supi) = self.connections.subscriber(ue).map(str::to_string) else {
            if let NasMessage5g::Mm(FgmmMessage::RegistrationRequest(_)) = m {
                // Unknown subscriber: 5GMM cause #7 "5GS services not allowed".
                let rej = FgmmMessage::RegistrationReject {
                    cause: 7,
                    ies: vec![],
                };
                match NasMessage5g::Mm(rej).to_vec() {
                    Ok(pdu) => self.transmit.push_back((ue, pdu)),
                    Err(e) => self.not_sent(None, e.into()),
                }
            } else {
                self.dropped += 1;
            }
            return;
        };
        let m = match m {
            NasMessage5g::Protected(_) => match self
                .ues
                .get_mut(&supi)
                .and_then(|c| c.security.as_mut())
                .and_then(|c| c.unprotect_parse(pdu, |b, d| NasMessage5g::parse(b, d).ok()))
            {
                Some(m) => m,
                None => {
                    // An initial REGISTRATION REQUEST protected with a context the AMF does
                    // not have: only its plain form counts (not modelled).
                    self.dropped += 1;
                    return;
                }
            },
            m => m,
        };
        self.handle_message(now, ue, &supi, m);
    }

    fn supi_by_tmsi(&self, tmsi: u32) -> Option<String> {
        self.ues
            .iter()
            .find(|(_, c)| c.guti.is_some_and(|g| g.tmsi == tmsi))
            .map(|(s, _)| s.clone())
    }

    /// The SUPI an initial message names (SUCI, 5G-GUTI or 5G-S-TMSI, read in the cleartext
    /// of an integrity-protected message; the MAC is checked next with the context found).
    fn identify(&self, m: &NasMessage5g) -> Option<String> {
        let inner;
        let m = match m {
            NasMessage5g::Protected(p) if p.header_type == 1 => {
                inner = NasMessage5g::parse(&p.payload, Direction::Uplink).ok()?;
                &inner
            }
            NasMessage5g::Protected(_) => return None,
            m => m,
        };
        let id = match m {
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(r)) => &r.identity,
            NasMessage5g::Mm(FgmmMessage::ServiceRequest { s_tmsi, .. }) => s_tmsi,
            _ => return None,
        };
        match id {
            MobileIdentity5gs::Suci(s) => {
                supi_from_null_suci(s).filter(|s| self.udm.contains_key(s))
            }
            MobileIdentity5gs::Guti(g) => self.supi_by_tmsi(g.tmsi),
            MobileIdentity5gs::STmsi { tmsi, .. } => self.supi_by_tmsi(*tmsi),
            _ => None,
        }
    }

    fn new_guti(&mut self) -> Guti5g {
        let plmn = plmn_octets(&self.mcc, &self.mnc).unwrap_or([0; 3]);
        let g = Guti5g {
            plmn,
            amf_region_id: 1,
            amf_set_id: 1,
            amf_pointer: 1,
            tmsi: self.next_tmsi,
        };
        self.next_tmsi = self.next_tmsi.wrapping_add(1);
        g
    }

    /// TAI list value (TS 24.501 §9.11.3.9), partial list type 00.
    fn tai_list_value(&self) -> Vec<u8> {
        let plmn = plmn_octets(&self.mcc, &self.mnc).unwrap_or([0; 3]);
        let tacs: Vec<u32> = if self.tai_list.is_empty() {
            vec![1]
        } else {
            self.tai_list.iter().take(16).copied().collect()
        };
        let mut v = vec![(tacs.len() - 1) as u8];
        v.extend_from_slice(&plmn);
        for t in tacs {
            v.extend_from_slice(&t.to_be_bytes()[1..]);
        }
        v
    }

    /// Protects (with the UE's context, unless plain) and queues; `timer` starts
    /// T3550/T3560 for this PDU.
    fn send(
        &mut self,
        now: Instant,
        ue: UeId,
        supi: &str,
        m: NasMessage5g,
        h: SecurityHeaderType,
        timer: Option<Duration>,
    ) {
        let plain = match m.to_vec() {
            Ok(p) => p,
            Err(e) => return self.not_sent(Some(supi), e.into()),
        };
        let pdu = match self.ues.get_mut(supi) {
            Some(c) => {
                let pdu = match c.security.as_mut() {
                    Some(s) if h != SecurityHeaderType::Plain => match s.protect(&plain, h) {
                        Ok(pdu) => pdu,
                        Err(e) => return self.not_sent(Some(supi), e.into()),
                    },
                    _ => plain,
                };
                c.retransmit = timer.map(|p| Retransmit::start(now, p, pdu.clone()));
                pdu
            }
            None => plain,
        };
        self.transmit.push_back((ue, pdu));
    }

    fn not_sent(&mut self, supi: Option<&str>, error: SendError) {
        self.events.push_back(AmfEvent::NotSent {
            supi: supi.map(str::to_string),
            error,
        });
    }

    /// UDM/AUSF: a 5G HE AV and the SEAF challenge (TS 33.501 §6.1.3.2.0).
    fn challenge(&mut self, now: Instant, ue: UeId, supi: &str) {
        let snn = kdf5g::serving_network_name(&self.mcc, &self.mnc);
        let (Some(c), Some(sub)) = (self.ues.get_mut(supi), self.udm.get_mut(supi)) else {
            return;
        };
        self.rand_counter += 1;
        let mut rand = [0u8; 16];
        rand.copy_from_slice(&kdf(&[0x77; 32], 0xff, &[&self.rand_counter.to_be_bytes()])[..16]);
        let sqn = crate::eps::usim::sqn_to_bytes(sub.sqn);
        sub.sqn += 32;
        let (autn, o) = Milenage::new(&sub.k, &sub.opc).generate_autn(&rand, &sqn, &[0x80, 0x00]);
        let mut sqn_ak = [0u8; 6];
        sqn_ak.copy_from_slice(&autn[..6]);
        c.rand = rand;
        c.xres_star = kdf5g::res_star(&o.ck, &o.ik, snn.as_bytes(), &rand, &o.res);
        c.hxres_star = kdf5g::hres_star(&rand, &c.xres_star);
        let kausf = kdf5g::kausf(&o.ck, &o.ik, snn.as_bytes(), &sqn_ak);
        let kseaf = kdf5g::kseaf(&kausf, snn.as_bytes());
        c.kamf = kdf5g::kamf(&kseaf, supi.as_bytes(), &[0, 0]);
        c.ksi = NasKsi {
            mapped: false,
            ksi: (self.rand_counter % 7) as u8,
        };
        let req = AuthenticationRequest::five_g_aka(c.ksi, &[0, 0], rand, autn);
        let t3560 = self.t3560;
        self.send(
            now,
            ue,
            supi,
            NasMessage5g::Mm(FgmmMessage::AuthenticationRequest(req)),
            SecurityHeaderType::Plain,
            Some(t3560),
        );
    }

    fn handle_message(&mut self, now: Instant, ue: UeId, supi: &str, m: NasMessage5g) {
        let secured = self.ues.get(supi).is_some_and(|c| c.security.is_some());
        match m {
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(r))
                if r.registration_type & 0x07 == registration_type::INITIAL =>
            {
                // A current security context stays until the new SMC replaces it.
                let security = self.ues.remove(supi).and_then(|c| c.security);
                self.ues.insert(
                    supi.to_string(),
                    Ctx {
                        caps: r.ue_security_capability().unwrap_or(&[]).to_vec(),
                        security,
                        ..Default::default()
                    },
                );
                self.challenge(now, ue, supi);
            }
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(r)) if secured => {
                // Mobility or periodic registration update (§5.5.1.3.4): a new 5G-GUTI, the
                // registration area and T3512; T3550 until REGISTRATION COMPLETE.
                let kind = r.registration_type & 0x07;
                let g = self.new_guti();
                let tai = self.tai_list_value();
                let (t3512, t3550) = (self.t3512, self.t3550);
                let Some(c) = self.ues.get_mut(supi).filter(|c| c.registered) else {
                    self.dropped += 1;
                    return;
                };
                c.guti = Some(g);
                let mut acc = RegistrationAccept {
                    result: 0x01,
                    ies: vec![],
                };
                acc.set_guti(&MobileIdentity5gs::Guti(g));
                acc.ies.push(Ie {
                    iei: 0x54,
                    format: IeFormat::Tlv,
                    value: tai,
                });
                acc.ies.push(Ie {
                    iei: 0x5e,
                    format: IeFormat::Tlv,
                    value: vec![t3512],
                });
                self.events.push_back(AmfEvent::RegistrationUpdated {
                    supi: supi.into(),
                    registration_type: kind,
                });
                self.send(
                    now,
                    ue,
                    supi,
                    NasMessage5g::Mm(FgmmMessage::RegistrationAccept(acc)),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                    Some(t3550),
                );
            }
            NasMessage5g::Mm(FgmmMessage::AuthenticationResponse { ies }) => {
                let Some(c) = self.ues.get_mut(supi) else {
                    return;
                };
                c.retransmit = None;
                let res_star: Option<[u8; 16]> = ies
                    .iter()
                    .find(|i| i.iei == 0x2d)
                    .and_then(|i| i.value.as_slice().try_into().ok());
                // SEAF compares HRES* with HXRES*, AUSF compares RES* with XRES* (§6.1.3.2.0).
                let ok = res_star.is_some_and(|r| {
                    kdf5g::hres_star(&c.rand, &r) == c.hxres_star && r == c.xres_star
                });
                if !ok {
                    self.events.push_back(AmfEvent::AuthenticationRejected);
                    self.send(
                        now,
                        ue,
                        supi,
                        NasMessage5g::Mm(FgmmMessage::AuthenticationReject { ies: vec![] }),
                        SecurityHeaderType::Plain,
                        None,
                    );
                    return;
                }
                let (ea, ia) = (CipheringAlgorithmId::Eea2, IntegrityAlgorithmId::Eia2);
                c.security = Some(NasSecurityContext::new_5gs(
                    Role::Network,
                    c.ksi,
                    &c.kamf,
                    ea,
                    ia,
                ));
                let smc = SecurityModeCommand {
                    ciphering: ea.code(),
                    integrity: ia.code(),
                    ng_ksi: c.ksi,
                    replayed_ue_security_capabilities: c.caps.clone(),
                    ies: vec![],
                };
                let t3560 = self.t3560;
                self.send(
                    now,
                    ue,
                    supi,
                    NasMessage5g::Mm(FgmmMessage::SecurityModeCommand(smc)),
                    SecurityHeaderType::IntegrityProtectedNewContext,
                    Some(t3560),
                );
            }
            NasMessage5g::Mm(FgmmMessage::AuthenticationFailure { cause: c, ies }) => {
                let auts: Option<[u8; 14]> = ies
                    .iter()
                    .find(|i| i.iei == 0x30)
                    .and_then(|i| i.value.as_slice().try_into().ok());
                let Some(ctx) = self.ues.get_mut(supi) else {
                    return;
                };
                ctx.retransmit = None;
                let rand = ctx.rand;
                match (c, auts, self.udm.get_mut(supi)) {
                    (cause::SYNCH_FAILURE, Some(auts), Some(sub)) => {
                        match Milenage::new(&sub.k, &sub.opc).verify_auts(&rand, &auts) {
                            Ok(sqn_ms) => {
                                let sqn_ms = crate::eps::usim::sqn_from_bytes(&sqn_ms);
                                sub.sqn = sqn_ms + 32;
                                self.events.push_back(AmfEvent::Resynchronised { sqn_ms });
                                self.challenge(now, ue, supi);
                            }
                            Err(_) => self.events.push_back(AmfEvent::AuthenticationRejected),
                        }
                    }
                    _ => self.events.push_back(AmfEvent::AuthenticationRejected),
                }
            }
            NasMessage5g::Mm(FgmmMessage::SecurityModeComplete { .. }) if secured => {
                let g = self.new_guti();
                let tai = self.tai_list_value();
                let (t3512, t3550) = (self.t3512, self.t3550);
                if let Some(c) = self.ues.get_mut(supi) {
                    c.guti = Some(g);
                }
                let mut acc = RegistrationAccept {
                    result: 0x01,
                    ies: vec![],
                };
                acc.set_guti(&MobileIdentity5gs::Guti(g));
                acc.ies.push(Ie {
                    iei: 0x54,
                    format: IeFormat::Tlv,
                    value: tai,
                });
                acc.ies.push(Ie {
                    iei: 0x5e,
                    format: IeFormat::Tlv,
                    value: vec![t3512],
                });
                self.send(
                    now,
                    ue,
                    supi,
                    NasMessage5g::Mm(FgmmMessage::RegistrationAccept(acc)),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                    Some(t3550),
                );
            }
            NasMessage5g::Mm(FgmmMessage::RegistrationComplete { .. }) if secured => {
                let Some(c) = self.ues.get_mut(supi) else {
                    return;
                };
                c.retransmit = None;
                if !c.registered {
                    c.registered = true;
                    self.events
                        .push_back(AmfEvent::Registered { supi: supi.into() });
                }
            }
            NasMessage5g::Mm(FgmmMessage::ServiceRequest { .. }) if secured => {
                self.events.push_back(AmfEvent::ServiceAccepted {
                    supi: supi.into(),
                    ue,
                });
                self.send(
                    now,
                    ue,
                    supi,
                    NasMessage5g::Mm(FgmmMessage::ServiceAccept { ies: vec![] }),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                    None,
                );
            }
            NasMessage5g::Mm(FgmmMessage::UlNasTransport {
                payload_type: 1,
                payload,
                ..
            }) if secured => {
                let Ok(FgsmMessage {
                    pdu_session_id,
                    pti,
                    body: FgsmBody::PduSessionEstablishmentRequest { .. },
                }) = FgsmMessage::parse(&payload)
                else {
                    self.dropped += 1;
                    return;
                };
                let ip = self.udm.get(supi).map(|s| s.ipv4).unwrap_or([0; 4]);
                let mut addr = vec![0x01];
                addr.extend_from_slice(&ip);
                let acc = FgsmMessage {
                    pdu_session_id,
                    pti,
                    body: FgsmBody::PduSessionEstablishmentAccept {
                        pdu_session_type: 1,
                        ssc_mode: 1,
                        qos_rules: vec![0x01, 0x00, 0x06, 0x31, 0x31, 0x01, 0x01, 0xff, 0x09],
                        session_ambr: vec![0x06, 0x00, 0x01, 0x06, 0x00, 0x01],
                        ies: vec![Ie {
                            iei: 0x29,
                            format: IeFormat::Tlv,
                            value: addr,
                        }],
                    },
                };
                self.events
                    .push_back(AmfEvent::PduSessionEstablished { id: pdu_session_id });
                let payload = match acc.to_vec() {
                    Ok(p) => p,
                    Err(e) => return self.not_sent(Some(supi), e.into()),
                };
                let dl = FgmmMessage::DlNasTransport {
                    payload_type: 1,
                    payload,
                    ies: vec![Ie {
                        iei: 0x12,
                        format: IeFormat::Tv(1),
                        value: vec![pdu_session_id],
                    }],
                };
                self.send(
                    now,
                    ue,
                    supi,
                    NasMessage5g::Mm(dl),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                    None,
                );
            }
            _ => self.dropped += 1,
        }
    }
}
