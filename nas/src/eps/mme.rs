//! A minimal MME with an embedded HSS for the simulator (sans-IO): subscriber table, EPS AKA
//! vector generation with MILENAGE (TS 33.102 §6.3.2), SQN resynchronisation from AUTS
//! (§6.3.5), security mode control, attach accept with a default bearer, tracking area
//! update (normal and periodic), service request (SERVICE REQUEST and CONTROL PLANE SERVICE
//! REQUEST), paging of idle UEs for downlink data, and an echo of ESM DATA TRANSPORT (CIoT data
//! over NAS). Any number of UEs.
//!
//! The surface the cell stack uses (S1AP is not modelled, its role is played by these calls):
//! - [`Mme::handle_initial_ue_message`]`(now, ue, s_tmsi, pdu)`: the first NAS PDU of a new
//!   signalling connection; `s_tmsi` is the M-TMSI the UE gave the RAN (RRC), if any.
//! - [`Mme::handle_uplink_nas`]`(now, ue, pdu)`: any later uplink NAS PDU on that connection
//!   (an unknown `ue` is treated as an initial message without S-TMSI).
//! - [`Mme::handle_connection_released`]`(now, ue)`: the RAN released the connection; the UE is
//!   idle for the MME.
//! - [`Mme::poll_transmit`]` -> (ue, pdu)`: downlink NAS for a connection.
//! - [`Mme::poll_event`]: attach/TAU/service events, and [`MmeEvent::Paging`] the RAN must
//!   deliver to an idle UE.
//! - [`Mme::poll_timeout`] / [`Mme::handle_timeout`]: T3450/T3460 retransmissions and T3413
//!   paging repetition.
//!
//! `ue` ([`UeId`]) names a signalling connection (like an eNB UE S1AP ID); the MME keeps its
//! UE contexts by IMSI and finds them again after idle by GUTI / S-TMSI.

use std::collections::{BTreeMap, VecDeque};

use ntn_security::kdf::{PlmnId, eps, kdf};
use ntn_security::milenage::Milenage;
use ntn_security::{CipheringAlgorithmId, Direction, IntegrityAlgorithmId, Key128, Key256};
use ntn_types::{Duration, Instant};

use super::emm::{
    AttachAccept, AttachReject, AuthenticationRequest, EmmMessage, GutiReallocationCommand,
    SecurityModeCommand, cause,
};
use super::esm::{ActivateDefaultEpsBearerContextRequest, EsmDataTransport};
use super::security::{NasSecurityContext, Role};
use super::usim::{sqn_from_bytes, sqn_to_bytes};
use super::{EsmBody, EsmMessage, NasMessage, SecurityHeaderType};
use crate::SendError;
use crate::connections::Connections;
use crate::ie::{Apn, Guti, Ie, IeFormat, MobileIdentity, NasKsi, SecurityCapability};
use crate::retransmit::{Expiry, Retransmit};

