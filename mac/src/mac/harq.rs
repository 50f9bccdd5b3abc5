//! NB-IoT HARQ (TS 36.321 §5.3.2, §5.4.2; TS 36.213 §16.4.2, §16.5) with the IoT-NTN rules,
//! UE side ([`UeHarq`]) and cell side ([`CellHarq`]), sans-IO.
//!
//! NB-IoT HARQ is asynchronous and adaptive in both directions: one or two processes
//! (twoHARQ-Processes-r14), the process and the NDI are in DCI N1/N0, a retransmission is a
//! new DCI with the NDI not toggled (there is no PHICH); an UL grant with the NDI toggled is
//! the implicit ACK of the previous transport block of that process.
//!
//! IoT-NTN rules modelled here:
//! - **HARQ feedback disabling per DL process** (`downlinkHARQ-FeedbackDisabledBitmap-NB`,
//!   read in the TS 36.213 §16.4.2 text; the RRC field is Rel-18 and not in our 36.331
//!   V17.4.0 ASN.1): no NPUSCH format 2 is sent for that process, the UE starts no HARQ RTT
//!   timer for it, and the cell may reuse the process as soon as its NPDSCH ends instead of
//!   waiting a round trip for the ACK.
//! - **UL HARQ mode** per process: mode A waits for the UL HARQ RTT before a retransmission
//!   grant is expected; mode B starts no UL HARQ RTT timer, so the process can be granted
//!   again at once (TS 38.321 §5.4.2.1 uplinkHARQ-mode-r17 semantics; for NB-IoT the field
//!   is a Rel-18 addition, **UNCONFIRMED** in the 36.321 text).
//! - **HARQ RTT timers extended by the UE–eNB RTT** (T_TA + K_mac): NB-IoT DL HARQ RTT =
//!   k + 3 + N + deltaPDCCH subframes after the NPDSCH (k: NPDSCH end → ACK start, N: ACK
//!   duration), UL HARQ RTT = 4 + deltaPDCCH subframes after the NPUSCH (TS 36.321 §5.7,
//!   NB-IoT), each plus the UE–eNB RTT in NTN (as TS 38.321 §5.7 does for NR NTN; the
//!   IoT-NTN wording of 36.321 is **UNCONFIRMED**). deltaPDCCH (the wait for the next
//!   NPDCCH occasion) is left to the search-space logic of the caller.
//! - K_offset enters through the HARQ-ACK and NPUSCH timing of [`super::timing`].

use bytes::Bytes;
use ntn_types::{Duration, Instant};
use std::collections::VecDeque;
use thiserror::Error;

/// At most two HARQ processes per direction in NB-IoT (TS 36.213 §16.4, §16.5).
pub const MAX_PROCESSES: u8 = 2;

/// A HARQ input the entity refuses.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HarqError {
    /// HARQ process id beyond the configured number of processes.
    #[error("HARQ process {0} not configured")]
    NoSuchProcess(u8),
    /// A decoding result or PDU for a process with no transport block in flight.
    #[error("HARQ process {0} has no transport block in flight")]
    Idle(u8),
    /// A configuration outside the NB-IoT limits.
    #[error("HARQ configuration invalid: {0}")]
    Config(&'static str),
}

/// UL HARQ operation of one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UlHarqMode {
    /// Mode A: the UL HARQ RTT timer runs after every NPUSCH (a retransmission grant is not
    /// expected before it expires).
    #[default]
    A,
    /// Mode B: no UL HARQ RTT timer; the process may be granted again immediately.
    B,
}

/// HARQ configuration of one UE (and of the cell's view of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HarqConfig {
    /// Number of HARQ processes per direction (1 or 2).
    pub processes: u8,
    /// Bit i set: DL HARQ feedback disabled for process i.
    pub dl_feedback_disabled: u8,
    /// UL HARQ mode of process 0 and 1.
    pub ul_mode: [UlHarqMode; 2],
    /// UE–eNB RTT = T_TA + K_mac; zero in a terrestrial cell.
    pub ue_enb_rtt: Duration,
    /// Transmissions of one DL transport block the cell makes before giving up (cell side).
    pub max_dl_tx: u8,
}

impl HarqConfig {
    /// One process per direction, feedback on, mode A, no NTN round trip.
    pub fn terrestrial() -> Self {
        HarqConfig {
            processes: 1,
            dl_feedback_disabled: 0,
            ul_mode: [UlHarqMode::A; 2],
            ue_enb_rtt: Duration::ZERO,
            max_dl_tx: 4,
        }
    }

