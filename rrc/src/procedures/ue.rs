//! The UE side of RRC for NB-IoT NTN (TS 36.331 §5.2, §5.3), sans-IO.
//!
//! What it does:
//! - **System information** (§5.2.2, §5.2.3a): MIB-NB → SIB1-NB → the SI messages; SIB2-NB gives
//!   the timers, SIB31-NB the serving-satellite assistance. A changed `systemInfoValueTag`
//!   invalidates the stored SIB1/SIB2 (not SIB31, which has its own validity). [`RrcEvent::SiAcquired`]
//!   once MIB, SIB1, SIB2 and (for an NTN cell that schedules it) SIB31 are stored.
//! - **SIB31-NB validity** (§5.2.2.39, §5.3.18): T317 runs from the epoch for
//!   ul-SyncValidityDuration. [`RrcEvent::AcquireSib31`] asks the layers below to read the SI
//!   message carrying SIB31 `sib31_refresh_margin` before T317 expires, immediately before a
//!   connection request (§5.2.2.4), and on T317 expiry. On expiry in RRC_CONNECTED the UE
//!   reports [`RrcEvent::UlSyncLost`] and runs T318; SIB31 in time gives
//!   [`RrcEvent::UlSyncRestored`], T318 expiry a radio link failure.
//! - **Connection establishment** (§5.3.3): RRCConnectionRequest-NB on SRB0 with T300,
//!   RRCConnectionSetup-NB → RRCConnectionSetupComplete-NB (with the initial NAS message) on
//!   SRB1bis, RRCConnectionReject-NB, T300 expiry. Resume (RRCConnectionResumeRequest-NB →
//!   RRCConnectionResume-NB → RRCConnectionResumeComplete-NB) and control-plane EDT
//!   (RRCEarlyDataRequest-NB → RRCEarlyDataComplete-NB, or fallback to a setup).
//! - **In RRC_CONNECTED**: DL/ULInformationTransfer-NB carry NAS; SecurityModeCommand is
//!   reported ([`RrcEvent::SecurityModeCommand`]); the stack derives the keys, checks the
//!   integrity and answers with [`UeRrc::security_mode_result`]; after SecurityModeComplete the
//!   DCCH moves from SRB1bis to SRB1. RRCConnectionRelease-NB ends the connection.
//! - **Radio link failure** (§5.3.11): N310 consecutive out-of-sync start T310, N311 in-sync stop
//!   it; T310 (or T318) expiry or a random-access problem is an RLF. Without AS security the UE
//!   goes to RRC_IDLE; with it, T311 runs for re-establishment and its expiry releases.
//!
//! `now` passed with a downlink message is the start of the subframe in which it was received
//! (for BCCH-DL-SCH that subframe's [`FrameTiming`] is passed too; SIB31's epoch depends on it).

use std::collections::VecDeque;

use ntn_rrc_asn1::{
    CipheringAlgorithmR12, DLCCCHMessageTypeNB, DLCCCHMessageTypeNBC1, DLDCCHMessageTypeNB,
    DLDCCHMessageTypeNBC1, DLInformationTransferNBCriticalExtensions,
    DLInformationTransferNBCriticalExtensionsC1, EstablishmentCauseNBR13, MasterInformationBlockNB,
    RRCConnectionRejectNBCriticalExtensions, RRCConnectionRejectNBCriticalExtensionsC1,
    RRCConnectionReleaseNBCriticalExtensions, RRCConnectionReleaseNBCriticalExtensionsC1,
    RRCConnectionResumeNBCriticalExtensions, RRCConnectionResumeNBCriticalExtensionsC1,
    RRCConnectionSetupNBCriticalExtensions, RRCConnectionSetupNBCriticalExtensionsC1,
    RRCEarlyDataCompleteNBR15CriticalExtensions, RRCEarlyDataRequestNBR15IEsEstablishmentCauseR15,
    RadioResourceConfigDedicatedNBR13, ReleaseCauseNBR13, SIBTypeNBV1530,
    SecurityAlgorithmConfigIntegrityProtAlgorithm, SecurityModeCommandCriticalExtensions,
    SecurityModeCommandCriticalExtensionsC1, SystemInformationBlockType1NB,
    SystemInformationBlockType2NBR13, SystemInformationBlockType31NBR17,
    SystemInformationBlockType32NBR17, SystemInformationNBCriticalExtensions,
    SystemInformationNBR13IEsSibTypeAndInfoR13Item as SibItem,
};
use ntn_types::time::{Duration, Instant};

use super::messages::{self, STmsi, UeIdentity, bits_to_u64};
use super::sysinfo::{
    FrameTiming, SiSchedule, TimerValues, si_index_of, sib31_epoch, ul_sync_validity_s,
};
use super::{ProcedureError, Srb, Timer, earliest};
use crate::codec;

