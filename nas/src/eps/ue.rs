//! UE side of EPS mobility management (TS 24.301 §5.3-§5.5), sans-IO: attach with
//! authentication and security mode control, then user data over NAS (ESM DATA TRANSPORT,
//! CIoT EPS optimisation), detach.
//!
//! Drive it like every ntn entity: inputs `handle_*(now, ..)`, outputs drained with
//! `poll_transmit`, `poll_event`, and `poll_timeout` for the next deadline (T3410).

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
use crate::ie::{Apn, MobileIdentity, NasKsi, SecurityCapability};

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
    /// T3410 (TS 24.301 §10.2: 15 s; networks with long satellite delays may configure more).
    pub t3410: Duration,
    /// Attach attempts before giving up (TS 24.301 §5.5.1.2.6: 5).
    pub max_attach_attempts: u8,
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
            max_attach_attempts: 5,
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
}

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
    /// User data received in ESM DATA TRANSPORT.
    Data(Vec<u8>),
}

/// Counters of the UE NAS.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct UeNasStats {
    /// Received PDUs dropped: undecodable, failed integrity, replayed, or plain when not allowed.
    pub dropped: u64,
    /// T3410 expiries.
    pub t3410_expiries: u64,
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
    t3410: Option<Instant>,
    attach_attempts: u8,
    ebi: u8,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<UeEvent>,
    stats: UeNasStats,
}

impl UeNas {
    /// A deregistered UE with its USIM.
    pub fn new(config: UeNasConfig, usim: Usim) -> Self {
        Self {
            config,
            usim,
            state: EmmState::Deregistered,
            pending_kasme: None,
            security: None,
            t3410: None,
            attach_attempts: 0,
            ebi: 0,
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
        self.t3410
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
            esm_container: esm.to_vec(),
            ies: vec![],
        };
        self.send(
            EmmMessage::AttachRequest(ar).into(),
            SecurityHeaderType::IntegrityProtected,
        );
        self.attach_attempts += 1;
        self.state = EmmState::RegisteredInitiated;
        self.t3410 = now.checked_add(self.config.t3410);
    }

    /// Sends user data in ESM DATA TRANSPORT (TS 24.301 §6.6.4), ciphered and integrity
    /// protected. Ignored unless registered.
    pub fn handle_send_data(&mut self, _now: Instant, data: &[u8]) -> bool {
        if self.state != EmmState::Registered || self.security.is_none() {
            return false;
        }
        let msg = EsmMessage {
            ebi: self.ebi,
            pti: 0,
            body: EsmBody::EsmDataTransport(EsmDataTransport {
                user_data: data.to_vec(),
                ies: vec![],
            }),
        };
        self.send(msg.into(), SecurityHeaderType::IntegrityProtectedCiphered);
        true
    }

    /// Timer expiry: T3410 restarts the attach (TS 24.301 §5.5.1.2.6 c), up to the attempt
    /// limit.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(t) = self.t3410
            && now >= t
        {
            self.t3410 = None;
            self.stats.t3410_expiries += 1;
            if self.attach_attempts < self.config.max_attach_attempts {
                self.send_attach_request(now);
            } else {
                self.state = EmmState::Deregistered;
                self.events.push_back(UeEvent::AttachFailed);
            }
        }
    }

    /// Protects (when a context exists) and queues a message.
    fn send(&mut self, m: NasMessage, header: SecurityHeaderType) {
        let plain = m.to_vec();
        let pdu = match self.security.as_mut() {
            Some(ctx) => ctx.protect(&plain, header).unwrap_or(plain),
            None => plain,
        };
        self.transmit.push_back(pdu);
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
                self.send(
                    EmmMessage::AttachComplete(AttachComplete {
                        esm_container: accept.to_vec(),
                    })
                    .into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
                self.t3410 = None;
                self.state = EmmState::Registered;
                self.events.push_back(UeEvent::Attached {
                    guti: acc.guti().and_then(Result::ok),
                    ipv4,
                });
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
            NasMessage::Esm(EsmMessage {
                body: EsmBody::EsmDataTransport(d),
                ..
            }) if self.state == EmmState::Registered => {
                self.events.push_back(UeEvent::Data(d.user_data));
            }
            _ => self.stats.dropped += 1,
        }
    }
}
