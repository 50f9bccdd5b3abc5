//! 5GS registration with 5G AKA, security mode control and PDU session establishment:
//! a UE 5GMM/5GSM entity and a minimal AMF + AUSF + UDM peer for the simulator (sans-IO).
//!
//! UE side: TS 24.501 §5.5.1.2 (initial registration, T3510), §5.4.1.3 (5G AKA), §5.4.2
//! (security mode control), §6.4.1 (UE-requested PDU session establishment). Network side:
//! TS 33.501 §6.1.3.2 (5G AKA: XRES*, HXRES*, KAUSF, KSEAF, KAMF), §6.7.2 (NAS SMC). One UE.

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
use crate::eps::SecurityHeaderType;
use crate::eps::security::{NasSecurityContext, Role};
use crate::eps::usim::{AuthReject, Usim};
use crate::ie::{Ie, IeFormat, NasKsi};

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
    /// T3510 (TS 24.501 §10.2: 15 s).
    pub t3510: Duration,
}

impl Default for UeNas5gConfig {
    fn default() -> Self {
        Self {
            mcc: "001".into(),
            mnc: "01".into(),
            ue_security_capability: vec![0xf0, 0x70],
            dnn: "internet".into(),
            t3510: Duration::from_secs(15),
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
    /// PDU session established.
    PduSessionEstablished {
        /// PDU session ID.
        id: u8,
        /// IPv4 address, if any.
        ipv4: Option<[u8; 4]>,
    },
}

/// The UE 5GMM/5GSM entity.
#[derive(Debug)]
pub struct UeNas5g {
    config: UeNas5gConfig,
    usim: Usim,
    pending_kamf: Option<(NasKsi, Key256)>,
    security: Option<NasSecurityContext>,
    registered: bool,
    t3510: Option<Instant>,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<UeEvent5g>,
    dropped: u64,
}

impl UeNas5g {
    /// A deregistered UE.
    pub fn new(config: UeNas5gConfig, usim: Usim) -> Self {
        Self {
            config,
            usim,
            pending_kamf: None,
            security: None,
            registered: false,
            t3510: None,
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

    /// Next deadline (T3510).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.t3510
    }

    /// Dropped PDUs.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Registered?
    pub fn is_registered(&self) -> bool {
        self.registered
    }

    fn snn(&self) -> String {
        kdf5g::serving_network_name(&self.config.mcc, &self.config.mnc)
    }

    fn send(&mut self, m: NasMessage5g, h: SecurityHeaderType) {
        let plain = m.to_vec();
        let pdu = match self.security.as_mut() {
            Some(c) if h != SecurityHeaderType::Plain => c.protect(&plain, h).unwrap_or(plain),
            _ => plain,
        };
        self.transmit.push_back(pdu);
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
            registration_type: 0x09,
            ng_ksi: NasKsi::NO_KEY,
            identity: MobileIdentity5gs::Suci(suci),
            ies: vec![],
        };
        req.set_ue_security_capability(&self.config.ue_security_capability);
        self.send(
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(req)),
            SecurityHeaderType::IntegrityProtected,
        );
        self.t3510 = now.checked_add(self.config.t3510);
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
        let ul = FgmmMessage::UlNasTransport {
            payload_type: 1,
            payload: est.to_vec(),
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
        );
        true
    }

    /// T3510 expiry: registration attempt failed; restart it.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.t3510.is_some_and(|t| now >= t) {
            self.t3510 = None;
            self.handle_register(now);
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
            NasMessage5g::Mm(FgmmMessage::RegistrationAccept(acc)) => {
                self.t3510 = None;
                self.registered = true;
                self.send(
                    NasMessage5g::Mm(FgmmMessage::RegistrationComplete { ies: vec![] }),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
                self.events.push_back(UeEvent5g::Registered {
                    guti: acc.guti().and_then(Result::ok),
                });
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
    /// A PDU session was established.
    PduSessionEstablished {
        /// PDU session ID.
        id: u8,
    },
    /// Authentication failed (RES* / HRES* mismatch or MAC failure).
    AuthenticationRejected,
}

#[derive(Debug, Default)]
struct Ctx {
    supi: String,
    caps: Vec<u8>,
    rand: [u8; 16],
    xres_star: [u8; 16],
    hxres_star: [u8; 16],
    kamf: Key256,
    ksi: NasKsi,
}

/// A minimal AMF with AUSF and UDM.
#[derive(Debug)]
pub struct Amf {
    mcc: String,
    mnc: String,
    udm: BTreeMap<String, Subscriber5g>,
    rand_counter: u32,
    ctx: Option<Ctx>,
    security: Option<NasSecurityContext>,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<AmfEvent>,
    dropped: u64,
}

impl Amf {
    /// An AMF for the PLMN `mcc`/`mnc`.
    pub fn new(mcc: &str, mnc: &str) -> Self {
        Self {
            mcc: mcc.into(),
            mnc: mnc.into(),
            udm: BTreeMap::new(),
            rand_counter: 0,
            ctx: None,
            security: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            dropped: 0,
        }
    }

    /// Adds a subscriber by SUPI (IMSI digits).
    pub fn add_subscriber(&mut self, supi: &str, s: Subscriber5g) {
        self.udm.insert(supi.into(), s);
    }

    /// Next PDU to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
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

    fn send(&mut self, m: NasMessage5g, h: SecurityHeaderType) {
        let plain = m.to_vec();
        let pdu = match self.security.as_mut() {
            Some(c) if h != SecurityHeaderType::Plain => c.protect(&plain, h).unwrap_or(plain),
            _ => plain,
        };
        self.transmit.push_back(pdu);
    }

    /// UDM/AUSF: a 5G HE AV and the SEAF challenge (TS 33.501 §6.1.3.2.0).
    fn challenge(&mut self) {
        let snn = kdf5g::serving_network_name(&self.mcc, &self.mnc);
        let Some(c) = self.ctx.as_mut() else { return };
        let Some(sub) = self.udm.get_mut(&c.supi) else {
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
        c.kamf = kdf5g::kamf(&kseaf, c.supi.as_bytes(), &[0, 0]);
        c.ksi = NasKsi {
            mapped: false,
            ksi: (self.rand_counter % 7) as u8,
        };
        let req = AuthenticationRequest::five_g_aka(c.ksi, &[0, 0], rand, autn);
        self.send(
            NasMessage5g::Mm(FgmmMessage::AuthenticationRequest(req)),
            SecurityHeaderType::Plain,
        );
    }

    /// A PDU from the UE.
    pub fn handle_pdu(&mut self, pdu: &[u8]) {
        let Ok(m) = NasMessage5g::parse(pdu, Direction::Uplink) else {
            self.dropped += 1;
            return;
        };
        let m = match m {
            NasMessage5g::Protected(_) => match self
                .security
                .as_mut()
                .and_then(|c| c.unprotect_parse(pdu, |b, d| NasMessage5g::parse(b, d).ok()))
            {
                Some(m) => m,
                None => {
                    // The initial REGISTRATION REQUEST may be protected with a context the
                    // AMF does not have; then only its plain form counts (not modelled).
                    self.dropped += 1;
                    return;
                }
            },
            m => m,
        };
        match m {
            NasMessage5g::Mm(FgmmMessage::RegistrationRequest(r)) => {
                let MobileIdentity5gs::Suci(s) = &r.identity else {
                    self.dropped += 1;
                    return;
                };
                let Some(supi) = supi_from_null_suci(s).filter(|s| self.udm.contains_key(s)) else {
                    self.send(
                        NasMessage5g::Mm(FgmmMessage::RegistrationReject {
                            cause: 7,
                            ies: vec![],
                        }),
                        SecurityHeaderType::Plain,
                    );
                    return;
                };
                self.ctx = Some(Ctx {
                    supi,
                    caps: r.ue_security_capability().unwrap_or(&[]).to_vec(),
                    ..Default::default()
                });
                self.challenge();
            }
            NasMessage5g::Mm(FgmmMessage::AuthenticationResponse { ies }) => {
                let Some(c) = self.ctx.as_ref() else { return };
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
                        NasMessage5g::Mm(FgmmMessage::AuthenticationReject { ies: vec![] }),
                        SecurityHeaderType::Plain,
                    );
                    return;
                }
                let (ksi, kamf, caps) = (c.ksi, c.kamf, c.caps.clone());
                let (ea, ia) = (CipheringAlgorithmId::Eea2, IntegrityAlgorithmId::Eia2);
                self.security = Some(NasSecurityContext::new_5gs(
                    Role::Network,
                    ksi,
                    &kamf,
                    ea,
                    ia,
                ));
                let smc = SecurityModeCommand {
                    ciphering: ea.code(),
                    integrity: ia.code(),
                    ng_ksi: ksi,
                    replayed_ue_security_capabilities: caps,
                    ies: vec![],
                };
                self.send(
                    NasMessage5g::Mm(FgmmMessage::SecurityModeCommand(smc)),
                    SecurityHeaderType::IntegrityProtectedNewContext,
                );
            }
            NasMessage5g::Mm(FgmmMessage::AuthenticationFailure { cause: c, ies }) => {
                let auts: Option<[u8; 14]> = ies
                    .iter()
                    .find(|i| i.iei == 0x30)
                    .and_then(|i| i.value.as_slice().try_into().ok());
                let Some(ctx) = self.ctx.as_ref() else { return };
                let (rand, supi) = (ctx.rand, ctx.supi.clone());
                match (c, auts, self.udm.get_mut(&supi)) {
                    (cause::SYNCH_FAILURE, Some(auts), Some(sub)) => {
                        match Milenage::new(&sub.k, &sub.opc).verify_auts(&rand, &auts) {
                            Ok(sqn_ms) => {
                                let sqn_ms = crate::eps::usim::sqn_from_bytes(&sqn_ms);
                                sub.sqn = sqn_ms + 32;
                                self.events.push_back(AmfEvent::Resynchronised { sqn_ms });
                                self.challenge();
                            }
                            Err(_) => self.events.push_back(AmfEvent::AuthenticationRejected),
                        }
                    }
                    _ => self.events.push_back(AmfEvent::AuthenticationRejected),
                }
            }
            NasMessage5g::Mm(FgmmMessage::SecurityModeComplete { .. }) => {
                let plmn = plmn_octets(&self.mcc, &self.mnc).unwrap_or([0; 3]);
                let mut acc = RegistrationAccept {
                    result: 0x01,
                    ies: vec![],
                };
                acc.set_guti(&MobileIdentity5gs::Guti(Guti5g {
                    plmn,
                    amf_region_id: 1,
                    amf_set_id: 1,
                    amf_pointer: 1,
                    tmsi: 0x5a5a_0001,
                }));
                self.send(
                    NasMessage5g::Mm(FgmmMessage::RegistrationAccept(acc)),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
            }
            NasMessage5g::Mm(FgmmMessage::RegistrationComplete { .. }) => {
                if let Some(c) = self.ctx.as_ref() {
                    self.events.push_back(AmfEvent::Registered {
                        supi: c.supi.clone(),
                    });
                }
            }
            NasMessage5g::Mm(FgmmMessage::UlNasTransport {
                payload_type: 1,
                payload,
                ..
            }) if self.security.is_some() => {
                let Ok(FgsmMessage {
                    pdu_session_id,
                    pti,
                    body: FgsmBody::PduSessionEstablishmentRequest { .. },
                }) = FgsmMessage::parse(&payload)
                else {
                    self.dropped += 1;
                    return;
                };
                let ip = self
                    .ctx
                    .as_ref()
                    .and_then(|c| self.udm.get(&c.supi))
                    .map(|s| s.ipv4)
                    .unwrap_or([0; 4]);
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
                let dl = FgmmMessage::DlNasTransport {
                    payload_type: 1,
                    payload: acc.to_vec(),
                    ies: vec![Ie {
                        iei: 0x12,
                        format: IeFormat::Tv(1),
                        value: vec![pdu_session_id],
                    }],
                };
                self.send(
                    NasMessage5g::Mm(dl),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
            }
            _ => self.dropped += 1,
        }
    }
}
