//! The cell (eNB) side of the NB-IoT RRC procedures that a simulated satellite cell needs,
//! sans-IO: periodic broadcast of MIB-NB, SIB1-NB and the SI messages (with the SFN/H-SFN
//! fields filled in for the frame they go out in), answers to connection requests, resumes and
//! early data, NAS transport, security mode command and release, for many UEs.
//!
//! Broadcast timing (simplified to one transmission per period; repetitions within the
//! period are the PHY's business): MIB-NB at subframe 0 of frames with SFN mod 64 = 0 (its
//! 640 ms TTI), SIB1-NB at subframe 4 of frames with SFN mod 256 = 0 (its 2560 ms period), each
//! SI message at the start of its SI-window (TS 36.331 §5.2.3a).

use std::collections::{BTreeMap, VecDeque};

use ntn_rrc_asn1::rasn::types::BitString;
use ntn_rrc_asn1::{
    BCCHBCHMessageNB, BCCHBCHMessageTypeNB, BCCHDLSCHMessageNB, BCCHDLSCHMessageTypeNB,
    BCCHDLSCHMessageTypeNBC1, EstablishmentCauseNBR13, MasterInformationBlockNB,
    RRCConnectionRequestNBCriticalExtensions, RRCConnectionResumeRequestNBCriticalExtensions,
    RRCConnectionSetupCompleteNBCriticalExtensions, RRCEarlyDataRequestNBR15CriticalExtensions,
    RadioResourceConfigDedicatedNBR13, ReleaseCauseNBR13, SecurityAlgorithmConfig,
    SystemInformationBlockType1NB, SystemInformationBlockType31NBR17, SystemInformationNB,
    SystemInformationNBCriticalExtensions,
    SystemInformationNBR13IEsSibTypeAndInfoR13Item as SibItem, ULCCCHMessageTypeNB,
    ULCCCHMessageTypeNBC1, ULDCCHMessageTypeNB, ULDCCHMessageTypeNBC1,
    ULInformationTransferNBCriticalExtensions,
};
use ntn_types::time::{Duration, Instant};

use super::messages::{self, STmsi, UeIdentity, bits_to_u64};
use super::sysinfo::{FrameTiming, SiSchedule};
use super::{ProcedureError, Srb};
use crate::codec;

/// The stack's handle for one UE at the cell (e.g. its C-RNTI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UeKey(pub u32);

/// Where a downlink RRC message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DlChannel {
    /// BCCH on BCH (NPBCH): MIB-NB.
    BcchBch,
    /// BCCH on DL-SCH (NPDSCH with SI-RNTI): SIB1-NB or an SI message.
    BcchDlSch,
    /// A UE's signalling radio bearer.
    Srb {
        /// The UE.
        ue: UeKey,
        /// SRB0 (CCCH), SRB1bis or SRB1 (DCCH).
        srb: Srb,
    },
}

/// A downlink RRC message for the layer below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellTransmit {
    /// The logical channel.
    pub channel: DlChannel,
    /// For broadcast: the subframe it is scheduled in (the RRC filled SFN/H-SFN for it).
    pub at: Option<FrameTiming>,
    /// The UPER encoding.
    pub bytes: Vec<u8>,
}

