//! UE random access procedure for NB-IoT, TS 36.321 §5.1, with the Rel-17 NTN timing rules.
//!
//! Contention-based only: preamble (Msg1) → RAR (Msg2) → Msg3 on the RAR grant →
//! contention resolution (Msg4, UE Contention Resolution Identity MAC CE).
//!
//! Timing, all on the UE's own absolute time (the `now` it is given):
//! - RA Response window (§5.1.4): starts at the end of the last preamble repetition plus
//!   a few subframes (4, or 41 when NPRACH repetitions ≥ 64 — recalled, **UNCONFIRMED**;
//!   configurable as [`RaConfig::rar_window_delay`]), lasts ra-ResponseWindowSize. **NTN**: the start is
//!   further delayed by the UE–eNB RTT = UE TA + K_mac (ntn-reference.md §4.4, from the NR
//!   38.321/38.213 text; the 36.321 Rel-17 wording is **UNCONFIRMED** here). Without it a
//!   GEO RAR (≈ 541 ms round trip) arrives long after the window closed.
//! - Msg3 (TS 36.213 §16.3.3, §16.5.1): NPUSCH starts k0 subframes after the RAR's NPDSCH
//!   (k0 from the grant's scheduling delay; 12 for I_delay = 0) plus **K_offset** in NTN,
//!   transmitted TA earlier than the DL subframe (UL timing). A UE that ignores K_offset
//!   would have to send before it received the grant when TA > k0.
//! - mac-ContentionResolutionTimer: started after Msg3; **NTN**: at Msg3 end plus the
//!   UE–eNB RTT (ntn-reference.md §4.4).
//! - Preamble retransmission with power ramping (§5.1.3: PREAMBLE_RECEIVED_TARGET_POWER =
//!   initial + (counter − 1)·step on CE level 0, PCMAX on higher levels), CE-level
//!   escalation after maxNumPreambleAttemptCE (§5.1.1/§5.1.2), backoff drawn uniformly in
//!   [0, BI] (§5.1.4, NB-IoT Backoff Parameter values [`BACKOFF_NB_MS`]), and
//!   failure after preambleTransMax-CE attempts (§5.1.4: "indicate a Random Access problem
//!   to upper layers").

use super::pdu::{
    DlLcid, Dpr, LCID_CCCH, LinkDirection, MacPduRepr, MacSubPdu, NbRar, RarPduRepr,
    parse_contention_resolution_identity,
};
use ntn_types::{Duration, Instant};
use std::collections::VecDeque;

/// NB-IoT Backoff Parameter values (TS 36.321 §7.2), in ms; reserved indices 13–15 are
/// treated as the largest value. Cross-checked with Wireshark's NB-IoT BI table.
pub const BACKOFF_NB_MS: [u32; 16] = [
    0, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 524288,
    524288, 524288,
];

/// k0 of the NB-IoT RAR grant for I_delay = 0…3, in ms: 12 for I_delay = 0 (TS 36.213
/// §16.3.3, read), 16, 32, 64 otherwise (Table 16.5.1-1, as used for DCI N0).
pub const RAR_K0_MS: [i64; 4] = [12, 16, 32, 64];

/// NTN timing known to the UE (SystemInformationBlockType31, TS 36.331 §6.3.1:
/// k-Offset-r17 INTEGER (0..1023) "Unit in ms"; k-Mac-r17 INTEGER (1..512) "Unit in ms",
/// absent ⇒ 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtnTiming {
    /// K_offset (cell specific), as a time (1 ms subframes).
    pub k_offset: Duration,
    /// K_mac, as a time.
    pub k_mac: Duration,
    /// Apply the RAR-window offset (the NTN rule). `false` only to show why it exists.
    pub rar_window_offset: bool,
    /// Extend mac-ContentionResolutionTimer by the RTT.
    pub contention_timer_extension: bool,
    /// Add K_offset to the Msg3 timing.
    pub msg3_k_offset: bool,
}

impl NtnTiming {
    /// From the SIB31 fields, with every NTN rule applied; `None` if out of range.
    pub fn from_sib31(k_offset_ms: u16, k_mac_ms: Option<u16>) -> Option<Self> {
        if k_offset_ms > 1023 || k_mac_ms.is_some_and(|k| !(1..=512).contains(&k)) {
            return None;
        }
        Some(NtnTiming {
            k_offset: Duration::from_millis(i64::from(k_offset_ms)),
            k_mac: Duration::from_millis(i64::from(k_mac_ms.unwrap_or(0))),
            rar_window_offset: true,
            contention_timer_extension: true,
            msg3_k_offset: true,
        })
    }
}