    /// Checks the limits.
    pub fn validate(&self) -> Result<(), HarqError> {
        if self.processes == 0 || self.processes > MAX_PROCESSES {
            return Err(HarqError::Config("processes must be 1 or 2"));
        }
        if self.max_dl_tx == 0 {
            return Err(HarqError::Config("max_dl_tx must be at least 1"));
        }
        if self.ue_enb_rtt < Duration::ZERO {
            return Err(HarqError::Config("negative UE-eNB RTT"));
        }
        Ok(())
    }

    /// Whether DL HARQ feedback is disabled for `process`.
    pub fn feedback_disabled(&self, process: u8) -> bool {
        process < 8 && self.dl_feedback_disabled & (1 << process) != 0
    }
}

/// What a DL assignment (DCI N1) means for the UE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DlAssignment {
    /// New transport block (NDI toggled or first reception): the soft buffer is flushed.
    pub new_data: bool,
    /// HARQ-ACK is to be sent for it.
    pub feedback: bool,
}

/// What an UL grant (DCI N0) asks of the UE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UlGrantKind {
    /// Build a new MAC PDU (NDI toggled, first grant, or an empty HARQ buffer) and hand it
    /// to [`UeHarq::set_ul_pdu`]. The previous transport block of the process is
    /// implicitly acknowledged.
    NewData,
    /// Retransmit the stored transport block.
    Retransmission(Bytes),
}

/// A HARQ-ACK the UE sends on NPUSCH format 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HarqAck {
    /// HARQ process.
    pub process: u8,
    /// ACK (true) or NACK.
    pub ack: bool,
    /// Start of the NPUSCH format 2 transmission.
    pub at: Instant,
}

/// UE HARQ outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HarqEvent {
    /// The DL HARQ RTT timer of a process expired: the UE monitors NPDCCH for a
    /// retransmission of it again.
    DlRttExpired(u8),
    /// The UL HARQ RTT timer of a process expired: a grant for it may come.
    UlRttExpired(u8),
    /// A DL transport block failed on a process with feedback disabled: no retransmission
    /// will come, RLC ARQ must recover.
    DlLostWithoutFeedback(u8),
}

/// UE counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HarqStats {
    /// DL transport blocks received as new data.
    pub dl_new: u64,
    /// DL retransmissions combined.
    pub dl_retx: u64,
    /// ACK/NACKs sent.
    pub acks_sent: u64,
    /// DL decodes on feedback-disabled processes that failed.
    pub dl_lost_no_feedback: u64,
    /// New UL transport blocks.
    pub ul_new: u64,
    /// UL retransmissions.
    pub ul_retx: u64,
    /// DL assignments or UL grants that arrived while the process's HARQ RTT timer ran.
    pub early_dci: u64,
    /// Retransmission grants for an empty UL HARQ buffer (treated as new data).
    pub ul_empty_buffer: u64,
}

#[derive(Debug, Clone, Default)]
struct DlProc {
    ndi: Option<bool>,
    in_flight: bool,
    rtt_until: Option<Instant>,
}

#[derive(Debug, Clone, Default)]
struct UlProc {
    ndi: Option<bool>,
    buffer: Option<Bytes>,
    tx_count: u32,
    rtt_until: Option<Instant>,
}

/// The UE's DL and UL HARQ entity for one serving cell.
#[derive(Debug, Clone)]
pub struct UeHarq {
    cfg: HarqConfig,
    dl: [DlProc; 2],
    ul: [UlProc; 2],
    tx: VecDeque<HarqAck>,
    events: VecDeque<HarqEvent>,
    stats: HarqStats,
}

impl UeHarq {
    /// A new entity; the configuration is checked.
    pub fn new(config: HarqConfig, _now: Instant) -> Result<Self, HarqError> {
        config.validate()?;
        Ok(UeHarq {
            cfg: config,
            dl: Default::default(),
            ul: Default::default(),
            tx: VecDeque::new(),
            events: VecDeque::new(),
            stats: HarqStats::default(),
        })
    }

    /// Applies a new configuration (RRC reconfiguration, new UE–eNB RTT as T_TA changes).
    pub fn reconfigure(&mut self, config: HarqConfig) -> Result<(), HarqError> {
        config.validate()?;
        self.cfg = config;
        Ok(())
    }

