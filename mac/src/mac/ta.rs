//! Uplink time alignment for an NB-IoT NTN UE: the closed-loop timing advance N_TA with
//! timeAlignmentTimer (TS 36.321 §5.2), and the validity of the broadcast ephemeris and
//! common TA (SIB31 ul-SyncValidityDuration from epochTime, TS 36.331 §6.3.1: "maximum time
//! duration (from epochTime) during which the UE can apply the satellite ephemeris without
//! acquiring new satellite ephemeris").
//!
//! N_TA is kept in units of Ts = 1/(15000·2048) s (TS 36.211 §4): the RAR Timing Advance
//! Command sets N_TA = T_A·16; the MAC CE adjusts N_TA(new) = N_TA(old) + (T_A − 31)·16
//! (TS 36.213 §4.2.3). The NTN pre-compensation (UE-specific and common TA) is computed
//! outside MAC (stack::ntn_precomp); this entity only tracks the closed-loop part and the
//! two deadlines.

use super::pdu::TimingAdvanceCommand;
use ntn_types::{Duration, Instant};
use std::collections::VecDeque;

/// Ts in nanoseconds as a ratio: Ts = 10⁹ / 30 720 000 ns.
const TS_PER_SECOND: i64 = 30_720_000;

/// Time alignment configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaConfig {
    /// timeAlignmentTimer (TimeAlignmentTimer: sf500 … sf10240, infinity = `None`).
    pub time_alignment_timer: Option<Duration>,
    /// ul-SyncValidityDuration of SIB31 (5 s … 900 s).
    pub ul_sync_validity: Duration,
}

/// Outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaEvent {
    /// timeAlignmentTimer expired (§5.2): flush HARQ buffers, release configured UL
    /// resources; the next UL transmission needs random access.
    TimeAlignmentExpired,
    /// ul-SyncValidityDuration passed since epochTime: the UE must re-acquire SIB31 before
    /// transmitting again (UL synchronisation lost).
    UlSyncValidityExpired,
}

/// The UE's uplink time alignment state.
#[derive(Debug, Clone)]
pub struct TimeAlignment {
    cfg: TaConfig,
    n_ta_ts: i64,
    tat_deadline: Option<Instant>,
    tat_running: bool,
    validity_deadline: Option<Instant>,
    events: VecDeque<TaEvent>,
}

impl TimeAlignment {
    /// Not aligned, no SIB31 yet.
    pub fn new(config: TaConfig, _now: Instant) -> Self {
        TimeAlignment {
            cfg: config,
            n_ta_ts: 0,
            tat_deadline: None,
            tat_running: false,
            validity_deadline: None,
            events: VecDeque::new(),
        }
    }

    /// SIB31 (re)acquired with the given epochTime (as a local instant): the ephemeris and
    /// common TA are valid until `epoch + ul-SyncValidityDuration`.
    pub fn handle_sib31(&mut self, _now: Instant, epoch: Instant) {
        self.validity_deadline = Some(epoch + self.cfg.ul_sync_validity);
    }

    /// The 11-bit Timing Advance Command of a RAR: N_TA = T_A·16; (re)start the timer.
    pub fn handle_rar_ta(&mut self, now: Instant, ta: u16) {
        self.n_ta_ts = i64::from(ta) * 16;
        self.start_tat(now);
    }

    /// Timing Advance Command MAC CE: N_TA += (T_A − 31)·16; (re)start the timer.
    pub fn handle_ta_command(&mut self, now: Instant, cmd: TimingAdvanceCommand) {
        self.n_ta_ts = (self.n_ta_ts + (i64::from(cmd.ta) - 31) * 16).max(0);
        self.start_tat(now);
    }

    /// Serves both deadlines.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.tat_deadline.is_some_and(|t| t <= now) {
            self.tat_deadline = None;
            self.tat_running = false;
            self.events.push_back(TaEvent::TimeAlignmentExpired);
        }
        if self.validity_deadline.is_some_and(|t| t <= now) {
            self.validity_deadline = None;
            self.events.push_back(TaEvent::UlSyncValidityExpired);
        }
    }

    /// The earliest deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.tat_deadline, self.validity_deadline]
            .into_iter()
            .flatten()
            .min()
    }

    /// Next output.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<TaEvent> {
        self.events.pop_front()
    }

    /// True while the UE may transmit on UL-SCH: timeAlignmentTimer running and the SIB31
    /// ephemeris still valid.
    pub fn is_ul_synchronised(&self) -> bool {
        self.tat_running && self.validity_deadline.is_some()
    }

    /// The closed-loop N_TA in Ts.
    pub fn n_ta_ts(&self) -> i64 {
        self.n_ta_ts
    }

    /// The closed-loop N_TA as a time (rounded to the nanosecond).
    pub fn n_ta(&self) -> Duration {
        Duration::from_nanos((self.n_ta_ts * 1_000_000_000 + TS_PER_SECOND / 2) / TS_PER_SECOND)
    }

    fn start_tat(&mut self, now: Instant) {
        self.tat_running = true;
        self.tat_deadline = self.cfg.time_alignment_timer.map(|d| now + d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> TaConfig {
        TaConfig {
            time_alignment_timer: Some(Duration::from_millis(10240)),
            ul_sync_validity: Duration::from_secs(5),
        }
    }

    #[test]
    fn rar_then_ce_adjusts_n_ta() {
        let t0 = Instant::ZERO;
        let mut ta = TimeAlignment::new(cfg(), t0);
        ta.handle_rar_ta(t0, 100);
        assert_eq!(ta.n_ta_ts(), 1600);
        // 1600 Ts = 52.083 µs
        assert_eq!(ta.n_ta(), Duration::from_nanos(52_083));
        ta.handle_ta_command(t0, TimingAdvanceCommand { tag_id: 0, ta: 33 });
        assert_eq!(ta.n_ta_ts(), 1632);
        ta.handle_ta_command(t0, TimingAdvanceCommand { tag_id: 0, ta: 0 });
        assert_eq!(ta.n_ta_ts(), 1632 - 31 * 16);
    }

    #[test]
    fn timers_expire() {
        let t0 = Instant::ZERO;
        let mut ta = TimeAlignment::new(cfg(), t0);
        ta.handle_sib31(t0, t0);
        ta.handle_rar_ta(t0, 0);
        assert!(ta.is_ul_synchronised());
        let t5 = t0 + Duration::from_secs(5);
        assert_eq!(ta.poll_timeout(), Some(t5));
        ta.handle_timeout(t5);
        assert_eq!(ta.poll_event(), Some(TaEvent::UlSyncValidityExpired));
        assert!(!ta.is_ul_synchronised());
        // Re-acquired SIB31 with a new epoch; the TA command keeps the timer alive.
        ta.handle_sib31(t5, t5);
        ta.handle_ta_command(t5, TimingAdvanceCommand { tag_id: 0, ta: 31 });
        let t_tat = t5 + Duration::from_millis(10240);
        ta.handle_timeout(t5 + Duration::from_secs(5));
        assert_eq!(ta.poll_event(), Some(TaEvent::UlSyncValidityExpired));
        ta.handle_timeout(t_tat);
        assert_eq!(ta.poll_event(), Some(TaEvent::TimeAlignmentExpired));
        assert_eq!(ta.poll_timeout(), None);
    }
}