/// What the cell's RRC tells the cell stack.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CellEvent {
    /// RRCConnectionRequest-NB (already answered with RRCConnectionSetup-NB when
    /// [`CellRrcConfig::accept_connections`] is set).
    ConnectionRequest {
        /// The UE.
        ue: UeKey,
        /// ue-Identity.
        identity: UeIdentity,
        /// establishmentCause.
        cause: EstablishmentCauseNBR13,
    },
    /// RRCConnectionResumeRequest-NB; `known` says whether a suspended context matched (the
    /// cell answered with RRCConnectionResume-NB) or not (it fell back to a setup).
    ResumeRequest {
        /// The UE.
        ue: UeKey,
        /// Whether the resumeIdentity matched a suspended context.
        known: bool,
    },
    /// RRCEarlyDataRequest-NB: answer with [`CellRrc::early_data_complete`] (or
    /// [`CellRrc::accept_after_early_data`]).
    EarlyData {
        /// The UE.
        ue: UeKey,
        /// s-TMSI.
        s_tmsi: STmsi,
        /// The NAS message.
        nas: Vec<u8>,
    },
    /// RRCConnectionSetupComplete-NB or ResumeComplete-NB: the UE is connected.
    Connected {
        /// The UE.
        ue: UeKey,
        /// dedicatedInfoNAS (the initial NAS message), if any.
        nas: Option<Vec<u8>>,
    },
    /// ULInformationTransfer-NB.
    NasPdu {
        /// The UE.
        ue: UeKey,
        /// The NAS message.
        nas: Vec<u8>,
    },
    /// SecurityModeComplete: AS security is active for the UE.
    SecurityModeComplete {
        /// The UE.
        ue: UeKey,
    },
    /// SecurityModeFailure.
    SecurityModeFailure {
        /// The UE.
        ue: UeKey,
    },
    /// An uplink PDU that did not decode (dropped).
    DecodeError {
        /// The UE.
        ue: UeKey,
        /// Why.
        error: crate::RrcError,
    },
}

/// What the cell broadcasts and how it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRrcConfig {
    /// MIB-NB (SFN-MSB and H-SFN-LSB are overwritten per transmission).
    pub mib: MasterInformationBlockNB,
    /// SIB1-NB (H-SFN-MSB is overwritten per transmission).
    pub sib1: SystemInformationBlockType1NB,
    /// The SI messages in schedulingInfoList order (SIB2-NB in the first).
    pub si_messages: Vec<SystemInformationNB>,
    /// The instant of H-SFN 0, SFN 0, subframe 0.
    pub t0: Instant,
    /// RadioResourceConfigDedicated-NB sent in RRCConnectionSetup-NB.
    pub dedicated: RadioResourceConfigDedicatedNBR13,
    /// Answer RRCConnectionRequest-NB with a setup (otherwise the stack calls
    /// [`CellRrc::setup`] or [`CellRrc::reject`]).
    pub accept_connections: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UeState {
    SetupSent,
    EarlyData,
    Connected,
}

#[derive(Debug, Clone)]
struct UeCtx {
    state: UeState,
    security_active: bool,
    transaction: u8,
}

impl UeCtx {
    fn new(state: UeState) -> Self {
        Self {
            state,
            security_active: false,
            transaction: 0,
        }
    }
    fn next_transaction(&mut self) -> u8 {
        self.transaction = (self.transaction + 1) & 3;
        self.transaction
    }
    fn dcch(&self) -> Srb {
        if self.security_active {
            Srb::Srb1
        } else {
            Srb::Srb1bis
        }
    }
}

/// The cell's RRC entity.
#[derive(Debug)]
pub struct CellRrc {
    config: CellRrcConfig,
    schedules: Vec<SiSchedule>,
    /// Next subframe (ms since `t0`) not yet examined for broadcasts.
    cursor_ms: i64,
    ues: BTreeMap<UeKey, UeCtx>,
    /// Suspended contexts by resumeIdentity.
    suspended: BTreeMap<u64, bool>,
    tx: VecDeque<CellTransmit>,
    events: VecDeque<CellEvent>,
}

const MIB_PERIOD_FRAMES: i64 = 64;
const SIB1_PERIOD_FRAMES: i64 = 256;
const SIB1_SUBFRAME: i64 = 4;