/// RA configuration (RACH-ConfigCommon-NB, NPRACH-Parameters-NB).
#[derive(Debug, Clone, PartialEq)]
pub struct RaConfig {
    /// preambleTransMax-CE: attempts before a Random Access problem.
    pub preamble_trans_max: u32,
    /// maxNumPreambleAttemptCE per CE level (index = CE level).
    pub max_attempts_per_ce: Vec<u32>,
    /// Time from the start of the preamble to the end of its last repetition.
    pub preamble_duration: Duration,
    /// Delay from the preamble end to the window start (4 ms, or 41 ms for ≥ 64 reps).
    pub rar_window_delay: Duration,
    /// ra-ResponseWindowSize as a time.
    pub ra_response_window: Duration,
    /// mac-ContentionResolutionTimer as a time.
    pub contention_resolution_timer: Duration,
    /// Duration of Msg3 (NPUSCH with its repetitions).
    pub msg3_duration: Duration,
    /// preambleInitialReceivedTargetPower in dBm.
    pub initial_target_power_dbm: f32,
    /// powerRampingStep in dB.
    pub power_ramping_step_db: f32,
    /// PCMAX in dBm (used on CE levels > 0).
    pub p_cmax_dbm: f32,
    /// NTN timing; `None` on a terrestrial cell.
    pub ntn: Option<NtnTiming>,
    /// Seed of the backoff draws.
    pub seed: u64,
}

/// What the UE transmits.
#[derive(Debug, Clone, PartialEq)]
pub enum RaTransmit {
    /// Msg1 on NPRACH.
    Preamble {
        /// Start of transmission.
        at: Instant,
        /// Preamble (subcarrier) index = RAPID.
        rapid: u8,
        /// CE level.
        ce_level: u8,
        /// PREAMBLE_RECEIVED_TARGET_POWER, dBm.
        target_power_dbm: f32,
    },
    /// Msg3 on NPUSCH: a UL-SCH MAC PDU (CCCH SDU with the DPR in front).
    Msg3 {
        /// Start of transmission (already advanced by TA).
        at: Instant,
        /// Temporary C-RNTI.
        tc_rnti: u16,
        /// The MAC PDU.
        pdu: Vec<u8>,
    },
}

/// Outcome of the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaEvent {
    /// Contention resolved: the TC-RNTI becomes the C-RNTI.
    Success {
        /// C-RNTI.
        c_rnti: u16,
        /// Timing Advance Command of the RAR (11 bits).
        ta_command: u16,
        /// Preamble transmissions used.
        attempts: u32,
    },
    /// Random Access problem indicated to RRC (§5.1.4, §5.1.5).
    Failure {
        /// Preamble transmissions used.
        attempts: u32,
    },
}

/// Counters for tests and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RaStats {
    /// Preambles sent.
    pub preambles: u32,
    /// RAR windows that expired without a matching RAR.
    pub rar_window_expiries: u32,
    /// RARs received outside the window or for another RAPID.
    pub rars_ignored: u32,
    /// Contention resolution failures (timer or identity mismatch).
    pub contention_failures: u32,
    /// Msg3 that could not be sent because its time had passed.
    pub msg3_too_late: u32,
    /// Malformed PDUs.
    pub malformed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// Next preamble due at the instant.
    PreamblePending(Instant),
    WaitRar {
        start: Instant,
        end: Instant,
    },
    /// Msg3 scheduled; contention timer from `timer_start`.
    WaitMsg4 {
        timer_start: Instant,
        deadline: Instant,
    },
    Done,
}

/// The UE random access entity.
#[derive(Debug, Clone)]
pub struct RaProcedure {
    cfg: RaConfig,
    state: State,
    ue_ta: Duration,
    ccch_sdu: Vec<u8>,
    dpr: Dpr,
    counter: u32,
    counter_ce: u32,
    ce_level: u8,
    rapid: u8,
    backoff: Duration,
    tc_rnti: u16,
    ta_command: u16,
    rng: u64,
    tx: VecDeque<RaTransmit>,
    events: VecDeque<RaEvent>,
    stats: RaStats,
}