/// Static configuration of a UE's RRC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UeRrcConfig {
    /// The UE supports NTN (acquires SIB31-NB, runs T317/T318).
    pub ntn_capable: bool,
    /// Ask for a new SIB31-NB this long before T317 expires, so the UL synchronisation never
    /// lapses while the satellite keeps broadcasting.
    pub sib31_refresh_margin: Duration,
    /// selectedPLMN-Identity in RRCConnectionSetupComplete-NB (1..=6, index into SIB1's list).
    pub selected_plmn_identity: u8,
    /// T318 when the cell does not broadcast `ntn-ConfigCommon-r17` (`None`: T317 expiry in
    /// RRC_CONNECTED waits for SIB31 without a deadline).
    pub t318_fallback: Option<Duration>,
}

impl Default for UeRrcConfig {
    fn default() -> Self {
        Self {
            ntn_capable: true,
            sib31_refresh_margin: Duration::from_secs(2),
            selected_plmn_identity: 1,
            t318_fallback: Some(Duration::from_millis(2000)),
        }
    }
}

/// The RRC state of the UE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UeRrcState {
    /// RRC_IDLE, no procedure running.
    Idle,
    /// A request is prepared but waits for a fresh SIB31-NB (§5.2.2.4: acquired immediately
    /// before establishing, resuming or EDT).
    WaitingForSib31,
    /// RRCConnectionRequest-NB / ResumeRequest / EarlyDataRequest sent, T300 running.
    Connecting,
    /// RRC_CONNECTED.
    Connected,
    /// Radio link failure with AS security active: T311 running (re-establishment cell
    /// selection); the stack either re-establishes or T311 expires into RRC_IDLE.
    RadioLinkFailure,
}

/// Why a connection attempt failed (the UE is back in RRC_IDLE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFailure {
    /// T300 expired (§5.3.3.6).
    T300Expiry,
    /// RRCConnectionReject-NB with extendedWaitTime (s).
    Rejected {
        /// extendedWaitTime-r13 in seconds.
        extended_wait_time_s: u16,
    },
}

/// Why a radio link failed (§5.3.11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RlfCause {
    /// T310 expired after N310 out-of-sync indications.
    T310Expiry,
    /// T318 expired: no SIB31-NB in time after the UL synchronisation was lost.
    T318Expiry,
    /// MAC indicated a random access problem.
    RandomAccessProblem,
    /// RLC indicated the maximum number of retransmissions.
    RlcMaxRetransmissions,
}

/// What an RRCConnectionRelease-NB said (or why the UE released itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// releaseCause-r13; `None` when the UE left RRC_CONNECTED on its own (RLF, T311).
    pub cause: Option<ReleaseCauseNBR13>,
    /// resumeIdentity-r13 (40 bits) for a suspended connection.
    pub resume_identity: Option<[u8; 5]>,
    /// extendedWaitTime-r13 in seconds.
    pub extended_wait_time_s: Option<u16>,
}

/// A connection resume (§5.3.3.3, RRCConnectionResumeRequest-NB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeRequest {
    /// resumeIdentity from the suspending release.
    pub resume_identity: [u8; 5],
    /// shortResumeMAC-I, computed by PDCP with the stored AS keys.
    pub short_resume_mac_i: [u8; 2],
    /// resumeCause.
    pub cause: EstablishmentCauseNBR13,
    /// NAS message for RRCConnectionResumeComplete-NB (also used as the initial NAS message if
    /// the network falls back to a setup).
    pub nas: Option<Vec<u8>>,
}

/// Control-plane early data transmission (§5.3.3.1b, RRCEarlyDataRequest-NB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlyDataRequest {
    /// The UE's S-TMSI.
    pub s_tmsi: STmsi,
    /// establishmentCause-r15.
    pub cause: RRCEarlyDataRequestNBR15IEsEstablishmentCauseR15,
    /// The NAS message (e.g. CONTROL PLANE SERVICE REQUEST with ESM DATA TRANSPORT).
    pub nas: Vec<u8>,
}