impl CellRrc {
    /// A cell that starts broadcasting at `now`.
    pub fn new(config: CellRrcConfig, now: Instant) -> Self {
        let schedules = (0..config.si_messages.len())
            .filter_map(|i| SiSchedule::of(&config.sib1, i))
            .collect();
        let cursor_ms = (now - config.t0).as_nanos().div_euclid(1_000_000).max(0);
        Self {
            config,
            schedules,
            cursor_ms,
            ues: BTreeMap::new(),
            suspended: BTreeMap::new(),
            tx: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The configuration (as updated by [`Self::set_sib31`] and friends).
    pub fn config(&self) -> &CellRrcConfig {
        &self.config
    }

    /// Replaces the SIB31-NB in every SI message that carries one (new ephemeris, epoch…).
    pub fn set_sib31(&mut self, sib31: SystemInformationBlockType31NBR17) {
        for si in &mut self.config.si_messages {
            if let SystemInformationNBCriticalExtensions::SystemInformationR13(ies) =
                &mut si.critical_extensions
            {
                for item in &mut ies.sib_type_and_info_r13 {
                    if let SibItem::Sib31V1700(s) = item {
                        *s = sib31.clone();
                    }
                }
            }
        }
    }

    /// Replaces the `index`-th SI message.
    pub fn set_si_message(&mut self, index: usize, si: SystemInformationNB) {
        if let Some(slot) = self.config.si_messages.get_mut(index) {
            *slot = si;
        }
    }

    /// The UEs the cell has a context for, in key order.
    pub fn ues(&self) -> impl Iterator<Item = UeKey> + '_ {
        self.ues.keys().copied()
    }

    /// Whether the UE has completed the setup (or resume).
    pub fn is_connected(&self, ue: UeKey) -> bool {
        self.ues
            .get(&ue)
            .is_some_and(|c| c.state == UeState::Connected)
    }

    fn sf_to_instant(&self, ms: i64) -> Instant {
        self.config.t0 + Duration::from_millis(ms)
    }

    /// The first broadcast subframe (ms since t0) at or after `from`.
    fn next_broadcast_ms(&self, from: i64) -> i64 {
        let frame = from.div_euclid(10);
        let align = |period: i64, phase: i64| -> i64 {
            // first frame f >= frame with f mod period == phase
            frame + (phase - frame).rem_euclid(period)
        };
        let mut best = {
            let f = align(MIB_PERIOD_FRAMES, 0);
            if f * 10 >= from {
                f * 10
            } else {
                (f + MIB_PERIOD_FRAMES) * 10
            }
        };
        let sib1 = {
            let f = align(SIB1_PERIOD_FRAMES, 0);
            let t = f * 10 + SIB1_SUBFRAME;
            if t >= from {
                t
            } else {
                (f + SIB1_PERIOD_FRAMES) * 10 + SIB1_SUBFRAME
            }
        };
        best = best.min(sib1);
        for s in &self.schedules {
            let p = i64::from(s.periodicity_frames);
            let f = align(p, i64::from(s.start_frame));
            let t = if f * 10 >= from { f * 10 } else { (f + p) * 10 };
            best = best.min(t);
        }
        best
    }

    fn broadcast_at(&mut self, ms: i64) {
        let at = FrameTiming::from_absolute_subframe(ms);
        let frame = ms.div_euclid(10);
        if ms % 10 == 0 && frame % MIB_PERIOD_FRAMES == 0 {
            let mut mib = self.config.mib.clone();
            mib.system_frame_number_msb_r13 = BitString::from_slice(&[((at.sfn >> 6) as u8) << 4]);
            mib.system_frame_number_msb_r13.truncate(4);
            mib.hyper_sfn_lsb_r13 = BitString::from_slice(&[((at.hsfn & 3) as u8) << 6]);
            mib.hyper_sfn_lsb_r13.truncate(2);
            let msg = BCCHBCHMessageNB::new(BCCHBCHMessageTypeNB(mib));
            self.push_broadcast(DlChannel::BcchBch, at, "BCCH-BCH-Message-NB", &msg);
        }
        if ms % 10 == SIB1_SUBFRAME && frame % SIB1_PERIOD_FRAMES == 0 {
            let mut sib1 = self.config.sib1.clone();
            sib1.hyper_sfn_msb_r13 = BitString::from_slice(&[(at.hsfn >> 2) as u8]);
            let msg = BCCHDLSCHMessageNB::new(BCCHDLSCHMessageTypeNB::C1(
                BCCHDLSCHMessageTypeNBC1::SystemInformationBlockType1R13(sib1),
            ));
            self.push_broadcast(DlChannel::BcchDlSch, at, "BCCH-DL-SCH-Message-NB", &msg);
        }
        if ms % 10 == 0 {
            let due: Vec<usize> = self
                .schedules
                .iter()
                .filter(|s| {
                    frame.rem_euclid(i64::from(s.periodicity_frames)) == i64::from(s.start_frame)
                })
                .map(|s| s.si_index)
                .collect();
            for i in due {
                if let Some(si) = self.config.si_messages.get(i).cloned() {
                    let msg = BCCHDLSCHMessageNB::new(BCCHDLSCHMessageTypeNB::C1(
                        BCCHDLSCHMessageTypeNBC1::SystemInformationR13(si),
                    ));
                    self.push_broadcast(DlChannel::BcchDlSch, at, "BCCH-DL-SCH-Message-NB", &msg);
                }
            }
        }
    }

    fn push_broadcast<T: ntn_rrc_asn1::rasn::Encode>(
        &mut self,
        channel: DlChannel,
        at: FrameTiming,
        name: &'static str,
        msg: &T,
    ) {
        // A configuration outside the constraints fails here every period; it is dropped
        // (the configuration is the caller's, checked once by `encode` in their tests).
        if let Ok(bytes) = codec::encode(name, msg) {
            self.tx.push_back(CellTransmit {
                channel,
                at: Some(at),
                bytes,
            });
        }
    }

    fn send_to<T: ntn_rrc_asn1::rasn::Encode>(
        &mut self,
        ue: UeKey,
        srb: Srb,
        name: &'static str,
        msg: &T,
    ) -> Result<(), ProcedureError> {
        let bytes = codec::encode(name, msg)?;
        self.tx.push_back(CellTransmit {
            channel: DlChannel::Srb { ue, srb },
            at: None,
            bytes,
        });
        Ok(())
    }

    /// Emits every broadcast due up to `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let now_ms = (now - self.config.t0).as_nanos().div_euclid(1_000_000);
        loop {
            let next = self.next_broadcast_ms(self.cursor_ms);
            if next > now_ms {
                break;
            }
            self.broadcast_at(next);
            self.cursor_ms = next + 1;
        }
    }

