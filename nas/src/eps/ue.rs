//! UE side of EPS mobility management (TS 24.301 §5.3-§5.6), sans-IO: attach with
//! authentication and security mode control, user data over NAS (ESM DATA TRANSPORT, CIoT EPS
//! optimisation), tracking area update (normal on a TA outside the TAI list, periodic on
//! T3412), service request (CONTROL PLANE SERVICE REQUEST carrying data, or SERVICE REQUEST)
//! from idle and as the answer to paging, GUTI reallocation.
//!
//! Drive it like every ntn entity: inputs `handle_*(now, ..)`, outputs drained with
//! `poll_transmit`, `poll_event`, and `poll_timeout` for the next deadline (T3410, T3412,
//! T3417, T3430). The lower layers report connection release ([`UeNas::handle_connection_released`]),
//! the tracking area of the serving cell ([`UeNas::handle_tracking_area`]), paging
//! ([`UeNas::handle_paging`]) and whether the access is a satellite one
//! ([`UeNas::set_access`]: the NTN timer values of [`crate::timers`]).

use std::collections::VecDeque;

use ntn_security::kdf::{PlmnId, eps};
use ntn_security::{CipheringAlgorithmId, Direction, IntegrityAlgorithmId, Key256};
use ntn_types::{Duration, Instant};

use super::emm::{
    AttachComplete, AttachRequest, AuthenticationFailure, AuthenticationResponse, EmmMessage,
    IdentityResponse, SecurityModeComplete, cause,
};
use super::esm::{EsmDataTransport, PdnConnectivityRequest};
use super::security::{NasSecurityContext, Role, ue_accepts_plain};
use super::usim::{AuthReject, Usim};
use super::{EsmBody, EsmMessage, NasMessage, SecurityHeaderType};
use crate::SendError;
use crate::ie::{Apn, MobileIdentity, NasKsi, SecurityCapability};
use crate::ie::{Guti, Ie, IeFormat, find_ie, tai_list_contains};
use crate::timers::{EmmTimers, NasAccess, gprs_timer};

/// Configuration of the UE NAS.
#[derive(Clone, Debug)]
pub struct UeNasConfig {
    /// UE network capability sent in ATTACH REQUEST.
    pub ue_network_capability: SecurityCapability,
    /// Serving PLMN (its identity enters KASME, TS 33.401 §A.2).
    pub plmn: PlmnId,
    /// APN requested in the PDN CONNECTIVITY REQUEST, if any.
    pub apn: Option<String>,
    /// PDN type (TS 24.301 §9.9.4.10): 1 IPv4, 5 non-IP.
    pub pdn_type: u8,
    /// Lower bound for T3410 (default 15 s, the terrestrial value, so the per-access table
    /// decides); a stack may configure more for long satellite delays.
    pub t3410: Duration,
    /// The access at start (the stack updates it with [`UeNas::set_access`]).
    pub access: NasAccess,
    /// Timer values to use instead of the table of [`EmmTimers::for_access`], if set.
    pub timers: Option<EmmTimers>,
    /// Attach attempts before giving up (TS 24.301 §5.5.1.2.6: 5); also TAU attempts.
    pub max_attach_attempts: u8,
    /// Control plane CIoT EPS optimisation: data and paging responses go in CONTROL PLANE
    /// SERVICE REQUEST; otherwise the UE uses SERVICE REQUEST (user plane).
    pub control_plane_ciot: bool,
}

impl Default for UeNasConfig {
    fn default() -> Self {
        Self {
            ue_network_capability: SecurityCapability {
                eea: 0xf0,
                eia: 0x70,
                rest: vec![],
            },
            plmn: PlmnId([0x00, 0xf1, 0x10]),
            apn: None,
            pdn_type: 1,
            t3410: Duration::from_secs(15),
            access: NasAccess::Terrestrial,
            timers: None,
            max_attach_attempts: 5,
            control_plane_ciot: true,
        }
    }
}

/// EMM state (TS 24.301 §5.1.3.2, reduced).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum EmmState {
    /// EMM-DEREGISTERED.
    Deregistered,
    /// EMM-REGISTERED-INITIATED: attach sent, T3410 running.
    RegisteredInitiated,
    /// EMM-REGISTERED.
    Registered,
    /// EMM-TRACKING-AREA-UPDATING-INITIATED: TAU REQUEST sent, T3430 running.
    TrackingAreaUpdatingInitiated,
    /// EMM-SERVICE-REQUEST-INITIATED: (CONTROL PLANE) SERVICE REQUEST sent, T3417 running.
    ServiceRequestInitiated,
}