/// A signalling connection between the RAN and the MME for one UE (the role of the S1AP UE
/// IDs). Chosen by the caller.
pub type UeId = u64;

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
    /// MME group ID for GUTIs.
    pub mme_group_id: u16,
    /// MME code.
    pub mme_code: u8,
    /// Tracking areas (TACs) of the registration area given to UEs, in the serving PLMN.
    pub tai_list: Vec<u16>,
    /// T3412 value sent in ATTACH/TAU ACCEPT, GPRS timer octet (TS 24.008 §10.5.7.3);
    /// 0x49 = 54 min.
    pub t3412: u8,
    /// T3450 (ATTACH ACCEPT, TAU ACCEPT with a new GUTI, GUTI REALLOCATION COMMAND) and T3460
    /// (AUTHENTICATION REQUEST, SECURITY MODE COMMAND): 6 s (TS 24.301 table 10.2.2).
    pub t3450: Duration,
    /// T3460.
    pub t3460: Duration,
    /// T3413: paging repetition.
    pub t3413: Duration,
    /// Retransmissions on T3450/T3460 before the procedure is abandoned (TS 24.301: 4).
    pub max_retransmissions: u8,
    /// Whether TAU ACCEPT assigns a new GUTI (then TAU COMPLETE is expected).
    pub new_guti_on_tau: bool,
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
            tai_list: vec![1],
            t3412: 0x49,
            t3450: Duration::from_secs(6),
            t3460: Duration::from_secs(6),
            t3413: Duration::from_secs(5),
            max_retransmissions: 4,
            new_guti_on_tau: true,
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
    /// A tracking area update was accepted.
    TrackingAreaUpdated {
        /// IMSI.
        imsi: String,
        /// EPS update type of the request (0 TA updating, 3 periodic).
        update_type: u8,
    },
    /// A service request (SERVICE REQUEST, CONTROL PLANE SERVICE REQUEST or EXTENDED SERVICE
    /// REQUEST) was accepted: the UE is connected again.
    ServiceRequestAccepted {
        /// IMSI.
        imsi: String,
        /// Connection it came on.
        ue: UeId,
    },
    /// The RAN must page this idle UE (S-TMSI = MME code + M-TMSI).
    Paging {
        /// IMSI (for the simulator's bookkeeping; the RAN pages by S-TMSI).
        imsi: String,
        /// MME code of the S-TMSI.
        mme_code: u8,
        /// M-TMSI of the S-TMSI.
        m_tmsi: u32,
    },
    /// Data received from the UE (and echoed back).
    Data {
        /// IMSI.
        imsi: String,
        /// User data.
        data: Vec<u8>,
    },
    /// Authentication rejected.
    AuthenticationRejected {
        /// IMSI.
        imsi: String,
    },
    /// A network procedure was abandoned after its last retransmission.
    ProcedureAbandoned {
        /// IMSI.
        imsi: String,
    },
    /// A message to the UE was not sent: it does not encode, or its NAS COUNT is exhausted
    /// (TS 33.401 §7.2.4.1: re-authenticate before the COUNT wraps; nothing is sent
    /// unprotected instead).
    NotSent {
        /// IMSI, when known.
        imsi: Option<String>,
        /// Why.
        error: SendError,
    },
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct MmeStats {
    /// Received PDUs dropped (undecodable, integrity failure, replay, unexpected, unknown UE).
    pub dropped: u64,
    /// Authentication vectors generated.
    pub vectors: u64,
    /// Retransmissions on T3450/T3460.
    pub retransmissions: u64,
    /// Paging messages requested (first and repeated).
    pub pagings: u64,
    /// Messages not sent ([`MmeEvent::NotSent`]).
    pub not_sent: u64,
}

#[derive(Debug)]
struct PendingAuth {
    rand: [u8; 16],
    xres: Vec<u8>,
    kasme: Key256,
    ksi: NasKsi,
}

#[derive(Debug)]
struct UeContext {
    ue_caps: SecurityCapability,
    auth: Option<PendingAuth>,
    esm_pti: u8,
    security: Option<NasSecurityContext>,
    guti: Option<Guti>,
    attached: bool,
    ebi: u8,
    /// Downlink user data waiting for the UE to answer paging.
    pending_dl: VecDeque<Vec<u8>>,
    /// T3413 deadline and repetitions, while paging.
    paging: Option<(Instant, u8)>,
    /// T3450 / T3460.
    retransmit: Option<Retransmit>,
}

/// The MME + HSS.
#[derive(Debug)]
pub struct Mme {
    config: MmeConfig,
    hss: BTreeMap<String, Subscriber>,
    rand_counter: u32,
    next_ksi: u8,
    next_tmsi: u32,
    ues: BTreeMap<String, UeContext>,
    connections: Connections,
    transmit: VecDeque<(UeId, Vec<u8>)>,
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
            ues: BTreeMap::new(),
            connections: Connections::default(),
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