impl RaProcedure {
    /// A new, idle entity.
    pub fn new(config: RaConfig, _now: Instant) -> Self {
        let rng = config.seed | 1;
        RaProcedure {
            cfg: config,
            state: State::Idle,
            ue_ta: Duration::ZERO,
            ccch_sdu: Vec::new(),
            dpr: Dpr { ph: 0, dv: 0 },
            counter: 0,
            counter_ce: 0,
            ce_level: 0,
            rapid: 0,
            backoff: Duration::ZERO,
            tc_rnti: 0,
            ta_command: 0,
            rng,
            tx: VecDeque::new(),
            events: VecDeque::new(),
            stats: RaStats::default(),
        }
    }

    /// Starts the procedure (§5.1.1) for a Msg3 carrying `ccch_sdu` (≥ 6 bytes: its first
    /// 48 bits are the contention resolution identity). `ue_ta` is the UE's timing advance
    /// T_TA (its pre-compensated round trip to the reference point, from GNSS and the
    /// broadcast ephemeris and common TA).
    pub fn start(&mut self, now: Instant, ccch_sdu: Vec<u8>, dpr: Dpr, ue_ta: Duration) {
        self.ccch_sdu = ccch_sdu;
        self.dpr = dpr;
        self.ue_ta = ue_ta;
        self.counter = 0;
        self.counter_ce = 0;
        self.ce_level = 0;
        self.backoff = Duration::ZERO;
        self.state = State::PreamblePending(now);
    }

    /// Updates T_TA (the UE re-estimates it as the satellite moves).
    pub fn set_ue_ta(&mut self, ue_ta: Duration) {
        self.ue_ta = ue_ta;
    }

    /// UE–eNB RTT = T_TA + K_mac (TS 38.321 §3.1 definition, applied to IoT NTN).
    pub fn ue_enb_rtt(&self) -> Duration {
        self.ue_ta + self.cfg.ntn.map_or(Duration::ZERO, |n| n.k_mac)
    }