/// What the UE's RRC tells the stack.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RrcEvent {
    /// MIB-NB, SIB1-NB, SIB2-NB (and SIB31-NB if the cell schedules it) are stored and valid.
    SiAcquired,
    /// The stored SIB1/SIB2 became invalid (value tag changed); acquisition restarts.
    SiInvalidated,
    /// A new SIB31-NB: `epoch` per §6.7.3 and `valid_until` = epoch + ul-SyncValidityDuration
    /// (T317's deadline). The stack converts it (`ntn_stack::sib31`) for TA and Doppler.
    Sib31Updated {
        /// The broadcast value.
        sib31: Box<SystemInformationBlockType31NBR17>,
        /// The epoch as a virtual-time instant.
        epoch: Instant,
        /// When T317 expires.
        valid_until: Instant,
    },
    /// A new SIB32-NB (satellite assistance for discontinuous coverage).
    Sib32Updated(Box<SystemInformationBlockType32NBR17>),
    /// Please receive the SI message carrying SIB31-NB (its schedule, if SIB1 is known).
    AcquireSib31 {
        /// Where the SI message is sent.
        schedule: Option<SiSchedule>,
    },
    /// T317 expired: uplink synchronisation is lost (the UE must not transmit until a new
    /// SIB31-NB arrives).
    UlSyncLost,
    /// A new SIB31-NB arrived after `UlSyncLost`: the UE may transmit again.
    UlSyncRestored,
    /// RRC_CONNECTED reached. `config` is the RadioResourceConfigDedicated-NB to apply to
    /// MAC/RLC/PHY (absent in a resume without one).
    Connected {
        /// True after a resume, false after a setup.
        resumed: bool,
        /// The dedicated configuration from RRCConnectionSetup-NB / Resume-NB.
        config: Option<Box<RadioResourceConfigDedicatedNBR13>>,
    },
    /// The connection attempt failed; the UE is in RRC_IDLE.
    ConnectionFailed(ConnectionFailure),
    /// A downlink NAS message (DLInformationTransfer-NB or RRCEarlyDataComplete-NB).
    NasPdu(Vec<u8>),
    /// SecurityModeCommand: derive K_RRCint/K_RRCenc/K_UPenc for these algorithms, check the
    /// message's integrity, then call [`UeRrc::security_mode_result`].
    SecurityModeCommand {
        /// cipheringAlgorithm.
        ciphering: CipheringAlgorithmR12,
        /// integrityProtAlgorithm.
        integrity: SecurityAlgorithmConfigIntegrityProtAlgorithm,
    },
    /// AS security is active; DCCH now uses SRB1.
    SecurityActivated,
    /// Early data exchange finished (RRCEarlyDataComplete-NB); the UE stays in RRC_IDLE.
    EarlyDataComplete,
    /// The UE left RRC_CONNECTED (or the RLF recovery) for RRC_IDLE.
    Released(ReleaseInfo),
    /// Radio link failure detected. `reestablish` is true when AS security is active and T311
    /// runs (the stack may re-establish); false when the UE went straight to RRC_IDLE
    /// (a [`RrcEvent::Released`] follows).
    RadioLinkFailure {
        /// What failed.
        cause: RlfCause,
        /// Whether T311 runs.
        reestablish: bool,
    },
    /// A downlink PDU could not be decoded and was dropped (counted in [`UeRrc::decode_errors`]).
    DecodeError(crate::RrcError),
}

/// An uplink RRC message for the layer below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UlTransmit {
    /// The signalling radio bearer (logical channel) to send it on.
    pub srb: Srb,
    /// The UPER encoding.
    pub bytes: Vec<u8>,
}

/// What is waiting for SIB31 before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    Connect {
        identity: UeIdentity,
        cause: EstablishmentCauseNBR13,
        nas: Vec<u8>,
    },
    Resume(ResumeRequest),
    EarlyData(EarlyDataRequest),
}

/// The UE's RRC entity.
#[derive(Debug)]
pub struct UeRrc {
    config: UeRrcConfig,
    state: UeRrcState,
    mib: Option<MasterInformationBlockNB>,
    sib1: Option<SystemInformationBlockType1NB>,
    sib2: Option<SystemInformationBlockType2NBR13>,
    sib31: Option<SystemInformationBlockType31NBR17>,
    sib31_valid_until: Option<Instant>,
    si_acquired_reported: bool,
    sib31_requested: bool,
    timers: TimerValues,
    /// The request being made (kept for T300 handling and for the setup fallback).
    pending: Option<Pending>,
    security_active: bool,
    smc_transaction: Option<u8>,
    out_of_sync: u16,
    in_sync: u16,
    ul_sync_lost: bool,
    t300: Timer,
    t310: Timer,
    t311: Timer,
    t317: Timer,
    t318: Timer,
    sib31_refresh: Timer,
    tx: VecDeque<UlTransmit>,
    events: VecDeque<RrcEvent>,
    decode_errors: u64,
}

impl UeRrc {
    /// A UE in RRC_IDLE with no stored system information.
    pub fn new(config: UeRrcConfig) -> Self {
        Self {
            config,
            state: UeRrcState::Idle,
            mib: None,
            sib1: None,
            sib2: None,
            sib31: None,
            sib31_valid_until: None,
            si_acquired_reported: false,
            sib31_requested: false,
            timers: TimerValues::default(),
            pending: None,
            security_active: false,
            smc_transaction: None,
            out_of_sync: 0,
            in_sync: 0,
            ul_sync_lost: false,
            t300: Timer::default(),
            t310: Timer::default(),
            t311: Timer::default(),
            t317: Timer::default(),
            t318: Timer::default(),
            sib31_refresh: Timer::default(),
            tx: VecDeque::new(),
            events: VecDeque::new(),
            decode_errors: 0,
        }
    }

    /// The RRC state.
    pub fn state(&self) -> UeRrcState {
        self.state
    }

    /// The stored MIB-NB.
    pub fn mib(&self) -> Option<&MasterInformationBlockNB> {
        self.mib.as_ref()
    }

    /// The stored SIB1-NB.
    pub fn sib1(&self) -> Option<&SystemInformationBlockType1NB> {
        self.sib1.as_ref()
    }

    /// The stored SIB2-NB.
    pub fn sib2(&self) -> Option<&SystemInformationBlockType2NBR13> {
        self.sib2.as_ref()
    }

    /// The stored SIB31-NB, whether or not T317 still runs.
    pub fn sib31(&self) -> Option<&SystemInformationBlockType31NBR17> {
        self.sib31.as_ref()
    }