    /// The NAS security context of a UE, once established.
    pub fn security(&self, imsi: &str) -> Option<&NasSecurityContext> {
        self.ues.get(imsi).and_then(|u| u.security.as_ref())
    }

    /// The GUTI assigned to a UE.
    pub fn guti(&self, imsi: &str) -> Option<Guti> {
        self.ues.get(imsi).and_then(|u| u.guti)
    }

    /// Whether the UE has a signalling connection (EMM-CONNECTED at the MME).
    pub fn is_connected(&self, imsi: &str) -> bool {
        self.ues.contains_key(imsi) && self.connections.connection(imsi).is_some()
    }

    /// Next downlink NAS PDU and the connection it goes on.
    pub fn poll_transmit(&mut self) -> Option<(UeId, Vec<u8>)> {
        self.transmit.pop_front()
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<MmeEvent> {
        self.events.pop_front()
    }

    /// The earliest network timer deadline (T3450, T3460, T3413).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.ues
            .values()
            .flat_map(|u| [u.retransmit.as_ref().map(|r| r.at), u.paging.map(|p| p.0)])
            .flatten()
            .min()
    }

    /// Timer expiries: T3450/T3460 resend the last message up to the configured count, then
    /// abandon the procedure; T3413 repeats paging (up to the same count).
    pub fn handle_timeout(&mut self, now: Instant) {
        let max = self.config.max_retransmissions;
        let t3413 = self.config.t3413;
        for (imsi, u) in self.ues.iter_mut() {
            if let Some(r) = u.retransmit.as_mut()
                && now >= r.at
            {
                match (r.expire(now, max), self.connections.connection(imsi)) {
                    (Expiry::Resend(pdu), Some(conn)) => {
                        self.stats.retransmissions += 1;
                        self.transmit.push_back((conn, pdu));
                    }
                    _ => {
                        u.retransmit = None;
                        self.events
                            .push_back(MmeEvent::ProcedureAbandoned { imsi: imsi.clone() });
                    }
                }
            }
            if let Some((at, n)) = u.paging
                && now >= at
            {
                if n < max
                    && let Some(g) = u.guti
                {
                    u.paging = Some((now + t3413, n + 1));
                    self.stats.pagings += 1;
                    self.events.push_back(MmeEvent::Paging {
                        imsi: imsi.clone(),
                        mme_code: g.mme_code,
                        m_tmsi: g.m_tmsi,
                    });
                } else {
                    u.paging = None;
                    u.pending_dl.clear();
                }
            }
        }
    }

    /// Downlink user data for a UE (CIoT data over NAS). Sent at once in ESM DATA TRANSPORT if
    /// the UE is connected; if it is idle the data waits and the UE is paged (T3413).
    /// Returns `false` for an unknown or unattached UE.
    pub fn handle_downlink_data(&mut self, now: Instant, imsi: &str, data: &[u8]) -> bool {
        let t3413 = self.config.t3413;
        let Some(u) = self.ues.get_mut(imsi) else {
            return false;
        };
        if !u.attached {
            return false;
        }
        match self.connections.connection(imsi) {
            Some(conn) => {
                let ebi = u.ebi;
                self.send_data(conn, imsi, ebi, data.to_vec());
            }
            None => {
                u.pending_dl.push_back(data.to_vec());
                if u.paging.is_none()
                    && let Some(g) = u.guti
                {
                    u.paging = Some((now + t3413, 0));
                    self.stats.pagings += 1;
                    self.events.push_back(MmeEvent::Paging {
                        imsi: imsi.to_string(),
                        mme_code: g.mme_code,
                        m_tmsi: g.m_tmsi,
                    });
                }
            }
        }
        true
    }