/// The most user data one ESM DATA TRANSPORT carries in every state: the 65535 octets of
/// the ESM message container (an LV-E, TS 24.301 §9.9.3.15) less the ESM header (3 octets)
/// and the user data container's own length (2 octets). More is refused with
/// [`UeEvent::NotSent`].
pub const MAX_USER_DATA_OCTETS: usize = 65_535 - 5;

/// What the UE NAS reports to its user.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum UeEvent {
    /// Authentication succeeded (RES sent).
    Authenticated,
    /// Authentication failed on the USIM; the failure message was sent.
    AuthenticationFailed {
        /// EMM cause sent.
        cause: u8,
    },
    /// A NAS security context is active with these algorithms.
    SecurityActivated {
        /// Ciphering.
        ciphering: CipheringAlgorithmId,
        /// Integrity.
        integrity: IntegrityAlgorithmId,
    },
    /// Attach complete: GUTI and (IPv4) PDN address.
    Attached {
        /// Assigned GUTI.
        guti: Option<MobileIdentity>,
        /// IPv4 address of the default bearer, if IPv4.
        ipv4: Option<[u8; 4]>,
    },
    /// ATTACH REJECT received.
    AttachRejected {
        /// EMM cause.
        cause: u8,
    },
    /// Attach abandoned after the last T3410 expiry.
    AttachFailed,
    /// A tracking area update was accepted.
    TrackingAreaUpdated {
        /// EPS update type sent (0 TA updating, 3 periodic updating).
        update_type: u8,
        /// GUTI, if the network assigned a new one.
        guti: Option<Guti>,
    },
    /// TAU REJECT received, or the TAU was abandoned after the last T3430 expiry (`cause`
    /// `None`).
    TrackingAreaUpdateFailed {
        /// EMM cause of the reject.
        cause: Option<u8>,
    },
    /// The service request completed: the UE is connected.
    ServiceAccepted,
    /// SERVICE REJECT received, or T3417 expired (`cause` `None`).
    ServiceRequestFailed {
        /// EMM cause of the reject.
        cause: Option<u8>,
    },
    /// A new GUTI from GUTI REALLOCATION COMMAND.
    GutiReallocated(Guti),
    /// User data received in ESM DATA TRANSPORT.
    Data(Vec<u8>),
    /// A message was not sent: it does not encode (user data beyond what an LV-E container
    /// carries) or the NAS COUNT is exhausted (TS 33.401 §7.2.4.1: a new KASME is needed
    /// before the COUNT wraps; nothing is sent unprotected instead).
    NotSent(SendError),
}

/// Counters of the UE NAS.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct UeNasStats {
    /// Received PDUs dropped: undecodable, failed integrity, replayed, or plain when not allowed.
    pub dropped: u64,
    /// T3410 expiries.
    pub t3410_expiries: u64,
    /// T3430 expiries.
    pub t3430_expiries: u64,
    /// T3417 expiries.
    pub t3417_expiries: u64,
    /// Periodic TAUs started on T3412 expiry.
    pub periodic_updates: u64,
    /// Messages not sent ([`UeEvent::NotSent`]).
    pub not_sent: u64,
}

/// The UE NAS entity.
#[derive(Debug)]
pub struct UeNas {
    config: UeNasConfig,
    usim: Usim,
    state: EmmState,
    /// KASME and its KSI from the last successful AKA, waiting for SECURITY MODE COMMAND.
    pending_kasme: Option<(NasKsi, Key256)>,
    security: Option<NasSecurityContext>,
    access: NasAccess,
    t3410: Option<Instant>,
    t3412: Option<Instant>,
    t3417: Option<Instant>,
    t3430: Option<Instant>,
    attach_attempts: u8,
    tau_attempts: u8,
    tau_type: u8,
    ebi: u8,
    guti: Option<Guti>,
    /// TAI list from the network, value octets (§9.9.3.33).
    tai_list: Vec<u8>,
    /// T3412 value from the network; `None` = deactivated.
    t3412_value: Option<Duration>,
    /// Whether a NAS signalling connection exists (EMM-CONNECTED).
    connected: bool,
    /// The serving cell's TAI (PLMN + TAC), as last reported.
    current_tai: Option<[u8; 5]>,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<UeEvent>,
    stats: UeNasStats,
}