    /// True while T317 runs (the stored SIB31-NB may be used for UL synchronisation).
    pub fn sib31_valid(&self, now: Instant) -> bool {
        self.sib31_valid_until.is_some_and(|t| now < t)
    }

    /// The timers and constants in force.
    pub fn timer_values(&self) -> &TimerValues {
        &self.timers
    }

    /// Whether AS security is active.
    pub fn security_active(&self) -> bool {
        self.security_active
    }

    /// Downlink PDUs dropped because they did not decode.
    pub fn decode_errors(&self) -> u64 {
        self.decode_errors
    }

    /// Where the SI message carrying SIB31-NB is sent, if SIB1-NB schedules it.
    pub fn sib31_schedule(&self) -> Option<SiSchedule> {
        let sib1 = self.sib1.as_ref()?;
        SiSchedule::of(sib1, si_index_of(sib1, SIBTypeNBV1530::SibType31NBR17)?)
    }

    /// Where the SI message carrying SIB32-NB is sent, if SIB1-NB schedules it.
    pub fn sib32_schedule(&self) -> Option<SiSchedule> {
        let sib1 = self.sib1.as_ref()?;
        SiSchedule::of(sib1, si_index_of(sib1, SIBTypeNBV1530::SibType32NBR17)?)
    }

    /// Where the SI message carrying SIB2-NB (always the first one) is sent.
    pub fn sib2_schedule(&self) -> Option<SiSchedule> {
        SiSchedule::of(self.sib1.as_ref()?, 0)
    }

    /// Cell (re)selection: forget the stored system information of the old cell and stop the
    /// procedures bound to it (§5.3.3.5: a running establishment fails as on T300 expiry).
    pub fn handle_cell_reselection(&mut self, _now: Instant) {
        self.mib = None;
        self.sib1 = None;
        self.sib2 = None;
        self.sib31 = None;
        self.sib31_valid_until = None;
        self.si_acquired_reported = false;
        self.sib31_requested = false;
        self.t317.stop();
        self.sib31_refresh.stop();
        if matches!(
            self.state,
            UeRrcState::Connecting | UeRrcState::WaitingForSib31
        ) {
            self.t300.stop();
            self.pending = None;
            self.state = UeRrcState::Idle;
            self.events
                .push_back(RrcEvent::ConnectionFailed(ConnectionFailure::T300Expiry));
        }
    }

    // ---- system information -------------------------------------------------------------

    /// A BCCH-BCH PDU (MIB-NB).
    pub fn handle_bcch_bch(&mut self, now: Instant, bytes: &[u8]) {
        let msg = match codec::decode_bcch_bch(bytes) {
            Ok(m) => m,
            Err(e) => return self.decode_error(e),
        };
        let mib = msg.message.0;
        let changed = self
            .mib
            .as_ref()
            .is_some_and(|old| old.system_info_value_tag_r13 != mib.system_info_value_tag_r13);
        self.mib = Some(mib);
        if changed && (self.sib1.is_some() || self.sib2.is_some()) {
            // §5.2.1.3: stored SI except SIB14/SIB31 is invalid on a new value tag.
            self.sib1 = None;
            self.sib2 = None;
            self.si_acquired_reported = false;
            self.events.push_back(RrcEvent::SiInvalidated);
        }
        self.check_si_complete(now);
    }

    /// A BCCH-DL-SCH PDU (SIB1-NB or an SI message) received in subframe `rx` that started at
    /// `now`.
    pub fn handle_bcch_dl_sch(&mut self, now: Instant, rx: FrameTiming, bytes: &[u8]) {
        use ntn_rrc_asn1::{BCCHDLSCHMessageTypeNB as T, BCCHDLSCHMessageTypeNBC1 as C1};
        let msg = match codec::decode_bcch_dl_sch(bytes) {
            Ok(m) => m,
            Err(e) => return self.decode_error(e),
        };
        match msg.message {
            T::C1(C1::SystemInformationBlockType1R13(sib1)) => {
                self.sib1 = Some(sib1);
                self.check_si_complete(now);
            }
            T::C1(C1::SystemInformationR13(si)) => {
                let SystemInformationNBCriticalExtensions::SystemInformationR13(ies) =
                    si.critical_extensions
                else {
                    return;
                };
                for item in ies.sib_type_and_info_r13 {
                    match item {
                        SibItem::Sib2R13(sib2) => {
                            let t = TimerValues::from_sib2(&sib2);
                            self.timers = TimerValues {
                                t318: t.t318.or(self.timers.t318),
                                ..t
                            };
                            self.sib2 = Some(sib2);
                        }
                        SibItem::Sib31V1700(sib31) => self.on_sib31(now, rx, sib31),
                        SibItem::Sib32V1700(sib32) => {
                            self.events
                                .push_back(RrcEvent::Sib32Updated(Box::new(sib32)));
                        }
                        _ => {}
                    }
                }
                self.check_si_complete(now);
            }
            T::MessageClassExtension(_) => {}
        }
    }

    fn ntn_cell(&self) -> bool {
        self.config.ntn_capable && self.sib31_schedule().is_some()
    }