    /// Starts a GUTI reallocation for a connected UE (TS 24.301 §5.4.1): a new GUTI in GUTI
    /// REALLOCATION COMMAND, T3450 until GUTI REALLOCATION COMPLETE.
    pub fn handle_reallocate_guti(&mut self, now: Instant, imsi: &str) -> bool {
        let Some(u) = self.ues.get(imsi) else {
            return false;
        };
        let Some(conn) = self.connections.connection(imsi).filter(|_| u.attached) else {
            return false;
        };
        let guti = self.new_guti();
        let mut cmd = GutiReallocationCommand {
            guti: MobileIdentity::Guti(guti),
            ies: vec![],
        };
        cmd.set_tai_list(&self.tai_list_value());
        let t3450 = self.config.t3450;
        if let Some(u) = self.ues.get_mut(imsi) {
            u.guti = Some(guti);
        }
        self.send(
            now,
            conn,
            imsi,
            EmmMessage::GutiReallocationCommand(cmd).into(),
            SecurityHeaderType::IntegrityProtectedCiphered,
            Some(t3450),
        );
        true
    }

    /// The RAN released the connection: the UE is idle for the MME.
    pub fn handle_connection_released(&mut self, _now: Instant, ue: UeId) {
        if let Some(imsi) = self.connections.release(ue)
            && let Some(u) = self.ues.get_mut(&imsi)
        {
            u.retransmit = None;
        }
    }

    /// The first NAS PDU of a new signalling connection. `s_tmsi` is the M-TMSI part of the
    /// S-TMSI the UE gave the RAN, if any (needed for SERVICE REQUEST and CONTROL PLANE
    /// SERVICE REQUEST, which carry no identity).
    pub fn handle_initial_ue_message(
        &mut self,
        now: Instant,
        ue: UeId,
        s_tmsi: Option<u32>,
        pdu: &[u8],
    ) {
        if let Some(imsi) = s_tmsi.and_then(|t| self.imsi_by_m_tmsi(t)) {
            self.connections.bind(ue, &imsi);
        }
        self.handle_uplink_nas(now, ue, pdu);
    }

    /// An uplink NAS PDU on connection `ue`.
    pub fn handle_uplink_nas(&mut self, now: Instant, ue: UeId, pdu: &[u8]) {
        let Ok(msg) = NasMessage::parse(pdu, Direction::Uplink) else {
            self.stats.dropped += 1;
            return;
        };
        // Messages that identify the UE themselves bind the connection.
        if let Some(imsi) = self.identify(&msg) {
            self.connections.bind(ue, &imsi);
        }
        let Some(imsi) = self.connections.subscriber(ue).map(str::to_string) else {
            if let NasMessage::Emm(EmmMessage::AttachRequest(_)) = msg {
                // Unknown subscriber: EMM cause #8 "EPS services and non-EPS services not
                // allowed".
                let rej = EmmMessage::AttachReject(AttachReject {
                    cause: 8,
                    ies: vec![],
                });
                match NasMessage::from(rej).to_vec() {
                    Ok(pdu) => self.transmit.push_back((ue, pdu)),
                    Err(e) => self.not_sent(None, e.into()),
                }
            } else {
                self.stats.dropped += 1;
            }
            return;
        };
        let m = match msg {
            NasMessage::Protected(_) => {
                let opened = self.ues.get_mut(&imsi).and_then(|u| {
                    u.security
                        .as_mut()?
                        .unprotect_parse(pdu, |b, d| NasMessage::parse(b, d).ok())
                });
                match opened {
                    Some(m) => m,
                    None => {
                        self.stats.dropped += 1;
                        return;
                    }
                }
            }
            NasMessage::ServiceRequest(sr) => {
                let ok = self
                    .ues
                    .get_mut(&imsi)
                    .and_then(|u| u.security.as_mut())
                    .is_some_and(|c| c.verify_service_request(&sr).is_ok());
                if !ok {
                    self.stats.dropped += 1;
                    return;
                }
                self.service_accepted(now, ue, &imsi);
                return;
            }
            m => m,
        };
        self.handle_message(now, ue, &imsi, m);
    }