    /// Serves due deadlines: preamble transmission, RAR window end, contention timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::PreamblePending(at) if at <= now => self.send_preamble(at),
            State::WaitRar { end, .. } if end <= now => {
                self.stats.rar_window_expiries += 1;
                self.attempt_failed(now);
            }
            State::WaitMsg4 { deadline, .. } if deadline <= now => {
                self.stats.contention_failures += 1;
                self.attempt_failed(now);
            }
            _ => {}
        }
    }

    /// A RAR MAC PDU received on NPDSCH at `now` (end of the NPDSCH), addressed to our
    /// RA-RNTI.
    pub fn handle_rar(&mut self, now: Instant, pdu: &[u8]) {
        let State::WaitRar { start, end } = self.state else {
            self.stats.rars_ignored += 1;
            return;
        };
        let Ok(rar) = RarPduRepr::parse(pdu) else {
            self.stats.malformed += 1;
            return;
        };
        if let Some(bi) = rar.backoff_indicator {
            self.backoff = Duration::from_millis(i64::from(BACKOFF_NB_MS[usize::from(bi & 0x0f)]));
        }
        if now < start || now > end {
            self.stats.rars_ignored += 1;
            return;
        }
        let Some(&(_, r)) = rar.rars.iter().find(|(id, _)| *id == self.rapid) else {
            self.stats.rars_ignored += 1;
            return;
        };
        self.accept_rar(now, r);
    }

    /// A DL-SCH MAC PDU received at `now` for our TC-RNTI (Msg4).
    pub fn handle_msg4(&mut self, now: Instant, rnti: u16, pdu: &[u8]) {
        let State::WaitMsg4 { timer_start, .. } = self.state else {
            return;
        };
        if rnti != self.tc_rnti || now < timer_start {
            return;
        }
        let Ok(p) = MacPduRepr::parse(pdu, LinkDirection::Downlink) else {
            self.stats.malformed += 1;
            return;
        };
        let cri = p
            .elements
            .iter()
            .find(|e| DlLcid::from_bits(e.lcid) == DlLcid::ContentionResolutionIdentity)
            .and_then(|e| parse_contention_resolution_identity(e.payload).ok());
        match cri {
            Some(id) if self.ccch_sdu.get(..6) == Some(&id[..]) => {
                self.state = State::Done;
                self.events.push_back(RaEvent::Success {
                    c_rnti: self.tc_rnti,
                    ta_command: self.ta_command,
                    attempts: self.counter,
                });
            }
            Some(_) => {
                // Another UE won the contention (§5.1.5).
                self.stats.contention_failures += 1;
                self.attempt_failed(now);
            }
            None => {}
        }
    }

    /// Next transmission.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<RaTransmit> {
        self.tx.pop_front()
    }

    /// Next outcome.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<RaEvent> {
        self.events.pop_front()
    }

    /// Next deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::PreamblePending(at) => Some(at),
            State::WaitRar { end, .. } => Some(end),
            State::WaitMsg4 { deadline, .. } => Some(deadline),
            State::Idle | State::Done => None,
        }
    }

    /// Counters.
    pub fn stats(&self) -> &RaStats {
        &self.stats
    }

    /// The RA Response window `[start, end]` for a preamble whose last repetition ends at
    /// `preamble_end` (exposed for tests and the cell-side scheduler).
    pub fn rar_window(&self, preamble_end: Instant) -> (Instant, Instant) {
        let mut start = preamble_end + self.cfg.rar_window_delay;
        if self.cfg.ntn.is_some_and(|n| n.rar_window_offset) {
            start += self.ue_enb_rtt();
        }
        (start, start + self.cfg.ra_response_window)
    }

    // ---- helpers ----

    fn next_rand(&mut self) -> u64 {
        // xorshift64*: deterministic per seed.
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn send_preamble(&mut self, at: Instant) {
        self.counter += 1;
        self.counter_ce += 1;
        let max_ce = self
            .cfg
            .max_attempts_per_ce
            .get(usize::from(self.ce_level))
            .copied()
            .unwrap_or(u32::MAX);
        if self.counter_ce > max_ce
            && usize::from(self.ce_level) + 1 < self.cfg.max_attempts_per_ce.len()
        {
            self.ce_level += 1;
            self.counter_ce = 1;
        }
        let power = if self.ce_level == 0 {
            self.cfg.initial_target_power_dbm
                + (self.counter_ce as f32 - 1.0) * self.cfg.power_ramping_step_db
        } else {
            self.cfg.p_cmax_dbm
        };
        self.rapid = (self.next_rand() % 48) as u8;
        self.stats.preambles += 1;
        self.tx.push_back(RaTransmit::Preamble {
            at,
            rapid: self.rapid,
            ce_level: self.ce_level,
            target_power_dbm: power,
        });
        let (start, end) = self.rar_window(at + self.cfg.preamble_duration);
        self.state = State::WaitRar { start, end };
    }

    fn accept_rar(&mut self, now: Instant, r: NbRar) {
        self.tc_rnti = r.tc_rnti;
        self.ta_command = r.ta;
        let k0 = Duration::from_millis(RAR_K0_MS[usize::from(r.grant.scheduling_delay & 3)]);
        let k_offset = self
            .cfg
            .ntn
            .filter(|n| n.msg3_k_offset)
            .map_or(Duration::ZERO, |n| n.k_offset);
        // UL subframe timing: the DL subframe n + k0 + K_offset, advanced by T_TA.
        let at = now + k0 + k_offset - self.ue_ta;
        if at < now {
            self.stats.msg3_too_late += 1;
            self.attempt_failed(now);
            return;
        }
        let mut ccch = Vec::with_capacity(1 + self.ccch_sdu.len());
        ccch.extend_from_slice(&self.dpr.emit().unwrap_or([0]));
        ccch.extend_from_slice(&self.ccch_sdu);
        let repr = MacPduRepr {
            elements: vec![MacSubPdu {
                lcid: LCID_CCCH,
                payload: &ccch,
            }],
            padding: 0,
        };
        let mut pdu = Vec::new();
        if repr
            .emit(LinkDirection::Uplink, 1 + ccch.len(), &mut pdu)
            .is_err()
        {
            self.stats.malformed += 1;
            self.attempt_failed(now);
            return;
        }
        self.tx.push_back(RaTransmit::Msg3 {
            at,
            tc_rnti: r.tc_rnti,
            pdu,
        });
        let mut timer_start = at + self.cfg.msg3_duration;
        if self.cfg.ntn.is_some_and(|n| n.contention_timer_extension) {
            timer_start += self.ue_enb_rtt();
        }
        self.state = State::WaitMsg4 {
            timer_start,
            deadline: timer_start + self.cfg.contention_resolution_timer,
        };
    }

    fn attempt_failed(&mut self, now: Instant) {
        if self.counter >= self.cfg.preamble_trans_max {
            self.state = State::Done;
            self.events.push_back(RaEvent::Failure {
                attempts: self.counter,
            });
            return;
        }
        let bo = self.backoff.as_nanos();
        let wait = if bo > 0 {
            Duration::from_nanos((self.next_rand() % (bo as u64 + 1)) as i64)
        } else {
            Duration::ZERO
        };
        self.state = State::PreamblePending(now + wait);
    }
}