    fn check_si_complete(&mut self, now: Instant) {
        if self.sib1.is_some() && self.ntn_cell() && !self.sib31_valid(now) {
            // §5.2.2.4: an NTN-capable UE acquires SIB31-NB when SIB1-NB schedules it.
            self.request_sib31();
        }
        let complete = self.mib.is_some()
            && self.sib1.is_some()
            && self.sib2.is_some()
            && (!self.ntn_cell() || self.sib31_valid(now));
        if complete && !self.si_acquired_reported {
            self.si_acquired_reported = true;
            self.events.push_back(RrcEvent::SiAcquired);
        }
    }

    fn on_sib31(
        &mut self,
        now: Instant,
        rx: FrameTiming,
        sib31: SystemInformationBlockType31NBR17,
    ) {
        if !self.config.ntn_capable {
            return;
        }
        let schedule = self.sib31_schedule();
        let epoch = sib31_epoch(&sib31, rx, now, schedule.as_ref());
        let valid_until = epoch + Duration::from_secs(i64::from(ul_sync_validity_s(&sib31)));
        // §5.2.2.39: (re)start T317 from the epoch for ul-SyncValidityDuration.
        self.t317.start_at(valid_until);
        self.sib31_valid_until = Some(valid_until);
        self.sib31_refresh
            .start_at(valid_until - self.config.sib31_refresh_margin);
        self.sib31_requested = false;
        self.sib31 = Some(sib31.clone());
        self.events.push_back(RrcEvent::Sib31Updated {
            sib31: Box::new(sib31),
            epoch,
            valid_until,
        });
        if self.t318.running() || self.ul_sync_lost {
            self.t318.stop();
            self.ul_sync_lost = false;
            self.events.push_back(RrcEvent::UlSyncRestored);
        }
        if self.state == UeRrcState::WaitingForSib31 && self.sib31_valid(now) {
            self.send_pending(now);
        }
    }

    fn request_sib31(&mut self) {
        if !self.sib31_requested {
            self.sib31_requested = true;
            let schedule = self.sib31_schedule();
            self.events.push_back(RrcEvent::AcquireSib31 { schedule });
        }
    }

    // ---- connection establishment -------------------------------------------------------

    /// Upper layers request an RRC connection (§5.3.3.2) with the initial NAS message `nas`.
    /// On an NTN cell the request waits for a fresh SIB31-NB (the stack sees
    /// [`RrcEvent::AcquireSib31`]) unless the stored one is valid for longer than the refresh
    /// margin.
    pub fn connect(
        &mut self,
        now: Instant,
        identity: UeIdentity,
        cause: EstablishmentCauseNBR13,
        nas: Vec<u8>,
    ) -> Result<(), ProcedureError> {
        self.start_request(
            now,
            "connect",
            Pending::Connect {
                identity,
                cause,
                nas,
            },
        )
    }

    /// Upper layers request the resumption of a suspended connection (§5.3.3.3).
    pub fn resume(&mut self, now: Instant, request: ResumeRequest) -> Result<(), ProcedureError> {
        self.start_request(now, "resume", Pending::Resume(request))
    }

    /// Upper layers request control-plane early data transmission (§5.3.3.1b).
    pub fn early_data(
        &mut self,
        now: Instant,
        request: EarlyDataRequest,
    ) -> Result<(), ProcedureError> {
        self.start_request(now, "early_data", Pending::EarlyData(request))
    }

    fn start_request(
        &mut self,
        now: Instant,
        procedure: &'static str,
        pending: Pending,
    ) -> Result<(), ProcedureError> {
        if self.state != UeRrcState::Idle {
            return Err(ProcedureError::WrongState {
                procedure,
                state: self.state,
            });
        }
        if self.mib.is_none() || self.sib1.is_none() || self.sib2.is_none() {
            return Err(ProcedureError::SystemInformationMissing);
        }
        self.pending = Some(pending);
        let fresh = self
            .sib31_valid_until
            .is_some_and(|t| now + self.config.sib31_refresh_margin < t);
        if self.ntn_cell() && !fresh {
            self.state = UeRrcState::WaitingForSib31;
            self.request_sib31();
            Ok(())
        } else {
            self.send_pending(now);
            Ok(())
        }
    }

    fn send_pending(&mut self, now: Instant) {
        let (msg, t300) = match &self.pending {
            Some(Pending::Connect {
                identity, cause, ..
            }) => (
                messages::connection_request(*identity, *cause),
                self.timers.t300,
            ),
            Some(Pending::Resume(r)) => (
                messages::resume_request(r.resume_identity, r.short_resume_mac_i, r.cause),
                self.timers.t300,
            ),
            Some(Pending::EarlyData(r)) => (
                messages::early_data_request(r.s_tmsi, r.cause, &r.nas),
                self.timers.t300_edt.unwrap_or(self.timers.t300),
            ),
            None => return,
        };
        if self.send(Srb::Srb0, "UL-CCCH-Message-NB", &msg) {
            self.state = UeRrcState::Connecting;
            self.t300.start(now, t300);
            // §5.3.11: T310 only counts in RRC_CONNECTED without T300/T311.
            self.out_of_sync = 0;
        } else {
            self.pending = None;
            self.state = UeRrcState::Idle;
        }
    }