    // ---- internals ----------------------------------------------------------------------

    fn imsi_by_m_tmsi(&self, m_tmsi: u32) -> Option<String> {
        self.ues
            .iter()
            .find(|(_, u)| u.guti.is_some_and(|g| g.m_tmsi == m_tmsi))
            .map(|(i, _)| i.clone())
    }

    /// The IMSI an initial message names: ATTACH REQUEST by IMSI or GUTI, TAU REQUEST by old
    /// GUTI (read without opening the integrity protection: the MAC is checked afterwards with
    /// the context found).
    fn identify(&self, msg: &NasMessage) -> Option<String> {
        let inner;
        let m = match msg {
            NasMessage::Protected(p) if !p.header_type.is_ciphered() => {
                inner = NasMessage::parse(&p.payload, Direction::Uplink).ok()?;
                &inner
            }
            NasMessage::Protected(_) => return None,
            m => m,
        };
        let id = match m {
            NasMessage::Emm(EmmMessage::AttachRequest(a)) => &a.identity,
            NasMessage::Emm(EmmMessage::TrackingAreaUpdateRequest { old_guti, .. }) => old_guti,
            NasMessage::Emm(EmmMessage::ExtendedServiceRequest(x)) => &x.m_tmsi,
            _ => return None,
        };
        match id {
            MobileIdentity::Imsi(i) if self.hss.contains_key(i) => Some(i.clone()),
            MobileIdentity::Guti(g) => self.imsi_by_m_tmsi(g.m_tmsi),
            MobileIdentity::Tmsi(t) => self.imsi_by_m_tmsi(*t),
            _ => None,
        }
    }

    fn new_guti(&mut self) -> Guti {
        let g = Guti {
            plmn: self.config.plmn.0,
            mme_group_id: self.config.mme_group_id,
            mme_code: self.config.mme_code,
            m_tmsi: self.next_tmsi,
        };
        self.next_tmsi = self.next_tmsi.wrapping_add(1);
        g
    }

    /// TAI list value (TS 24.301 §9.9.3.33): one partial list of type 000 (one PLMN,
    /// non-consecutive TACs).
    fn tai_list_value(&self) -> Vec<u8> {
        let n = self.config.tai_list.len().clamp(1, 16);
        let mut v = vec![(n - 1) as u8];
        v.extend_from_slice(&self.config.plmn.0);
        for tac in self.config.tai_list.iter().take(n) {
            v.extend_from_slice(&tac.to_be_bytes());
        }
        if self.config.tai_list.is_empty() {
            v.extend_from_slice(&[0, 1]);
        }
        v
    }

    /// Protects (when a context exists and `header` is not plain) and queues a message on
    /// connection `ue`; `timer` starts T3450/T3460 with this PDU as the one to resend.
    fn send(
        &mut self,
        now: Instant,
        ue: UeId,
        imsi: &str,
        m: NasMessage,
        header: SecurityHeaderType,
        timer: Option<Duration>,
    ) {
        let plain = match m.to_vec() {
            Ok(p) => p,
            Err(e) => return self.not_sent(Some(imsi), e.into()),
        };
        let u = self.ues.get_mut(imsi);
        let pdu = match u {
            Some(u) => {
                let pdu = match (u.security.as_mut(), header) {
                    (Some(ctx), h) if h != SecurityHeaderType::Plain => {
                        match ctx.protect(&plain, h) {
                            Ok(pdu) => pdu,
                            Err(e) => return self.not_sent(Some(imsi), e.into()),
                        }
                    }
                    _ => plain,
                };
                u.retransmit = timer.map(|period| Retransmit::start(now, period, pdu.clone()));
                pdu
            }
            None => plain,
        };
        self.transmit.push_back((ue, pdu));
    }