    /// Updates the UE–eNB RTT only.
    pub fn set_ue_enb_rtt(&mut self, rtt: Duration) {
        self.cfg.ue_enb_rtt = rtt.max(Duration::ZERO);
    }

    /// The configuration in force.
    pub fn config(&self) -> &HarqConfig {
        &self.cfg
    }

    fn check(&self, process: u8) -> Result<usize, HarqError> {
        if process < self.cfg.processes {
            Ok(usize::from(process))
        } else {
            Err(HarqError::NoSuchProcess(process))
        }
    }

    /// A DCI N1 for `process` with NDI `ndi` (§5.3.2.2: new transmission if the NDI toggled
    /// or this is the first reception of the process).
    pub fn handle_dl_assignment(
        &mut self,
        now: Instant,
        process: u8,
        ndi: bool,
    ) -> Result<DlAssignment, HarqError> {
        let i = self.check(process)?;
        let feedback = !self.cfg.feedback_disabled(process);
        let p = &mut self.dl[i];
        if p.rtt_until.is_some_and(|t| t > now) {
            self.stats.early_dci += 1;
        }
        let new_data = p.ndi != Some(ndi);
        p.ndi = Some(ndi);
        p.in_flight = true;
        if new_data {
            self.stats.dl_new += 1;
        } else {
            self.stats.dl_retx += 1;
        }
        Ok(DlAssignment { new_data, feedback })
    }

    /// The decoding result of the NPDSCH of `process`. With feedback enabled the HARQ-ACK is
    /// queued for `ack_start` (see [`super::timing::harq_ack_start`]) and the DL HARQ RTT
    /// timer runs to `ack_end` + 3 ms + UE–eNB RTT; with feedback disabled nothing is sent
    /// and a failure is reported as [`HarqEvent::DlLostWithoutFeedback`].
    pub fn handle_dl_decoded(
        &mut self,
        _now: Instant,
        process: u8,
        ok: bool,
        ack_start: Instant,
        ack_end: Instant,
    ) -> Result<(), HarqError> {
        let i = self.check(process)?;
        if !self.dl[i].in_flight {
            return Err(HarqError::Idle(process));
        }
        self.dl[i].in_flight = false;
        if self.cfg.feedback_disabled(process) {
            self.dl[i].rtt_until = None;
            if !ok {
                self.stats.dl_lost_no_feedback += 1;
                self.events
                    .push_back(HarqEvent::DlLostWithoutFeedback(process));
            }
            return Ok(());
        }
        self.tx.push_back(HarqAck {
            process,
            ack: ok,
            at: ack_start,
        });
        self.stats.acks_sent += 1;
        self.dl[i].rtt_until = Some(ack_end + Duration::from_millis(3) + self.cfg.ue_enb_rtt);
        Ok(())
    }

    /// A DCI N0 (or RAR grant) for `process` with NDI `ndi`, whose NPUSCH ends at `tx_end`.
    /// Starts the UL HARQ RTT timer (mode A) at `tx_end` + 4 ms + UE–eNB RTT.
    pub fn handle_ul_grant(
        &mut self,
        now: Instant,
        process: u8,
        ndi: bool,
        tx_end: Instant,
    ) -> Result<UlGrantKind, HarqError> {
        let i = self.check(process)?;
        let mode = self.cfg.ul_mode[i];
        let rtt = self.cfg.ue_enb_rtt;
        let p = &mut self.ul[i];
        if p.rtt_until.is_some_and(|t| t > now) {
            self.stats.early_dci += 1;
        }
        let toggled = p.ndi != Some(ndi);
        p.ndi = Some(ndi);
        p.rtt_until = match mode {
            UlHarqMode::A => Some(tx_end + Duration::from_millis(4) + rtt),
            UlHarqMode::B => None,
        };
        match (&p.buffer, toggled) {
            (Some(b), false) => {
                p.tx_count += 1;
                self.stats.ul_retx += 1;
                Ok(UlGrantKind::Retransmission(b.clone()))
            }
            (None, false) => {
                self.stats.ul_empty_buffer += 1;
                self.stats.ul_new += 1;
                p.tx_count = 1;
                Ok(UlGrantKind::NewData)
            }
            (_, true) => {
                p.buffer = None;
                p.tx_count = 1;
                self.stats.ul_new += 1;
                Ok(UlGrantKind::NewData)
            }
        }
    }

