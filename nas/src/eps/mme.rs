//! A minimal MME with an embedded HSS for the simulator (sans-IO): subscriber table, EPS AKA
//! vector generation with MILENAGE (TS 33.102 §6.3.2), SQN resynchronisation from AUTS
//! (§6.3.5), security mode control, attach accept with a default bearer, and an echo of
//! ESM DATA TRANSPORT (CIoT data over NAS). One UE association; S1AP is not modelled.

use std::collections::{BTreeMap, VecDeque};

use ntn_security::kdf::{PlmnId, eps, kdf};
use ntn_security::milenage::Milenage;
use ntn_security::{CipheringAlgorithmId, Direction, IntegrityAlgorithmId, Key128, Key256};

use super::emm::{AttachAccept, AuthenticationRequest, EmmMessage, SecurityModeCommand, cause};
use super::esm::ActivateDefaultEpsBearerContextRequest;
use super::security::{NasSecurityContext, Role};
use super::usim::{sqn_from_bytes, sqn_to_bytes};
use super::{EsmBody, EsmMessage, NasMessage, SecurityHeaderType};
use crate::ie::{Apn, Guti, MobileIdentity, NasKsi, SecurityCapability};

/// One subscriber in the HSS.
#[derive(Clone, Debug)]
pub struct Subscriber {
    /// K.
    pub k: Key128,
    /// OPc.
    pub opc: Key128,
    /// SQN_HE: the next sequence number to use.
    pub sqn: u64,
    /// IPv4 address to give the default bearer.
    pub ipv4: [u8; 4],
}

/// MME configuration.
#[derive(Clone, Debug)]
pub struct MmeConfig {
    /// Serving PLMN.
    pub plmn: PlmnId,
    /// Seed of the RAND generator (RAND_n = first 16 octets of KDF(seed, n); deterministic).
    pub rand_seed: [u8; 32],
    /// AMF with the separation bit set (TS 33.401 §6.1.1).
    pub amf: [u8; 2],
    /// Preferred ciphering algorithms, best first.
    pub ciphering: Vec<CipheringAlgorithmId>,
    /// Preferred integrity algorithms, best first.
    pub integrity: Vec<IntegrityAlgorithmId>,
    /// MME group ID and code for GUTIs.
    pub mme_group_id: u16,
    /// MME code.
    pub mme_code: u8,
}

impl Default for MmeConfig {
    fn default() -> Self {
        Self {
            plmn: PlmnId([0x00, 0xf1, 0x10]),
            rand_seed: [0x5a; 32],
            amf: [0x80, 0x00],
            ciphering: vec![
                CipheringAlgorithmId::Eea2,
                CipheringAlgorithmId::Eea1,
                CipheringAlgorithmId::Eea3,
                CipheringAlgorithmId::Eea0,
            ],
            integrity: vec![
                IntegrityAlgorithmId::Eia2,
                IntegrityAlgorithmId::Eia1,
                IntegrityAlgorithmId::Eia3,
            ],
            mme_group_id: 0x0102,
            mme_code: 0x03,
        }
    }
}

/// What the MME reports.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum MmeEvent {
    /// SQN_HE was resynchronised from AUTS to this SQN_MS.
    Resynchronised {
        /// IMSI.
        imsi: String,
        /// SQN_MS recovered from AUTS.
        sqn_ms: u64,
    },
    /// The UE is attached.
    Attached {
        /// IMSI.
        imsi: String,
    },
    /// Data received from the UE (and echoed back).
    Data(Vec<u8>),
    /// Authentication rejected.
    AuthenticationRejected {
        /// IMSI.
        imsi: String,
    },
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct MmeStats {
    /// Received PDUs dropped (undecodable, integrity failure, replay, unexpected).
    pub dropped: u64,
    /// Authentication vectors generated.
    pub vectors: u64,
}

#[derive(Debug)]
struct Association {
    imsi: String,
    ue_caps: SecurityCapability,
    rand: [u8; 16],
    xres: Vec<u8>,
    kasme: Key256,
    ksi: NasKsi,
    esm_pti: u8,
}

/// The MME + HSS.
#[derive(Debug)]
pub struct Mme {
    config: MmeConfig,
    hss: BTreeMap<String, Subscriber>,
    rand_counter: u32,
    next_ksi: u8,
    next_tmsi: u32,
    assoc: Option<Association>,
    security: Option<NasSecurityContext>,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<MmeEvent>,
    stats: MmeStats,
}

impl Mme {
    /// An MME with an empty HSS.
    pub fn new(config: MmeConfig) -> Self {
        Self {
            config,
            hss: BTreeMap::new(),
            rand_counter: 0,
            next_ksi: 0,
            next_tmsi: 0x1000_0001,
            assoc: None,
            security: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            stats: MmeStats::default(),
        }
    }