impl UeNas {
    /// A deregistered UE with its USIM.
    pub fn new(config: UeNasConfig, usim: Usim) -> Self {
        let access = config.access;
        Self {
            config,
            usim,
            state: EmmState::Deregistered,
            pending_kasme: None,
            security: None,
            access,
            t3410: None,
            t3412: None,
            t3417: None,
            t3430: None,
            attach_attempts: 0,
            tau_attempts: 0,
            tau_type: 0,
            ebi: 0,
            guti: None,
            tai_list: vec![],
            t3412_value: None,
            connected: false,
            current_tai: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            stats: UeNasStats::default(),
        }
    }

    /// EMM state.
    pub fn state(&self) -> EmmState {
        self.state
    }

    /// Counters.
    pub fn stats(&self) -> &UeNasStats {
        &self.stats
    }

    /// The NAS security context, once active.
    pub fn security(&self) -> Option<&NasSecurityContext> {
        self.security.as_ref()
    }

    /// The USIM.
    pub fn usim(&self) -> &Usim {
        &self.usim
    }

    /// Next NAS PDU to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<UeEvent> {
        self.events.pop_front()
    }

    /// Next timer deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.t3410, self.t3412, self.t3417, self.t3430]
            .into_iter()
            .flatten()
            .min()
    }

    /// The GUTI assigned by the network.
    pub fn guti(&self) -> Option<Guti> {
        self.guti
    }

    /// Whether a NAS signalling connection exists (EMM-CONNECTED).
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The timer values in use now (per access, or the configured override; T3410 not below
    /// the configured lower bound).
    pub fn timers(&self) -> EmmTimers {
        let mut t = self
            .config
            .timers
            .unwrap_or_else(|| EmmTimers::for_access(self.access));
        t.t3410 = t.t3410.max(self.config.t3410);
        t
    }

    /// The stack reports the access (terrestrial or satellite). Procedures started from now on
    /// use its timer values; a running timer keeps its deadline (TS 24.501 §4.19 rule).
    pub fn set_access(&mut self, access: NasAccess) {
        self.access = access;
    }

    /// The lower layers released the NAS signalling connection: EMM-IDLE; T3412 starts if
    /// registered (TS 24.301 §5.3.5).
    pub fn handle_connection_released(&mut self, now: Instant) {
        self.connected = false;
        if self.state == EmmState::Registered
            && let Some(v) = self.t3412_value
        {
            self.t3412 = now.checked_add(v);
        }
    }

    /// The serving cell's tracking area (PLMN identity + TAC). When registered and it is not
    /// in the TAI list, a normal tracking area update starts (TS 24.301 §5.5.3.2.2 a).
    pub fn handle_tracking_area(&mut self, now: Instant, plmn: [u8; 3], tac: u16) {
        let mut tai = [0u8; 5];
        tai[..3].copy_from_slice(&plmn);
        tai[3..].copy_from_slice(&tac.to_be_bytes());
        self.current_tai = Some(tai);
        if self.state == EmmState::Registered && !tai_list_contains(&self.tai_list, &tai) {
            self.tau_attempts = 0;
            self.send_tau(now, 0);
        }
    }

    /// Paging for this UE (S-TMSI matched by the lower layers): when idle and registered, the
    /// service request procedure answers it (TS 24.301 §5.6.2.2).
    pub fn handle_paging(&mut self, now: Instant) {
        if self.state != EmmState::Registered || self.connected || self.security.is_none() {
            return;
        }
        if self.config.control_plane_ciot {
            // Control plane service type 1: mobile terminating request (§9.9.3.47).
            self.send_cpsr(now, 1, None);
        } else {
            self.send_service_request(now);
        }
    }

    /// Starts the attach procedure (TS 24.301 §5.5.1.2.2).
    pub fn handle_attach(&mut self, now: Instant) {
        self.attach_attempts = 0;
        self.send_attach_request(now);
    }

    fn send_attach_request(&mut self, now: Instant) {
        let mut pdn = PdnConnectivityRequest {
            request_type: 1,
            pdn_type: self.config.pdn_type,
            ies: vec![],
        };
        if let Some(apn) = &self.config.apn {
            pdn.set_apn(&Apn::from_dotted(apn));
        }
        let esm = EsmMessage {
            ebi: 0,
            pti: 1,
            body: EsmBody::PdnConnectivityRequest(pdn),
        };
        let ar = AttachRequest {
            attach_type: 1,
            nas_ksi: NasKsi::NO_KEY,
            identity: MobileIdentity::Imsi(self.usim.imsi.clone()),
            ue_network_capability: self.config.ue_network_capability.clone(),
            esm_container: match self.encode(&esm.into()) {
                Some(c) => c,
                None => return,
            },
            ies: vec![],
        };
        self.send(
            EmmMessage::AttachRequest(ar).into(),
            SecurityHeaderType::IntegrityProtected,
        );
        self.attach_attempts += 1;
        self.state = EmmState::RegisteredInitiated;
        self.connected = true;
        self.t3412 = None;
        self.t3410 = now.checked_add(self.timers().t3410);
    }

    /// TRACKING AREA UPDATE REQUEST (§5.5.3.2.2), integrity protected (an initial NAS
    /// message is not ciphered), T3430.
    fn send_tau(&mut self, now: Instant, update_type: u8) {
        let (Some(guti), Some(ksi)) = (self.guti, self.security.as_ref().map(|c| c.ksi)) else {
            return;
        };
        let mut ies = vec![];
        if let Some(tai) = self.current_tai {
            ies.push(Ie {
                iei: 0x52,
                format: IeFormat::Tv(5),
                value: tai.to_vec(),
            });
        }
        // EPS bearer context status: the default bearer (§9.9.2.1, EBI bit).
        if (5..=15).contains(&self.ebi) {
            let bits = 1u16 << self.ebi;
            ies.push(Ie {
                iei: 0x57,
                format: IeFormat::Tlv,
                value: vec![(bits & 0xff) as u8, (bits >> 8) as u8],
            });
        }
        let m = EmmMessage::TrackingAreaUpdateRequest {
            update_type,
            nas_ksi: ksi,
            old_guti: MobileIdentity::Guti(guti),
            ies,
        };
        self.send(m.into(), SecurityHeaderType::IntegrityProtected);
        self.tau_type = update_type;
        self.tau_attempts += 1;
        self.state = EmmState::TrackingAreaUpdatingInitiated;
        self.connected = true;
        self.t3412 = None;
        self.t3430 = now.checked_add(self.timers().t3430);
    }

    /// CONTROL PLANE SERVICE REQUEST (§5.6.1.2.2): service type 0 (mobile originating, with
    /// data in an ESM DATA TRANSPORT in the ESM message container) or 1 (mobile terminating,
    /// paging response); integrity protected and partially ciphered (security header type 5).
    fn send_cpsr(&mut self, now: Instant, service_type: u8, data: Option<&[u8]>) -> bool {
        let Some(ksi) = self.security.as_ref().map(|c| c.ksi) else {
            return false;
        };
        let mut ies = vec![];
        if let Some(d) = data {
            let esm = EsmMessage {
                ebi: self.ebi,
                pti: 0,
                body: EsmBody::EsmDataTransport(EsmDataTransport {
                    user_data: d.to_vec(),
                    ies: vec![],
                }),
            };
            let Some(value) = self.encode(&esm.into()) else {
                return false;
            };
            ies.push(Ie {
                iei: 0x78,
                format: IeFormat::Tlve,
                value,
            });
        }
        let m = EmmMessage::ControlPlaneServiceRequest {
            service_type,
            nas_ksi: ksi,
            ies,
        };
        if !self.send(
            m.into(),
            SecurityHeaderType::IntegrityProtectedPartiallyCiphered,
        ) {
            return false;
        }
        self.start_service_request(now);
        true
    }

    /// SERVICE REQUEST (§5.6.1.2.1) with its short MAC.
    fn send_service_request(&mut self, now: Instant) {
        let Some(pdu) = self
            .security
            .as_mut()
            .and_then(|c| c.protect_service_request().ok())
        else {
            return;
        };
        self.transmit.push_back(pdu);
        self.start_service_request(now);
    }

    fn start_service_request(&mut self, now: Instant) {
        self.state = EmmState::ServiceRequestInitiated;
        self.connected = true;
        self.t3412 = None;
        self.t3417 = now.checked_add(self.timers().t3417);
    }

    /// Sends user data in ESM DATA TRANSPORT (TS 24.301 §6.6.4), ciphered and integrity
    /// protected. When idle, the data goes in a CONTROL PLANE SERVICE REQUEST (control plane
    /// CIoT). Ignored (returns `false`) unless registered with a security context; `false`
    /// with [`UeEvent::NotSent`] when the data does not fit (more than
    /// [`MAX_USER_DATA_OCTETS`]) or the NAS COUNT is exhausted.
    pub fn handle_send_data(&mut self, now: Instant, data: &[u8]) -> bool {
        if self.state != EmmState::Registered || self.security.is_none() {
            return false;
        }
        if !self.connected {
            if !self.config.control_plane_ciot {
                return false;
            }
            return self.send_cpsr(now, 0, Some(data));
        }
        let msg = EsmMessage {
            ebi: self.ebi,
            pti: 0,
            body: EsmBody::EsmDataTransport(EsmDataTransport {
                user_data: data.to_vec(),
                ies: vec![],
            }),
        };
        self.send(msg.into(), SecurityHeaderType::IntegrityProtectedCiphered)
    }

    /// The lower layers report the user plane radio bearers set up after a SERVICE REQUEST:
    /// the procedure is complete (TS 24.301 §5.6.1.4.1).
    pub fn handle_user_plane_established(&mut self, _now: Instant) {
        if self.state == EmmState::ServiceRequestInitiated {
            self.t3417 = None;
            self.state = EmmState::Registered;
            self.events.push_back(UeEvent::ServiceAccepted);
        }
    }

    /// Timer expiries: T3410 restarts the attach (TS 24.301 §5.5.1.2.6 c) and T3430 the TAU
    /// (§5.5.3.2.6 c), up to the attempt limit; T3417 aborts the service request (§5.6.1.6);
    /// T3412 starts a periodic TAU (§5.3.5).
    pub fn handle_timeout(&mut self, now: Instant) {
        let due = |t: Option<Instant>| t.is_some_and(|t| now >= t);
        if due(self.t3410) {
            self.t3410 = None;
            self.stats.t3410_expiries += 1;
            if self.attach_attempts < self.config.max_attach_attempts {
                self.send_attach_request(now);
            } else {
                self.state = EmmState::Deregistered;
                self.events.push_back(UeEvent::AttachFailed);
            }
        }
        if due(self.t3430) {
            self.t3430 = None;
            self.stats.t3430_expiries += 1;
            if self.tau_attempts < self.config.max_attach_attempts {
                let t = self.tau_type;
                self.send_tau(now, t);
            } else {
                self.state = EmmState::Registered;
                self.connected = false;
                self.events
                    .push_back(UeEvent::TrackingAreaUpdateFailed { cause: None });
            }
        }
        if due(self.t3417) {
            self.t3417 = None;
            self.stats.t3417_expiries += 1;
            self.state = EmmState::Registered;
            self.connected = false;
            self.events
                .push_back(UeEvent::ServiceRequestFailed { cause: None });
        }
        if due(self.t3412) {
            self.t3412 = None;
            if self.state == EmmState::Registered && !self.connected {
                self.stats.periodic_updates += 1;
                self.tau_attempts = 0;
                // EPS update type 3: periodic updating (§9.9.3.14).
                self.send_tau(now, 3);
            }
        }
    }

    /// Protects (when a context exists) and queues a message; `false` (with
    /// [`UeEvent::NotSent`]) if it does not encode or cannot be protected.
    fn send(&mut self, m: NasMessage, header: SecurityHeaderType) -> bool {
        let Some(plain) = self.encode(&m) else {
            return false;
        };
        let pdu = match self
            .security
            .as_mut()
            .map(|ctx| ctx.protect(&plain, header))
        {
            Some(Ok(pdu)) => pdu,
            Some(Err(e)) => {
                self.not_sent(e.into());
                return false;
            }
            None => plain,
        };
        self.transmit.push_back(pdu);
        true
    }

    /// The octets of `m`, or `None` with [`UeEvent::NotSent`].
    fn encode(&mut self, m: &NasMessage) -> Option<Vec<u8>> {
        m.to_vec().map_err(|e| self.not_sent(e.into())).ok()
    }

    fn not_sent(&mut self, e: SendError) {
        self.stats.not_sent += 1;
        self.events.push_back(UeEvent::NotSent(e));
    }

    /// A NAS PDU from the network.
    pub fn handle_pdu(&mut self, now: Instant, pdu: &[u8]) {
        let Ok(msg) = NasMessage::parse(pdu, Direction::Downlink) else {
            self.stats.dropped += 1;
            return;
        };
        let plain = match msg {
            NasMessage::Protected(p) => {
                // SECURITY MODE COMMAND comes under the new context (header type 3).
                if p.header_type == SecurityHeaderType::IntegrityProtectedNewContext {
                    return self.handle_smc(now, pdu);
                }
                let Some(ctx) = self.security.as_mut() else {
                    self.stats.dropped += 1;
                    return;
                };
                match ctx.unprotect_parse(pdu, |b, d| NasMessage::parse(b, d).ok()) {
                    Some(m) => m,
                    None => {
                        self.stats.dropped += 1;
                        return;
                    }
                }
            }
            m => {
                if self.security.is_some() && !ue_accepts_plain(&m) {
                    self.stats.dropped += 1;
                    return;
                }
                m
            }
        };
        self.handle_message(now, plain);
    }

    fn handle_smc(&mut self, _now: Instant, pdu: &[u8]) {
        let Some((ksi, kasme)) = self.pending_kasme else {
            self.stats.dropped += 1;
            return;
        };
        // The algorithms are inside the (integrity-protected, not ciphered) message: read them,
        // build the candidate context, then verify the MAC with it.
        let inner = match NasMessage::parse(pdu, Direction::Downlink) {
            Ok(NasMessage::Protected(p)) => p.payload,
            _ => {
                self.stats.dropped += 1;
                return;
            }
        };
        let Ok(NasMessage::Emm(EmmMessage::SecurityModeCommand(smc))) =
            NasMessage::parse(&inner, Direction::Downlink)
        else {
            self.stats.dropped += 1;
            return;
        };
        let (Some(c), Some(i)) = (
            CipheringAlgorithmId::from_code(smc.ciphering),
            IntegrityAlgorithmId::from_code(smc.integrity),
        ) else {
            self.send(
                EmmMessage::SecurityModeReject {
                    cause: cause::UE_SECURITY_CAPABILITIES_MISMATCH,
                }
                .into(),
                SecurityHeaderType::Plain,
            );
            return;
        };
        let mut ctx = NasSecurityContext::new(Role::Ue, ksi, &kasme, c, i);
        if ctx.unprotect(pdu).is_err() {
            self.stats.dropped += 1;
            return;
        }
        // Bidding-down protection: the replayed capabilities must be ours (TS 33.401 §7.2.4.5).
        let ours = &self.config.ue_network_capability;
        if smc.replayed_ue_security_capabilities.eea != ours.eea
            || smc.replayed_ue_security_capabilities.eia != ours.eia
            || i == IntegrityAlgorithmId::Eia0
        {
            self.send(
                EmmMessage::SecurityModeReject {
                    cause: cause::UE_SECURITY_CAPABILITIES_MISMATCH,
                }
                .into(),
                SecurityHeaderType::Plain,
            );
            return;
        }
        self.security = Some(ctx);
        self.pending_kasme = None;
        self.events.push_back(UeEvent::SecurityActivated {
            ciphering: c,
            integrity: i,
        });
        let mut complete = SecurityModeComplete { ies: vec![] };
        if smc.imeisv_request() == Some(1) {
            complete.set_imeisv(&MobileIdentity::Imeisv("3534900698733190".into()));
        }
        self.send(
            EmmMessage::SecurityModeComplete(complete).into(),
            SecurityHeaderType::IntegrityProtectedCipheredNewContext,
        );
    }

    fn handle_message(&mut self, _now: Instant, m: NasMessage) {
        match m {
            NasMessage::Emm(EmmMessage::AuthenticationRequest(req)) => {
                match self.usim.authenticate(&req.rand, &req.autn) {
                    Ok(r) => {
                        let kasme = eps::kasme(&r.ck, &r.ik, &self.config.plmn, &r.sqn_xor_ak);
                        self.pending_kasme = Some((req.nas_ksi, kasme));
                        self.events.push_back(UeEvent::Authenticated);
                        self.send(
                            EmmMessage::AuthenticationResponse(AuthenticationResponse {
                                res: r.res,
                            })
                            .into(),
                            SecurityHeaderType::IntegrityProtectedCiphered,
                        );
                    }
                    Err(e) => {
                        let f = match e {
                            AuthReject::MacFailure => AuthenticationFailure {
                                cause: cause::MAC_FAILURE,
                                ies: vec![],
                            },
                            AuthReject::SynchFailure { auts } => {
                                AuthenticationFailure::synch_failure(auts)
                            }
                            AuthReject::NonEpsAuthenticationUnacceptable => AuthenticationFailure {
                                cause: cause::NON_EPS_AUTHENTICATION_UNACCEPTABLE,
                                ies: vec![],
                            },
                        };
                        self.events
                            .push_back(UeEvent::AuthenticationFailed { cause: f.cause });
                        self.send(
                            EmmMessage::AuthenticationFailure(f).into(),
                            SecurityHeaderType::IntegrityProtectedCiphered,
                        );
                    }
                }
            }
            NasMessage::Emm(EmmMessage::IdentityRequest(_)) => {
                let r = IdentityResponse {
                    identity: MobileIdentity::Imsi(self.usim.imsi.clone()),
                };
                self.send(
                    EmmMessage::IdentityResponse(r).into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
            }
            NasMessage::Emm(EmmMessage::AttachAccept(acc))
                if self.state == EmmState::RegisteredInitiated =>
            {
                let Ok(esm) = EsmMessage::parse(&acc.esm_container) else {
                    self.stats.dropped += 1;
                    return;
                };
                let ipv4 = match &esm.body {
                    EsmBody::ActivateDefaultEpsBearerContextRequest(a) => a.ipv4(),
                    _ => None,
                };
                self.ebi = esm.ebi;
                let accept = EsmMessage {
                    ebi: esm.ebi,
                    pti: esm.pti,
                    body: EsmBody::ActivateDefaultEpsBearerContextAccept { ies: vec![] },
                };
                let Some(esm_container) = self.encode(&accept.into()) else {
                    return;
                };
                self.send(
                    EmmMessage::AttachComplete(AttachComplete { esm_container }).into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
                self.t3410 = None;
                self.state = EmmState::Registered;
                let guti = acc.guti().and_then(Result::ok);
                if let Some(MobileIdentity::Guti(g)) = &guti {
                    self.guti = Some(*g);
                }
                self.tai_list = acc.tai_list.clone();
                self.t3412_value = gprs_timer(acc.t3412);
                self.events.push_back(UeEvent::Attached { guti, ipv4 });
            }
            NasMessage::Emm(EmmMessage::AttachReject(r)) => {
                self.t3410 = None;
                self.state = EmmState::Deregistered;
                self.events
                    .push_back(UeEvent::AttachRejected { cause: r.cause });
            }
            NasMessage::Emm(EmmMessage::AuthenticationReject) => {
                self.t3410 = None;
                self.state = EmmState::Deregistered;
                self.security = None;
                self.events.push_back(UeEvent::AttachRejected {
                    cause: cause::ILLEGAL_UE,
                });
            }
            NasMessage::Emm(EmmMessage::TrackingAreaUpdateAccept { ies, .. })
                if self.state == EmmState::TrackingAreaUpdatingInitiated =>
            {
                self.t3430 = None;
                self.state = EmmState::Registered;
                if let Some(v) = find_ie(&ies, 0x5a).and_then(|ie| ie.value.first()) {
                    self.t3412_value = gprs_timer(*v);
                }
                if let Some(ie) = find_ie(&ies, 0x54) {
                    self.tai_list = ie.value.clone();
                }
                let new_guti = match find_ie(&ies, 0x50).map(|ie| MobileIdentity::parse(&ie.value))
                {
                    Some(Ok(MobileIdentity::Guti(g))) => Some(g),
                    _ => None,
                };
                if let Some(g) = new_guti {
                    self.guti = Some(g);
                    self.send(
                        EmmMessage::TrackingAreaUpdateComplete.into(),
                        SecurityHeaderType::IntegrityProtectedCiphered,
                    );
                }
                self.events.push_back(UeEvent::TrackingAreaUpdated {
                    update_type: self.tau_type,
                    guti: new_guti,
                });
            }
            NasMessage::Emm(EmmMessage::TrackingAreaUpdateReject { cause, .. })
                if self.state == EmmState::TrackingAreaUpdatingInitiated =>
            {
                self.t3430 = None;
                self.state = EmmState::Deregistered;
                self.events
                    .push_back(UeEvent::TrackingAreaUpdateFailed { cause: Some(cause) });
            }
            NasMessage::Emm(EmmMessage::ServiceAccept { .. })
                if self.state == EmmState::ServiceRequestInitiated =>
            {
                self.t3417 = None;
                self.state = EmmState::Registered;
                self.events.push_back(UeEvent::ServiceAccepted);
            }
            NasMessage::Emm(EmmMessage::ServiceReject { cause, .. })
                if self.state == EmmState::ServiceRequestInitiated =>
            {
                self.t3417 = None;
                self.state = EmmState::Registered;
                self.connected = false;
                self.events
                    .push_back(UeEvent::ServiceRequestFailed { cause: Some(cause) });
            }
            NasMessage::Emm(EmmMessage::GutiReallocationCommand(cmd))
                if self.state == EmmState::Registered =>
            {
                let MobileIdentity::Guti(g) = cmd.guti else {
                    self.stats.dropped += 1;
                    return;
                };
                self.guti = Some(g);
                if let Some(t) = cmd.tai_list() {
                    self.tai_list = t.to_vec();
                }
                self.send(
                    EmmMessage::GutiReallocationComplete.into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
                self.events.push_back(UeEvent::GutiReallocated(g));
            }
            NasMessage::Esm(EsmMessage {
                body: EsmBody::EsmDataTransport(d),
                ..
            }) if matches!(
                self.state,
                EmmState::Registered | EmmState::ServiceRequestInitiated
            ) =>
            {
                self.events.push_back(UeEvent::Data(d.user_data));
            }
            _ => self.stats.dropped += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::EncodeError;
    use crate::eps::security::SecurityFailure;
    use crate::ie::tai_list_contains;

    /// A UE registered with a security context, connected or idle.
    fn registered(connected: bool) -> UeNas {
        let usim = Usim::new("001010123456789", &[1; 16], &[2; 16], 0);
        let mut ue = UeNas::new(UeNasConfig::default(), usim);
        ue.state = EmmState::Registered;
        ue.connected = connected;
        ue.security = Some(NasSecurityContext::new(
            Role::Ue,
            NasKsi {
                mapped: false,
                ksi: 1,
            },
            &[3; 32],
            CipheringAlgorithmId::Eea2,
            IntegrityAlgorithmId::Eia2,
        ));
        ue
    }

    /// 70 kB of user data (a pass scenario's traffic size) does not fit the LV-E user data
    /// container: refused with a typed error, not a panic; the largest that fits is sent.
    #[test]
    fn oversized_user_data_is_refused_with_a_typed_error() {
        for connected in [true, false] {
            let mut ue = registered(connected);
            assert!(!ue.handle_send_data(Instant::ZERO, &vec![0x55; 70_000]));
            assert!(ue.poll_transmit().is_none());
            let ev = ue.poll_event();
            assert!(
                matches!(
                    ev,
                    Some(UeEvent::NotSent(SendError::Encode(EncodeError::TooLong {
                        len, max: 65_535, ..
                    }))) if len >= 70_000
                ),
                "{ev:?}"
            );
            assert_eq!(ue.stats().not_sent, 1);
            assert!(ue.handle_send_data(Instant::ZERO, &vec![0x55; MAX_USER_DATA_OCTETS]));
            assert!(ue.poll_transmit().is_some());
        }
    }

    /// At the end of the NAS COUNT nothing is sent: before, the message went out
    /// unprotected.
    #[test]
    fn exhausted_nas_count_sends_nothing() {
        let mut ue = registered(true);
        if let Some(ctx) = ue.security.as_mut() {
            ctx.set_tx_count(1 << 24);
        }
        assert!(!ue.handle_send_data(Instant::ZERO, b"x"));
        assert!(ue.poll_transmit().is_none());
        assert_eq!(
            ue.poll_event(),
            Some(UeEvent::NotSent(SendError::Security(
                SecurityFailure::CountExhausted
            )))
        );
    }

    #[test]
    fn tai_list_types() {
        let plmn = [0x00, 0xf1, 0x10];
        let t = |tac: u16| {
            let mut x = [0u8; 5];
            x[..3].copy_from_slice(&plmn);
            x[3..].copy_from_slice(&tac.to_be_bytes());
            x
        };
        // Type 000 with TACs 1 and 7.
        let l0 = [0x01, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00, 0x07];
        assert!(tai_list_contains(&l0, &t(7)) && !tai_list_contains(&l0, &t(2)));
        // Type 001: 3 consecutive TACs from 10.
        let l1 = [0x22, 0x00, 0xf1, 0x10, 0x00, 0x0a];
        assert!(tai_list_contains(&l1, &t(12)) && !tai_list_contains(&l1, &t(13)));
        // Type 010: one pair; truncated lists are not a panic.
        let l2 = [0x40, 0x00, 0xf1, 0x10, 0x00, 0x05];
        assert!(tai_list_contains(&l2, &t(5)));
        assert!(!tai_list_contains(&l2[..4], &t(5)));
    }
}