    fn send<T: ntn_rrc_asn1::rasn::Encode>(
        &mut self,
        srb: Srb,
        name: &'static str,
        msg: &T,
    ) -> bool {
        match codec::encode(name, msg) {
            Ok(bytes) => {
                self.tx.push_back(UlTransmit { srb, bytes });
                true
            }
            Err(e) => {
                // Our own builders stay within the constraints; report rather than panic.
                self.events.push_back(RrcEvent::DecodeError(e));
                false
            }
        }
    }

    fn dcch(&self) -> Srb {
        if self.security_active {
            Srb::Srb1
        } else {
            Srb::Srb1bis
        }
    }

    /// A DL-CCCH PDU (SRB0): RRCConnectionSetup-NB, -Reject-NB, RRCEarlyDataComplete-NB.
    pub fn handle_dl_ccch(&mut self, _now: Instant, bytes: &[u8]) {
        let msg = match codec::decode_dl_ccch(bytes) {
            Ok(m) => m,
            Err(e) => return self.decode_error(e),
        };
        if self.state != UeRrcState::Connecting {
            return; // §5.3.3: only expected while T300 runs.
        }
        let DLCCCHMessageTypeNB::C1(c1) = msg.message else {
            return;
        };
        match c1 {
            DLCCCHMessageTypeNBC1::RrcConnectionSetupR13(setup) => {
                let RRCConnectionSetupNBCriticalExtensions::C1(
                    RRCConnectionSetupNBCriticalExtensionsC1::RrcConnectionSetupR13(ies),
                ) = setup.critical_extensions
                else {
                    return;
                };
                self.t300.stop();
                let nas = match self.pending.take() {
                    Some(Pending::Connect { nas, .. }) => nas,
                    Some(Pending::EarlyData(r)) => r.nas,
                    Some(Pending::Resume(r)) => {
                        // Fallback to a setup: the stored AS context is discarded.
                        self.security_active = false;
                        r.nas.unwrap_or_default()
                    }
                    None => Vec::new(),
                };
                self.enter_connected(&ies.radio_resource_config_dedicated_r13);
                let complete = messages::setup_complete(
                    setup.rrc_transaction_identifier.0,
                    self.config.selected_plmn_identity,
                    &nas,
                );
                let srb = self.dcch();
                self.send(srb, "UL-DCCH-Message-NB", &complete);
                self.events.push_back(RrcEvent::Connected {
                    resumed: false,
                    config: Some(Box::new(ies.radio_resource_config_dedicated_r13)),
                });
            }
            DLCCCHMessageTypeNBC1::RrcConnectionRejectR13(reject) => {
                let wait = match reject.critical_extensions {
                    RRCConnectionRejectNBCriticalExtensions::C1(
                        RRCConnectionRejectNBCriticalExtensionsC1::RrcConnectionRejectR13(ies),
                    ) => ies.extended_wait_time_r13,
                    _ => 0,
                };
                self.t300.stop();
                self.pending = None;
                self.state = UeRrcState::Idle;
                self.events
                    .push_back(RrcEvent::ConnectionFailed(ConnectionFailure::Rejected {
                        extended_wait_time_s: wait,
                    }));
            }
            DLCCCHMessageTypeNBC1::RrcEarlyDataCompleteR15(done) => {
                if !matches!(self.pending, Some(Pending::EarlyData(_))) {
                    return;
                }
                self.t300.stop();
                self.pending = None;
                self.state = UeRrcState::Idle;
                if let RRCEarlyDataCompleteNBR15CriticalExtensions::RrcEarlyDataCompleteR15(ies) =
                    done.critical_extensions
                    && let Some(nas) = ies.dedicated_info_nas_r15
                {
                    self.events.push_back(RrcEvent::NasPdu(nas.0.to_vec()));
                }
                self.events.push_back(RrcEvent::EarlyDataComplete);
            }
            _ => {}
        }
    }

    fn enter_connected(&mut self, config: &RadioResourceConfigDedicatedNBR13) {
        self.state = UeRrcState::Connected;
        self.out_of_sync = 0;
        self.in_sync = 0;
        if let Some(rlf) = &config.rlf_timers_and_constants_r13 {
            let base = self
                .sib2
                .as_ref()
                .map(TimerValues::from_sib2)
                .unwrap_or_default();
            self.timers = self.timers.with_dedicated(rlf, &base);
        }
    }