    /// Stores the MAC PDU built for a [`UlGrantKind::NewData`] grant of `process`.
    pub fn set_ul_pdu(&mut self, process: u8, pdu: Bytes) -> Result<(), HarqError> {
        let i = self.check(process)?;
        self.ul[i].buffer = Some(pdu);
        Ok(())
    }

    /// Transmissions of the current UL transport block of `process` (CURRENT_TX_NB + 1).
    pub fn ul_tx_count(&self, process: u8) -> u32 {
        self.ul.get(usize::from(process)).map_or(0, |p| p.tx_count)
    }

    /// Flushes all HARQ buffers (timeAlignmentTimer expiry, §5.2; MAC reset).
    pub fn flush(&mut self) {
        for p in &mut self.ul {
            p.buffer = None;
            p.ndi = None;
            p.rtt_until = None;
        }
        for p in &mut self.dl {
            *p = DlProc::default();
        }
    }

    /// Whether a retransmission DCI for DL `process` may be expected now (its HARQ RTT
    /// timer is not running).
    pub fn dl_expects_dci(&self, now: Instant, process: u8) -> bool {
        self.dl
            .get(usize::from(process))
            .is_some_and(|p| p.rtt_until.is_none_or(|t| t <= now))
    }

    /// Whether an UL grant for `process` may be expected now.
    pub fn ul_expects_grant(&self, now: Instant, process: u8) -> bool {
        self.ul
            .get(usize::from(process))
            .is_some_and(|p| p.rtt_until.is_none_or(|t| t <= now))
    }

    /// Serves expired HARQ RTT timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        for (i, p) in self.dl.iter_mut().enumerate() {
            if p.rtt_until.is_some_and(|t| t <= now) {
                p.rtt_until = None;
                self.events.push_back(HarqEvent::DlRttExpired(i as u8));
            }
        }
        for (i, p) in self.ul.iter_mut().enumerate() {
            if p.rtt_until.is_some_and(|t| t <= now) {
                p.rtt_until = None;
                self.events.push_back(HarqEvent::UlRttExpired(i as u8));
            }
        }
    }

    /// The earliest running HARQ RTT timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.dl
            .iter()
            .filter_map(|p| p.rtt_until)
            .chain(self.ul.iter().filter_map(|p| p.rtt_until))
            .min()
    }

    /// The next HARQ-ACK to send.
    pub fn poll_transmit(&mut self) -> Option<HarqAck> {
        self.tx.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<HarqEvent> {
        self.events.pop_front()
    }

    /// Counters.
    pub fn stats(&self) -> &HarqStats {
        &self.stats
    }
}

// ---------------------------------------------------------------------------------------
// Cell side
// ---------------------------------------------------------------------------------------

/// State of one DL HARQ process at the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellDlState {
    /// Free for a new transport block from this instant on.
    Free(Instant),
    /// Waiting for the HARQ-ACK expected at the cell by `deadline`.
    AwaitingAck {
        /// When the ACK should have arrived (its NPUSCH format 2 end plus margin).
        deadline: Instant,
    },
    /// NACKed (or ACK missing): retransmit the stored transport block.
    NeedsRetransmission,
}

/// What the cell should do next with a DL process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellDlAction {
    /// Schedule a new transport block (toggle the NDI).
    New {
        /// NDI to put in the DCI.
        ndi: bool,
    },
    /// Retransmit the stored transport block (same NDI).
    Retransmit {
        /// NDI to put in the DCI.
        ndi: bool,
        /// The transport block.
        tb: Bytes,
    },
}

#[derive(Debug, Clone)]
struct CellDlProc {
    state: CellDlState,
    ndi: bool,
    tb: Option<Bytes>,
    tx_count: u8,
}

/// Cell counters for one UE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellHarqStats {
    /// New DL transport blocks sent.
    pub dl_new: u64,
    /// DL retransmissions sent.
    pub dl_retx: u64,
    /// DL transport blocks dropped after max_dl_tx transmissions.
    pub dl_dropped: u64,
    /// ACKs missing at their deadline (treated as NACK).
    pub dl_dtx: u64,
}

/// The cell's DL HARQ processes for one UE (UL HARQ at the cell is driven by its scheduler
/// through the NDI of DCI N0: a decoded NPUSCH → toggle, a failed one → same NDI).
#[derive(Debug, Clone)]
pub struct CellHarq {
    cfg: HarqConfig,
    dl: Vec<CellDlProc>,
    stats: CellHarqStats,
}