    /// Adds (or replaces) a subscriber.
    pub fn add_subscriber(&mut self, imsi: &str, s: Subscriber) {
        self.hss.insert(imsi.to_string(), s);
    }

    /// A subscriber's record.
    pub fn subscriber(&self, imsi: &str) -> Option<&Subscriber> {
        self.hss.get(imsi)
    }

    /// Counters.
    pub fn stats(&self) -> &MmeStats {
        &self.stats
    }

    /// The NAS security context, once established.
    pub fn security(&self) -> Option<&NasSecurityContext> {
        self.security.as_ref()
    }

    /// Next NAS PDU to send to the UE.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<MmeEvent> {
        self.events.pop_front()
    }

    fn send(&mut self, m: NasMessage, header: SecurityHeaderType) {
        let plain = m.to_vec();
        let pdu = match (self.security.as_mut(), header) {
            (Some(ctx), h) if h != SecurityHeaderType::Plain => {
                ctx.protect(&plain, h).unwrap_or(plain)
            }
            _ => plain,
        };
        self.transmit.push_back(pdu);
    }

    /// Generates an authentication vector and sends AUTHENTICATION REQUEST (TS 33.102 §6.3.2).
    fn authenticate(&mut self) {
        let Some(a) = self.assoc.as_mut() else { return };
        let Some(sub) = self.hss.get_mut(&a.imsi) else {
            return;
        };
        self.rand_counter += 1;
        let mut rand = [0u8; 16];
        rand.copy_from_slice(
            &kdf(
                &self.config.rand_seed,
                0xff,
                &[&self.rand_counter.to_be_bytes()],
            )[..16],
        );
        let sqn = sqn_to_bytes(sub.sqn);
        sub.sqn += 32; // SEQ step of the TS 33.102 Annex C scheme (IND = 5 bits)
        let m = Milenage::new(&sub.k, &sub.opc);
        let (autn, o) = m.generate_autn(&rand, &sqn, &self.config.amf);
        let mut sqn_xor_ak = [0u8; 6];
        sqn_xor_ak.copy_from_slice(&autn[..6]);
        self.next_ksi = (self.next_ksi + 1) % 7;
        a.rand = rand;
        a.xres = o.res.to_vec();
        a.kasme = eps::kasme(&o.ck, &o.ik, &self.config.plmn, &sqn_xor_ak);
        a.ksi = NasKsi {
            mapped: false,
            ksi: self.next_ksi,
        };
        self.stats.vectors += 1;
        let req = AuthenticationRequest {
            nas_ksi: a.ksi,
            rand,
            autn,
        };
        self.send(
            EmmMessage::AuthenticationRequest(req).into(),
            SecurityHeaderType::Plain,
        );
    }

    /// A NAS PDU from the UE.
    pub fn handle_pdu(&mut self, pdu: &[u8]) {
        let Ok(msg) = NasMessage::parse(pdu, Direction::Uplink) else {
            self.stats.dropped += 1;
            return;
        };
        let m = match msg {
            NasMessage::Protected(_) => {
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
            m => m,
        };
        self.handle_message(m);
    }

    fn handle_message(&mut self, m: NasMessage) {
        match m {
            NasMessage::Emm(EmmMessage::AttachRequest(ar)) => {
                let MobileIdentity::Imsi(imsi) = ar.identity else {
                    self.stats.dropped += 1;
                    return;
                };
                if !self.hss.contains_key(&imsi) {
                    self.send(
                        EmmMessage::AttachReject(super::emm::AttachReject {
                            cause: 8,
                            ies: vec![],
                        })
                        .into(),
                        SecurityHeaderType::Plain,
                    );
                    return;
                }
                let pti = EsmMessage::parse(&ar.esm_container)
                    .map(|e| e.pti)
                    .unwrap_or(1);
                // A current security context (re-attach) stays in use until the new SECURITY
                // MODE COMMAND replaces it (TS 24.301 §5.4.3.1).
                self.assoc = Some(Association {
                    imsi,
                    ue_caps: ar.ue_network_capability,
                    rand: [0; 16],
                    xres: vec![],
                    kasme: [0; 32],
                    ksi: NasKsi::NO_KEY,
                    esm_pti: pti,
                });
                self.authenticate();
            }
            NasMessage::Emm(EmmMessage::AuthenticationResponse(r)) => {
                let Some(a) = self.assoc.as_ref() else { return };
                if r.res != a.xres {
                    let imsi = a.imsi.clone();
                    self.events
                        .push_back(MmeEvent::AuthenticationRejected { imsi });
                    self.send(
                        EmmMessage::AuthenticationReject.into(),
                        SecurityHeaderType::Plain,
                    );
                    return;
                }
                let caps = a.ue_caps.clone();
                let c = self
                    .config
                    .ciphering
                    .iter()
                    .copied()
                    .find(|c| caps.supports_eea(c.code()));
                let i = self
                    .config
                    .integrity
                    .iter()
                    .copied()
                    .find(|i| caps.supports_eia(i.code()));
                let (Some(c), Some(i)) = (c, i) else {
                    self.send(
                        EmmMessage::AttachReject(super::emm::AttachReject {
                            cause: cause::UE_SECURITY_CAPABILITIES_MISMATCH,
                            ies: vec![],
                        })
                        .into(),
                        SecurityHeaderType::Plain,
                    );
                    return;
                };
                self.security = Some(NasSecurityContext::new(
                    Role::Network,
                    a.ksi,
                    &a.kasme,
                    c,
                    i,
                ));
                let mut smc = SecurityModeCommand {
                    ciphering: c.code(),
                    integrity: i.code(),
                    nas_ksi: a.ksi,
                    replayed_ue_security_capabilities: SecurityCapability {
                        eea: caps.eea,
                        eia: caps.eia,
                        rest: vec![],
                    },
                    ies: vec![],
                };
                smc.set_imeisv_request(1);
                self.send(
                    EmmMessage::SecurityModeCommand(smc).into(),
                    SecurityHeaderType::IntegrityProtectedNewContext,
                );
            }
            NasMessage::Emm(EmmMessage::AuthenticationFailure(f)) => {
                let Some(a) = self.assoc.as_ref() else { return };
                let imsi = a.imsi.clone();
                let rand = a.rand;
                match (f.cause, f.auts()) {
                    (cause::SYNCH_FAILURE, Some(auts)) => {
                        let Some(sub) = self.hss.get_mut(&imsi) else {
                            return;
                        };
                        match Milenage::new(&sub.k, &sub.opc).verify_auts(&rand, &auts) {
                            Ok(sqn_ms) => {
                                let sqn_ms = sqn_from_bytes(&sqn_ms);
                                sub.sqn = sqn_ms + 32;
                                self.events
                                    .push_back(MmeEvent::Resynchronised { imsi, sqn_ms });
                                self.authenticate();
                            }
                            Err(_) => {
                                self.events
                                    .push_back(MmeEvent::AuthenticationRejected { imsi });
                                self.send(
                                    EmmMessage::AuthenticationReject.into(),
                                    SecurityHeaderType::Plain,
                                );
                            }
                        }
                    }
                    _ => {
                        self.events
                            .push_back(MmeEvent::AuthenticationRejected { imsi });
                        self.send(
                            EmmMessage::AuthenticationReject.into(),
                            SecurityHeaderType::Plain,
                        );
                    }
                }
            }
            NasMessage::Emm(EmmMessage::SecurityModeComplete(_)) => {
                let Some(a) = self.assoc.as_ref() else { return };
                let Some(sub) = self.hss.get(&a.imsi) else {
                    return;
                };
                let mut pdn = vec![0x01];
                pdn.extend_from_slice(&sub.ipv4);
                let bearer = EsmMessage {
                    ebi: 5,
                    pti: a.esm_pti,
                    body: EsmBody::ActivateDefaultEpsBearerContextRequest(
                        ActivateDefaultEpsBearerContextRequest {
                            eps_qos: vec![9],
                            apn: Apn::from_dotted("internet"),
                            pdn_address: pdn,
                            ies: vec![],
                        },
                    ),
                };
                let plmn = self.config.plmn.0;
                let mut acc = AttachAccept {
                    attach_result: 1,
                    t3412: 0x49,
                    tai_list: vec![0x00, plmn[0], plmn[1], plmn[2], 0x00, 0x01],
                    esm_container: bearer.to_vec(),
                    ies: vec![],
                };
                let guti = Guti {
                    plmn,
                    mme_group_id: self.config.mme_group_id,
                    mme_code: self.config.mme_code,
                    m_tmsi: self.next_tmsi,
                };
                self.next_tmsi = self.next_tmsi.wrapping_add(1);
                acc.set_guti(&MobileIdentity::Guti(guti));
                self.send(
                    EmmMessage::AttachAccept(acc).into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                );
            }
            NasMessage::Emm(EmmMessage::AttachComplete(_)) => {
                if let Some(a) = self.assoc.as_ref() {
                    self.events.push_back(MmeEvent::Attached {
                        imsi: a.imsi.clone(),
                    });
                }
            }
            NasMessage::Esm(EsmMessage {
                ebi,
                body: EsmBody::EsmDataTransport(d),
                ..
            }) if self.security.is_some() => {
                self.events.push_back(MmeEvent::Data(d.user_data.clone()));
                let echo = EsmMessage {
                    ebi,
                    pti: 0,
                    body: EsmBody::EsmDataTransport(d),
                };
                self.send(echo.into(), SecurityHeaderType::IntegrityProtectedCiphered);
            }
            _ => self.stats.dropped += 1,
        }
    }
}