    /// A DL-DCCH PDU (SRB1 or SRB1bis), after PDCP integrity check and deciphering.
    pub fn handle_dl_dcch(&mut self, _now: Instant, bytes: &[u8]) {
        let msg = match codec::decode_dl_dcch(bytes) {
            Ok(m) => m,
            Err(e) => return self.decode_error(e),
        };
        let DLDCCHMessageTypeNB::C1(c1) = msg.message else {
            return;
        };
        match c1 {
            DLDCCHMessageTypeNBC1::RrcConnectionResumeR13(resume) => {
                if self.state != UeRrcState::Connecting
                    || !matches!(self.pending, Some(Pending::Resume(_)))
                {
                    return;
                }
                let RRCConnectionResumeNBCriticalExtensions::C1(
                    RRCConnectionResumeNBCriticalExtensionsC1::RrcConnectionResumeR13(ies),
                ) = resume.critical_extensions
                else {
                    return;
                };
                self.t300.stop();
                let nas = match self.pending.take() {
                    Some(Pending::Resume(r)) => r.nas,
                    _ => None,
                };
                // §5.3.3.4a: the resumed AS security context is in use on SRB1.
                self.security_active = true;
                let config = ies.radio_resource_config_dedicated_r13;
                match &config {
                    Some(c) => self.enter_connected(c),
                    None => {
                        self.state = UeRrcState::Connected;
                        self.out_of_sync = 0;
                        self.in_sync = 0;
                    }
                }
                let complete = messages::resume_complete(
                    resume.rrc_transaction_identifier.0,
                    self.config.selected_plmn_identity,
                    nas.as_deref(),
                );
                self.send(Srb::Srb1, "UL-DCCH-Message-NB", &complete);
                self.events.push_back(RrcEvent::Connected {
                    resumed: true,
                    config: config.map(Box::new),
                });
            }
            _ if self.state != UeRrcState::Connected => {}
            DLDCCHMessageTypeNBC1::DlInformationTransferR13(dl) => {
                if let DLInformationTransferNBCriticalExtensions::C1(
                    DLInformationTransferNBCriticalExtensionsC1::DlInformationTransferR13(ies),
                ) = dl.critical_extensions
                {
                    self.events
                        .push_back(RrcEvent::NasPdu(ies.dedicated_info_nas_r13.0.to_vec()));
                }
            }
            DLDCCHMessageTypeNBC1::SecurityModeCommandR13(smc) => {
                if let SecurityModeCommandCriticalExtensions::C1(
                    SecurityModeCommandCriticalExtensionsC1::SecurityModeCommandR8(ies),
                ) = smc.critical_extensions
                {
                    let alg = ies.security_config_smc.security_algorithm_config;
                    self.smc_transaction = Some(smc.rrc_transaction_identifier.0);
                    self.events.push_back(RrcEvent::SecurityModeCommand {
                        ciphering: alg.ciphering_algorithm,
                        integrity: alg.integrity_prot_algorithm,
                    });
                }
            }
            DLDCCHMessageTypeNBC1::RrcConnectionReleaseR13(rel) => {
                let mut info = ReleaseInfo {
                    cause: None,
                    resume_identity: None,
                    extended_wait_time_s: None,
                };
                if let RRCConnectionReleaseNBCriticalExtensions::C1(
                    RRCConnectionReleaseNBCriticalExtensionsC1::RrcConnectionReleaseR13(ies),
                ) = rel.critical_extensions
                {
                    info.cause = Some(ies.release_cause_r13);
                    info.resume_identity = ies.resume_identity_r13.map(|r| {
                        let v = bits_to_u64(&r.0).to_be_bytes();
                        [v[3], v[4], v[5], v[6], v[7]]
                    });
                    info.extended_wait_time_s = ies.extended_wait_time_r13;
                }
                self.go_idle(info);
            }
            _ => {}
        }
    }

    /// The stack's answer to [`RrcEvent::SecurityModeCommand`]: `ok` when the keys are derived
    /// and the command passed the integrity check (SecurityModeComplete, AS security active),
    /// otherwise SecurityModeFailure (§5.3.4.3).
    pub fn security_mode_result(&mut self, _now: Instant, ok: bool) -> Result<(), ProcedureError> {
        let Some(tid) = self.smc_transaction.take() else {
            return Err(ProcedureError::WrongState {
                procedure: "security_mode_result",
                state: self.state,
            });
        };
        if ok {
            // Sent on SRB1, integrity protected, not yet ciphered (PDCP's business).
            self.send(
                Srb::Srb1,
                "UL-DCCH-Message-NB",
                &messages::security_mode_complete(tid),
            );
            self.security_active = true;
            self.events.push_back(RrcEvent::SecurityActivated);
        } else {
            let srb = self.dcch();
            self.send(
                srb,
                "UL-DCCH-Message-NB",
                &messages::security_mode_failure(tid),
            );
        }
        Ok(())
    }

    /// Upper layers send a NAS message in RRC_CONNECTED (ULInformationTransfer-NB, §5.6.2).
    pub fn send_nas(&mut self, _now: Instant, nas: &[u8]) -> Result<(), ProcedureError> {
        if self.state != UeRrcState::Connected {
            return Err(ProcedureError::WrongState {
                procedure: "send_nas",
                state: self.state,
            });
        }
        let srb = self.dcch();
        let msg = messages::ul_information_transfer(nas);
        self.send(srb, "UL-DCCH-Message-NB", &msg);
        Ok(())
    }

    /// Upper layers abort the connection (e.g. NAS detach without signalling): RRC_IDLE.
    pub fn abort(&mut self, _now: Instant) {
        if self.state != UeRrcState::Idle {
            self.go_idle(ReleaseInfo {
                cause: None,
                resume_identity: None,
                extended_wait_time_s: None,
            });
        }
    }