impl CellHarq {
    /// All processes free at `now`.
    pub fn new(config: HarqConfig, now: Instant) -> Result<Self, HarqError> {
        config.validate()?;
        let dl = (0..config.processes)
            .map(|_| CellDlProc {
                state: CellDlState::Free(now),
                ndi: true,
                tb: None,
                tx_count: 0,
            })
            .collect();
        Ok(CellHarq {
            cfg: config,
            dl,
            stats: CellHarqStats::default(),
        })
    }

    /// State of DL `process`.
    pub fn dl_state(&self, process: u8) -> Option<CellDlState> {
        self.dl.get(usize::from(process)).map(|p| p.state)
    }

    /// A process that can be scheduled at `now` and what to send on it: a pending
    /// retransmission first, then a free process (lowest id).
    pub fn dl_next(&self, now: Instant) -> Option<(u8, CellDlAction)> {
        let retx = self.dl.iter().enumerate().find_map(|(i, p)| {
            (p.state == CellDlState::NeedsRetransmission).then(|| {
                (
                    i as u8,
                    CellDlAction::Retransmit {
                        ndi: p.ndi,
                        tb: p.tb.clone().unwrap_or_default(),
                    },
                )
            })
        });
        retx.or_else(|| {
            self.dl.iter().enumerate().find_map(|(i, p)| match p.state {
                CellDlState::Free(t) if t <= now => {
                    Some((i as u8, CellDlAction::New { ndi: !p.ndi }))
                }
                _ => None,
            })
        })
    }

    /// Records a transmission on `process` decided by [`CellHarq::dl_next`]: `tb` is the
    /// transport block, `npdsch_end` the end of its NPDSCH, `ack_end_at_cell` when the
    /// HARQ-ACK NPUSCH format 2 ends as received at the cell.
    pub fn dl_sent(
        &mut self,
        process: u8,
        action: &CellDlAction,
        tb: Bytes,
        npdsch_end: Instant,
        ack_end_at_cell: Instant,
    ) -> Result<(), HarqError> {
        let disabled = self.cfg.feedback_disabled(process);
        let p = self
            .dl
            .get_mut(usize::from(process))
            .ok_or(HarqError::NoSuchProcess(process))?;
        match action {
            CellDlAction::New { ndi } => {
                p.ndi = *ndi;
                p.tx_count = 1;
                self.stats.dl_new += 1;
            }
            CellDlAction::Retransmit { .. } => {
                p.tx_count = p.tx_count.saturating_add(1);
                self.stats.dl_retx += 1;
            }
        }
        p.tb = Some(tb);
        p.state = if disabled {
            // No feedback will come: the process is free once the NPDSCH is over.
            CellDlState::Free(npdsch_end)
        } else {
            CellDlState::AwaitingAck {
                deadline: ack_end_at_cell,
            }
        };
        Ok(())
    }

    /// A HARQ-ACK for `process` received at the cell at `now`.
    pub fn dl_feedback(&mut self, now: Instant, process: u8, ack: bool) -> Result<(), HarqError> {
        let max = self.cfg.max_dl_tx;
        let p = self
            .dl
            .get_mut(usize::from(process))
            .ok_or(HarqError::NoSuchProcess(process))?;
        if !matches!(p.state, CellDlState::AwaitingAck { .. }) {
            return Err(HarqError::Idle(process));
        }
        Self::resolve(p, now, ack, max, &mut self.stats);
        Ok(())
    }

    fn resolve(p: &mut CellDlProc, now: Instant, ack: bool, max: u8, stats: &mut CellHarqStats) {
        if ack {
            p.state = CellDlState::Free(now);
            p.tb = None;
        } else if p.tx_count >= max {
            stats.dl_dropped += 1;
            p.state = CellDlState::Free(now);
            p.tb = None;
        } else {
            p.state = CellDlState::NeedsRetransmission;
        }
    }

    /// Treats ACKs missing past their deadline as NACK (DTX).
    pub fn handle_timeout(&mut self, now: Instant) {
        let max = self.cfg.max_dl_tx;
        for p in &mut self.dl {
            if let CellDlState::AwaitingAck { deadline } = p.state
                && deadline < now
            {
                self.stats.dl_dtx += 1;
                Self::resolve(p, now, false, max, &mut self.stats);
            }
        }
    }