    fn send_data(&mut self, conn: UeId, imsi: &str, ebi: u8, data: Vec<u8>) {
        let m = EsmMessage {
            ebi,
            pti: 0,
            body: EsmBody::EsmDataTransport(EsmDataTransport {
                user_data: data,
                ies: vec![],
            }),
        };
        let plain = match m.to_vec() {
            Ok(p) => p,
            Err(e) => return self.not_sent(Some(imsi), e.into()),
        };
        let Some(ctx) = self.ues.get_mut(imsi).and_then(|u| u.security.as_mut()) else {
            return;
        };
        match ctx.protect(&plain, SecurityHeaderType::IntegrityProtectedCiphered) {
            Ok(pdu) => self.transmit.push_back((conn, pdu)),
            Err(e) => self.not_sent(Some(imsi), e.into()),
        }
    }

    fn not_sent(&mut self, imsi: Option<&str>, error: SendError) {
        self.stats.not_sent += 1;
        self.events.push_back(MmeEvent::NotSent {
            imsi: imsi.map(str::to_string),
            error,
        });
    }

    /// Generates an authentication vector and sends AUTHENTICATION REQUEST (TS 33.102 §6.3.2).
    fn authenticate(&mut self, now: Instant, ue: UeId, imsi: &str) {
        let Some(sub) = self.hss.get_mut(imsi) else {
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
        let ksi = NasKsi {
            mapped: false,
            ksi: self.next_ksi,
        };
        let auth = PendingAuth {
            rand,
            xres: o.res.to_vec(),
            kasme: eps::kasme(&o.ck, &o.ik, &self.config.plmn, &sqn_xor_ak),
            ksi,
        };
        if let Some(u) = self.ues.get_mut(imsi) {
            u.auth = Some(auth);
        }
        self.stats.vectors += 1;
        let req = AuthenticationRequest {
            nas_ksi: ksi,
            rand,
            autn,
        };
        let t3460 = self.config.t3460;
        self.send(
            now,
            ue,
            imsi,
            EmmMessage::AuthenticationRequest(req).into(),
            SecurityHeaderType::Plain,
            Some(t3460),
        );
    }

    fn reject_auth(&mut self, now: Instant, ue: UeId, imsi: &str) {
        self.events.push_back(MmeEvent::AuthenticationRejected {
            imsi: imsi.to_string(),
        });
        self.send(
            now,
            ue,
            imsi,
            EmmMessage::AuthenticationReject.into(),
            SecurityHeaderType::Plain,
            None,
        );
    }

    /// The UE is connected again after a service request: stop paging, send what waited.
    fn service_accepted(&mut self, _now: Instant, ue: UeId, imsi: &str) {
        let Some(u) = self.ues.get_mut(imsi) else {
            return;
        };
        u.paging = None;
        let ebi = u.ebi;
        let waiting: Vec<Vec<u8>> = u.pending_dl.drain(..).collect();
        self.events.push_back(MmeEvent::ServiceRequestAccepted {
            imsi: imsi.to_string(),
            ue,
        });
        for d in waiting {
            self.send_data(ue, imsi, ebi, d);
        }
    }

    /// Handles user data from the UE: reported and echoed back on the same bearer.
    fn uplink_data(&mut self, ue: UeId, imsi: &str, ebi: u8, data: Vec<u8>) {
        self.events.push_back(MmeEvent::Data {
            imsi: imsi.to_string(),
            data: data.clone(),
        });
        self.send_data(ue, imsi, ebi, data);
    }

    fn handle_message(&mut self, now: Instant, ue: UeId, imsi: &str, m: NasMessage) {
        let secured = self.ues.get(imsi).is_some_and(|u| u.security.is_some());
        match m {
            NasMessage::Emm(EmmMessage::AttachRequest(ar)) => {
                let pti = EsmMessage::parse(&ar.esm_container)
                    .map(|e| e.pti)
                    .unwrap_or(1);
                // A current security context (re-attach) stays in use until the new SECURITY
                // MODE COMMAND replaces it (TS 24.301 §5.4.3.1).
                let security = self.ues.remove(imsi).and_then(|u| u.security);
                self.ues.insert(
                    imsi.to_string(),
                    UeContext {
                        ue_caps: ar.ue_network_capability,
                        auth: None,
                        esm_pti: pti,
                        security,
                        guti: None,
                        attached: false,
                        ebi: 5,
                        pending_dl: VecDeque::new(),
                        paging: None,
                        retransmit: None,
                    },
                );
                self.authenticate(now, ue, imsi);
            }
            NasMessage::Emm(EmmMessage::AuthenticationResponse(r)) => {
                let Some(u) = self.ues.get_mut(imsi) else {
                    return;
                };
                let Some(a) = u.auth.as_ref() else {
                    self.stats.dropped += 1;
                    return;
                };
                u.retransmit = None;
                if r.res != a.xres {
                    self.reject_auth(now, ue, imsi);
                    return;
                }
                let caps = u.ue_caps.clone();
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
                        now,
                        ue,
                        imsi,
                        EmmMessage::AttachReject(AttachReject {
                            cause: cause::UE_SECURITY_CAPABILITIES_MISMATCH,
                            ies: vec![],
                        })
                        .into(),
                        SecurityHeaderType::Plain,
                        None,
                    );
                    return;
                };
                u.security = Some(NasSecurityContext::new(
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
                let t3460 = self.config.t3460;
                self.send(
                    now,
                    ue,
                    imsi,
                    EmmMessage::SecurityModeCommand(smc).into(),
                    SecurityHeaderType::IntegrityProtectedNewContext,
                    Some(t3460),
                );
            }
            NasMessage::Emm(EmmMessage::AuthenticationFailure(f)) => {
                let Some(rand) = self
                    .ues
                    .get_mut(imsi)
                    .and_then(|u| {
                        u.retransmit = None;
                        u.auth.as_ref()
                    })
                    .map(|a| a.rand)
                else {
                    self.stats.dropped += 1;
                    return;
                };
                let (cause::SYNCH_FAILURE, Some(auts)) = (f.cause, f.auts()) else {
                    self.reject_auth(now, ue, imsi);
                    return;
                };
                let Some(sub) = self.hss.get_mut(imsi) else {
                    return;
                };
                match Milenage::new(&sub.k, &sub.opc).verify_auts(&rand, &auts) {
                    Ok(sqn_ms) => {
                        let sqn_ms = sqn_from_bytes(&sqn_ms);
                        sub.sqn = sqn_ms + 32;
                        self.events.push_back(MmeEvent::Resynchronised {
                            imsi: imsi.to_string(),
                            sqn_ms,
                        });
                        self.authenticate(now, ue, imsi);
                    }
                    Err(_) => self.reject_auth(now, ue, imsi),
                }
            }
            NasMessage::Emm(EmmMessage::SecurityModeComplete(_)) if secured => {
                let Some(sub) = self.hss.get(imsi) else {
                    return;
                };
                let mut pdn = vec![0x01];
                pdn.extend_from_slice(&sub.ipv4);
                let guti = self.new_guti();
                let tai_list = self.tai_list_value();
                let Some(u) = self.ues.get_mut(imsi) else {
                    return;
                };
                u.retransmit = None;
                u.guti = Some(guti);
                let bearer = EsmMessage {
                    ebi: u.ebi,
                    pti: u.esm_pti,
                    body: EsmBody::ActivateDefaultEpsBearerContextRequest(
                        ActivateDefaultEpsBearerContextRequest {
                            eps_qos: vec![9],
                            apn: Apn::from_dotted("internet"),
                            pdn_address: pdn,
                            ies: vec![],
                        },
                    ),
                };
                let esm_container = match bearer.to_vec() {
                    Ok(c) => c,
                    Err(e) => return self.not_sent(Some(imsi), e.into()),
                };
                let mut acc = AttachAccept {
                    attach_result: 1,
                    t3412: self.config.t3412,
                    tai_list,
                    esm_container,
                    ies: vec![],
                };
                acc.set_guti(&MobileIdentity::Guti(guti));
                let t3450 = self.config.t3450;
                self.send(
                    now,
                    ue,
                    imsi,
                    EmmMessage::AttachAccept(acc).into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                    Some(t3450),
                );
            }
            NasMessage::Emm(EmmMessage::AttachComplete(_)) if secured => {
                if let Some(u) = self.ues.get_mut(imsi) {
                    u.retransmit = None;
                    u.attached = true;
                }
                self.events.push_back(MmeEvent::Attached {
                    imsi: imsi.to_string(),
                });
            }
            NasMessage::Emm(EmmMessage::TrackingAreaUpdateRequest { update_type, .. })
                if secured =>
            {
                let new_guti = self.config.new_guti_on_tau.then(|| self.new_guti());
                let tai_list = self.tai_list_value();
                let t3412 = self.config.t3412;
                let Some(u) = self.ues.get_mut(imsi) else {
                    return;
                };
                if !u.attached {
                    self.stats.dropped += 1;
                    return;
                }
                let mut ies = vec![Ie {
                    iei: 0x5a,
                    format: IeFormat::Tv(1),
                    value: vec![t3412],
                }];
                if let Some(g) = new_guti {
                    u.guti = Some(g);
                    ies.push(Ie {
                        iei: 0x50,
                        format: IeFormat::Tlv,
                        value: MobileIdentity::Guti(g).to_vec(),
                    });
                }
                ies.push(Ie {
                    iei: 0x54,
                    format: IeFormat::Tlv,
                    value: tai_list,
                });
                let timer = new_guti.map(|_| self.config.t3450);
                self.events.push_back(MmeEvent::TrackingAreaUpdated {
                    imsi: imsi.to_string(),
                    update_type: update_type & 0x07,
                });
                self.send(
                    now,
                    ue,
                    imsi,
                    EmmMessage::TrackingAreaUpdateAccept {
                        update_result: 0,
                        ies,
                    }
                    .into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                    timer,
                );
            }
            NasMessage::Emm(
                EmmMessage::TrackingAreaUpdateComplete | EmmMessage::GutiReallocationComplete,
            ) if secured => {
                if let Some(u) = self.ues.get_mut(imsi) {
                    u.retransmit = None;
                }
            }
            NasMessage::Emm(EmmMessage::ControlPlaneServiceRequest { ies, .. }) if secured => {
                let data =
                    crate::ie::find_ie(&ies, 0x78).and_then(|ie| EsmMessage::parse(&ie.value).ok());
                // SERVICE ACCEPT completes the procedure for the UE (TS 24.301 §5.6.1.4.2).
                self.send(
                    now,
                    ue,
                    imsi,
                    EmmMessage::ServiceAccept { ies: vec![] }.into(),
                    SecurityHeaderType::IntegrityProtectedCiphered,
                    None,
                );
                self.service_accepted(now, ue, imsi);
                if let Some(EsmMessage {
                    ebi,
                    body: EsmBody::EsmDataTransport(d),
                    ..
                }) = data
                {
                    self.uplink_data(ue, imsi, ebi, d.user_data);
                }
            }
            NasMessage::Emm(EmmMessage::ExtendedServiceRequest(_)) if secured => {
                self.service_accepted(now, ue, imsi);
            }
            NasMessage::Esm(EsmMessage {
                ebi,
                body: EsmBody::EsmDataTransport(d),
                ..
            }) if secured => self.uplink_data(ue, imsi, ebi, d.user_data),
            _ => self.stats.dropped += 1,
        }
    }
}