    fn go_idle(&mut self, info: ReleaseInfo) {
        self.state = UeRrcState::Idle;
        self.pending = None;
        self.security_active = false;
        self.smc_transaction = None;
        self.t300.stop();
        self.t310.stop();
        self.t311.stop();
        self.t318.stop();
        self.out_of_sync = 0;
        self.in_sync = 0;
        if let Some(sib2) = &self.sib2 {
            // Dedicated RLF timers end with the connection.
            let t = TimerValues::from_sib2(sib2);
            self.timers = TimerValues {
                t318: t.t318.or(self.timers.t318),
                ..t
            };
        }
        self.events.push_back(RrcEvent::Released(info));
    }

    // ---- radio link monitoring ----------------------------------------------------------

    /// An "out-of-sync" indication from the physical layer.
    pub fn handle_out_of_sync(&mut self, now: Instant) {
        self.in_sync = 0;
        if self.state != UeRrcState::Connected || self.t300.running() || self.t311.running() {
            return;
        }
        self.out_of_sync = self.out_of_sync.saturating_add(1);
        if self.out_of_sync >= self.timers.n310 && !self.t310.running() {
            self.t310.start(now, self.timers.t310);
            if self.timers.t310 == Duration::ZERO {
                self.handle_timeout(now);
            }
        }
    }

    /// An "in-sync" indication from the physical layer.
    pub fn handle_in_sync(&mut self, _now: Instant) {
        self.out_of_sync = 0;
        if !self.t310.running() {
            return;
        }
        self.in_sync = self.in_sync.saturating_add(1);
        if self.in_sync >= self.timers.n311 {
            self.t310.stop();
            self.in_sync = 0;
        }
    }

    /// MAC indicates a random access problem (RLF in RRC_CONNECTED, §5.3.11.3).
    pub fn handle_random_access_problem(&mut self, now: Instant) {
        if self.state == UeRrcState::Connected && !self.t300.running() && !self.t311.running() {
            self.radio_link_failure(now, RlfCause::RandomAccessProblem);
        }
    }

    /// RLC indicates the maximum number of retransmissions on an SRB or DRB.
    pub fn handle_rlc_max_retransmissions(&mut self, now: Instant) {
        if self.state == UeRrcState::Connected {
            self.radio_link_failure(now, RlfCause::RlcMaxRetransmissions);
        }
    }

    /// The stack found a suitable cell while T311 runs and re-establishes (or resumes) there:
    /// T311 stops and the UE is in RRC_IDLE, ready for the request.
    pub fn handle_suitable_cell_found(&mut self, _now: Instant) {
        if self.state == UeRrcState::RadioLinkFailure {
            self.t311.stop();
            self.state = UeRrcState::Idle;
        }
    }

    fn radio_link_failure(&mut self, now: Instant, cause: RlfCause) {
        self.t310.stop();
        self.t318.stop();
        if self.security_active {
            self.state = UeRrcState::RadioLinkFailure;
            self.t311.start(now, self.timers.t311);
            self.events.push_back(RrcEvent::RadioLinkFailure {
                cause,
                reestablish: true,
            });
        } else {
            self.events.push_back(RrcEvent::RadioLinkFailure {
                cause,
                reestablish: false,
            });
            self.go_idle(ReleaseInfo {
                cause: None,
                resume_identity: None,
                extended_wait_time_s: None,
            });
        }
    }

    // ---- time -----------------------------------------------------------------------------

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.t300.expired(now) {
            self.pending = None;
            self.state = UeRrcState::Idle;
            self.events
                .push_back(RrcEvent::ConnectionFailed(ConnectionFailure::T300Expiry));
        }
        if self.t310.expired(now) {
            self.radio_link_failure(now, RlfCause::T310Expiry);
        }
        if self.t311.expired(now) {
            self.go_idle(ReleaseInfo {
                cause: None,
                resume_identity: None,
                extended_wait_time_s: None,
            });
        }
        if self.sib31_refresh.expired(now) && self.ntn_cell() {
            self.request_sib31();
        }
        if self.t317.expired(now) {
            // §5.3.18.
            self.ul_sync_lost = true;
            self.events.push_back(RrcEvent::UlSyncLost);
            if self.state == UeRrcState::Connected
                && let Some(t318) = self.timers.t318.or(self.config.t318_fallback)
            {
                self.t318.start(now, t318);
            }
            self.sib31_requested = false;
            self.request_sib31();
        }
        if self.t318.expired(now) && self.state == UeRrcState::Connected {
            self.radio_link_failure(now, RlfCause::T318Expiry);
        }
    }

    /// The next instant [`Self::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest([
            self.t300.deadline(),
            self.t310.deadline(),
            self.t311.deadline(),
            self.t317.deadline(),
            self.t318.deadline(),
            self.sib31_refresh.deadline(),
        ])
    }

    /// The next uplink message for the layer below.
    pub fn poll_transmit(&mut self) -> Option<UlTransmit> {
        self.tx.pop_front()
    }

    /// The next event for the stack.
    pub fn poll_event(&mut self) -> Option<RrcEvent> {
        self.events.pop_front()
    }

    fn decode_error(&mut self, e: crate::RrcError) {
        self.decode_errors += 1;
        self.events.push_back(RrcEvent::DecodeError(e));
    }
}