    /// The earliest ACK deadline still open (what [`CellHarq::handle_timeout`] acts on; when
    /// a process becomes free is in [`CellHarq::dl_state`]).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.dl
            .iter()
            .filter_map(|p| match p.state {
                CellDlState::AwaitingAck { deadline } => Some(deadline + Duration::from_nanos(1)),
                _ => None,
            })
            .min()
    }

    /// Counters.
    pub fn stats(&self) -> &CellHarqStats {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: i64) -> Instant {
        Instant::from_nanos(v * 1_000_000)
    }

    #[test]
    fn ndi_toggling_dl() {
        let mut h = UeHarq::new(HarqConfig::terrestrial(), ms(0)).unwrap();
        let a = h.handle_dl_assignment(ms(0), 0, false).unwrap();
        assert!(a.new_data && a.feedback);
        h.handle_dl_decoded(ms(10), 0, false, ms(25), ms(27))
            .unwrap();
        assert_eq!(
            h.poll_transmit(),
            Some(HarqAck {
                process: 0,
                ack: false,
                at: ms(25)
            })
        );
        // DL HARQ RTT: ACK end + 3 ms.
        assert_eq!(h.poll_timeout(), Some(ms(30)));
        assert!(!h.dl_expects_dci(ms(29), 0));
        let a = h.handle_dl_assignment(ms(40), 0, false).unwrap();
        assert!(!a.new_data, "same NDI: retransmission");
        let a = h.handle_dl_assignment(ms(80), 0, true).unwrap();
        assert!(a.new_data);
        assert!(h.handle_dl_assignment(ms(80), 1, true).is_err());
        assert_eq!(h.stats().dl_retx, 1);
    }

    #[test]
    fn ul_new_retx_and_implicit_ack() {
        let mut h = UeHarq::new(HarqConfig::terrestrial(), ms(0)).unwrap();
        assert_eq!(
            h.handle_ul_grant(ms(0), 0, true, ms(20)).unwrap(),
            UlGrantKind::NewData
        );
        h.set_ul_pdu(0, Bytes::from_static(b"tb1")).unwrap();
        // UL HARQ RTT: NPUSCH end + 4 ms.
        assert_eq!(h.poll_timeout(), Some(ms(24)));
        assert_eq!(
            h.handle_ul_grant(ms(30), 0, true, ms(50)).unwrap(),
            UlGrantKind::Retransmission(Bytes::from_static(b"tb1"))
        );
        assert_eq!(h.ul_tx_count(0), 2);
        assert_eq!(
            h.handle_ul_grant(ms(60), 0, false, ms(80)).unwrap(),
            UlGrantKind::NewData
        );
        assert_eq!(h.ul_tx_count(0), 1);
    }

    #[test]
    fn cell_missing_ack_is_a_nack_then_dropped() {
        let mut c = HarqConfig::terrestrial();
        c.max_dl_tx = 2;
        let mut h = CellHarq::new(c, ms(0)).unwrap();
        let (p, a) = h.dl_next(ms(0)).unwrap();
        h.dl_sent(p, &a, Bytes::from_static(b"t"), ms(10), ms(30))
            .unwrap();
        assert_eq!(h.poll_timeout(), Some(ms(30) + Duration::from_nanos(1)));
        h.handle_timeout(ms(31));
        assert_eq!(h.dl_state(0), Some(CellDlState::NeedsRetransmission));
        assert_eq!(h.poll_timeout(), None);
        let (p, a) = h.dl_next(ms(31)).unwrap();
        assert!(matches!(a, CellDlAction::Retransmit { .. }));
        h.dl_sent(p, &a, Bytes::from_static(b"t"), ms(40), ms(60))
            .unwrap();
        h.dl_feedback(ms(60), 0, false).unwrap();
        // Second transmission NACKed with max_dl_tx = 2: dropped, process free.
        assert_eq!(h.dl_state(0), Some(CellDlState::Free(ms(60))));
        assert_eq!(h.stats().dl_dropped, 1);
        assert_eq!(h.stats().dl_dtx, 1);
        assert!(h.dl_feedback(ms(61), 0, true).is_err());
    }

    #[test]
    fn config_limits() {
        let mut c = HarqConfig::terrestrial();
        c.processes = 3;
        assert!(UeHarq::new(c, ms(0)).is_err());
        c.processes = 0;
        assert!(CellHarq::new(c, ms(0)).is_err());
    }
}