    /// The next broadcast instant.
    pub fn poll_timeout(&self) -> Option<Instant> {
        Some(self.sf_to_instant(self.next_broadcast_ms(self.cursor_ms)))
    }

    /// The next downlink message.
    pub fn poll_transmit(&mut self) -> Option<CellTransmit> {
        self.tx.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<CellEvent> {
        self.events.pop_front()
    }

    /// An uplink CCCH PDU (SRB0) from `ue` (after MAC contention resolution).
    pub fn handle_ul_ccch(&mut self, now: Instant, ue: UeKey, bytes: &[u8]) {
        let msg = match codec::decode_ul_ccch(bytes) {
            Ok(m) => m,
            Err(error) => {
                self.events.push_back(CellEvent::DecodeError { ue, error });
                return;
            }
        };
        let ULCCCHMessageTypeNB::C1(c1) = msg.message else {
            return;
        };
        match c1 {
            ULCCCHMessageTypeNBC1::RrcConnectionRequestR13(req) => {
                let RRCConnectionRequestNBCriticalExtensions::RrcConnectionRequestR13(ies) =
                    req.critical_extensions
                else {
                    return;
                };
                self.events.push_back(CellEvent::ConnectionRequest {
                    ue,
                    identity: UeIdentity::from_asn1(&ies.ue_identity_r13),
                    cause: ies.establishment_cause_r13,
                });
                if self.config.accept_connections {
                    let _ = self.setup(now, ue);
                }
            }
            ULCCCHMessageTypeNBC1::RrcConnectionResumeRequestR13(req) => {
                let RRCConnectionResumeRequestNBCriticalExtensions::RrcConnectionResumeRequestR13(
                    ies,
                ) = req.critical_extensions
                else {
                    return;
                };
                let id = bits_to_u64(&ies.resume_id_r13.0);
                let known = self.suspended.remove(&id).is_some();
                self.events
                    .push_back(CellEvent::ResumeRequest { ue, known });
                if known {
                    let mut ctx = UeCtx::new(UeState::SetupSent);
                    ctx.security_active = true;
                    let t = ctx.next_transaction();
                    self.ues.insert(ue, ctx);
                    let msg = messages::connection_resume(t, None, 0);
                    let _ = self.send_to(ue, Srb::Srb1, "DL-DCCH-Message-NB", &msg);
                } else {
                    let _ = self.setup(now, ue);
                }
            }
            ULCCCHMessageTypeNBC1::RrcEarlyDataRequestR15(req) => {
                let RRCEarlyDataRequestNBR15CriticalExtensions::RrcEarlyDataRequestR15(ies) =
                    req.critical_extensions
                else {
                    return;
                };
                self.ues.insert(ue, UeCtx::new(UeState::EarlyData));
                self.events.push_back(CellEvent::EarlyData {
                    ue,
                    s_tmsi: STmsi::from_asn1(&ies.s_tmsi_r15),
                    nas: ies.dedicated_info_nas_r15.0.to_vec(),
                });
            }
            _ => {}
        }
    }

    /// Sends RRCConnectionSetup-NB to `ue` (creating its context).
    pub fn setup(&mut self, _now: Instant, ue: UeKey) -> Result<(), ProcedureError> {
        let mut ctx = UeCtx::new(UeState::SetupSent);
        let t = ctx.next_transaction();
        self.ues.insert(ue, ctx);
        let msg = messages::connection_setup(t, self.config.dedicated.clone());
        self.send_to(ue, Srb::Srb0, "DL-CCCH-Message-NB", &msg)
    }

    /// Sends RRCConnectionReject-NB to `ue` and forgets it.
    pub fn reject(
        &mut self,
        _now: Instant,
        ue: UeKey,
        extended_wait_time_s: u16,
    ) -> Result<(), ProcedureError> {
        self.ues.remove(&ue);
        let msg = messages::connection_reject(extended_wait_time_s);
        self.send_to(ue, Srb::Srb0, "DL-CCCH-Message-NB", &msg)
    }

    /// Ends an early data exchange with RRCEarlyDataComplete-NB (optionally with downlink NAS).
    pub fn early_data_complete(
        &mut self,
        _now: Instant,
        ue: UeKey,
        nas: Option<&[u8]>,
    ) -> Result<(), ProcedureError> {
        match self.ues.get(&ue) {
            Some(c) if c.state == UeState::EarlyData => {}
            _ => return Err(ProcedureError::UnknownUe(ue)),
        }
        self.ues.remove(&ue);
        let msg = messages::early_data_complete(nas);
        self.send_to(ue, Srb::Srb0, "DL-CCCH-Message-NB", &msg)
    }

    /// Answers an early data request with a full connection (fallback, RRCConnectionSetup-NB).
    pub fn accept_after_early_data(
        &mut self,
        now: Instant,
        ue: UeKey,
    ) -> Result<(), ProcedureError> {
        self.setup(now, ue)
    }

    /// An uplink DCCH PDU (SRB1bis or SRB1, after PDCP) from `ue`.
    pub fn handle_ul_dcch(&mut self, _now: Instant, ue: UeKey, bytes: &[u8]) {
        let msg = match codec::decode_ul_dcch(bytes) {
            Ok(m) => m,
            Err(error) => {
                self.events.push_back(CellEvent::DecodeError { ue, error });
                return;
            }
        };
        let Some(ctx) = self.ues.get_mut(&ue) else {
            return;
        };
        let ULDCCHMessageTypeNB::C1(c1) = msg.message else {
            return;
        };
        match c1 {
            ULDCCHMessageTypeNBC1::RrcConnectionSetupCompleteR13(c) => {
                if ctx.state != UeState::SetupSent {
                    return;
                }
                ctx.state = UeState::Connected;
                let nas = match c.critical_extensions {
                    RRCConnectionSetupCompleteNBCriticalExtensions::RrcConnectionSetupCompleteR13(
                        ies,
                    ) => Some(ies.dedicated_info_nas_r13.0.to_vec()),
                    _ => None,
                };
                self.events.push_back(CellEvent::Connected { ue, nas });
            }
            ULDCCHMessageTypeNBC1::RrcConnectionResumeCompleteR13(c) => {
                if ctx.state != UeState::SetupSent {
                    return;
                }
                ctx.state = UeState::Connected;
                let nas = match c.critical_extensions {
                    ntn_rrc_asn1::RRCConnectionResumeCompleteNBCriticalExtensions::RrcConnectionResumeCompleteR13(ies) => {
                        ies.dedicated_info_nas_r13.map(|n| n.0.to_vec())
                    }
                    _ => None,
                };
                self.events.push_back(CellEvent::Connected { ue, nas });
            }
            ULDCCHMessageTypeNBC1::UlInformationTransferR13(ul) => {
                if let ULInformationTransferNBCriticalExtensions::UlInformationTransferR13(ies) =
                    ul.critical_extensions
                {
                    self.events.push_back(CellEvent::NasPdu {
                        ue,
                        nas: ies.dedicated_info_nas_r13.0.to_vec(),
                    });
                }
            }
            ULDCCHMessageTypeNBC1::SecurityModeCompleteR13(_) => {
                ctx.security_active = true;
                self.events
                    .push_back(CellEvent::SecurityModeComplete { ue });
            }
            ULDCCHMessageTypeNBC1::SecurityModeFailureR13(_) => {
                self.events.push_back(CellEvent::SecurityModeFailure { ue });
            }
            _ => {}
        }
    }

    /// Sends a NAS message to a connected UE (DLInformationTransfer-NB).
    pub fn send_nas(&mut self, _now: Instant, ue: UeKey, nas: &[u8]) -> Result<(), ProcedureError> {
        let ctx = self.ues.get_mut(&ue).ok_or(ProcedureError::UnknownUe(ue))?;
        let t = ctx.next_transaction();
        let srb = ctx.dcch();
        let msg = messages::dl_information_transfer(t, nas);
        self.send_to(ue, srb, "DL-DCCH-Message-NB", &msg)
    }

    /// Starts AS security with SecurityModeCommand (on SRB1).
    pub fn start_security(
        &mut self,
        _now: Instant,
        ue: UeKey,
        algorithms: SecurityAlgorithmConfig,
    ) -> Result<(), ProcedureError> {
        let ctx = self.ues.get_mut(&ue).ok_or(ProcedureError::UnknownUe(ue))?;
        let t = ctx.next_transaction();
        let msg = messages::security_mode_command(t, algorithms);
        self.send_to(ue, Srb::Srb1, "DL-DCCH-Message-NB", &msg)
    }

    /// Releases a UE with RRCConnectionRelease-NB. With `suspend_as` the context is kept under
    /// that resumeIdentity (cause rrc-Suspend) for a later resume.
    pub fn release(
        &mut self,
        _now: Instant,
        ue: UeKey,
        cause: ReleaseCauseNBR13,
        suspend_as: Option<[u8; 5]>,
    ) -> Result<(), ProcedureError> {
        let mut ctx = self.ues.remove(&ue).ok_or(ProcedureError::UnknownUe(ue))?;
        if let Some(id) = suspend_as {
            let mut v = [0u8; 8];
            v[3..].copy_from_slice(&id);
            self.suspended
                .insert(u64::from_be_bytes(v), ctx.security_active);
        }
        let t = ctx.next_transaction();
        let msg = messages::connection_release(t, cause, suspend_as, None);
        self.send_to(ue, ctx.dcch(), "DL-DCCH-Message-NB", &msg)
    }
}
