//! Buffer Status Reporting for NB-IoT (TS 36.321 §5.4.5), UE side, sans-IO.
//!
//! NB-IoT reports one logical channel group with the Short BSR (LCG 0). Rules implemented:
//! - **Regular BSR** when UL data becomes available while none was buffered, when data of a
//!   higher priority than any buffered arrives, or when retxBSR-Timer expires with data
//!   buffered; a Regular BSR with no UL grant at hand triggers a Scheduling Request
//!   ([`BsrEvent::SchedulingRequest`]; an NB-IoT UE without SR resources starts random
//!   access for it).
//! - **Periodic BSR** when periodicBSR-Timer expires.
//! - **Padding BSR** when the padding of a MAC PDU is at least the size of the BSR MAC CE
//!   plus its subheader (2 octets) and no other BSR is triggered.
//! - **Cancellation**: every triggered BSR is cancelled when a BSR is included in a MAC PDU,
//!   and when a grant can carry all pending data but not the BSR CE and its subheader too.
//! - **Timers**: periodicBSR-Timer (re)started when a Regular or Periodic BSR is sent;
//!   retxBSR-Timer (re)started when a BSR is sent and on every grant for new data.
//!
//! The Buffer Size field reports the data left after the MAC PDU is built (§6.1.3.1).

use super::pdu::ShortBsr;
use ntn_types::{Duration, Instant};
use std::collections::VecDeque;

/// Octets of a Short BSR with its MAC subheader.
pub const SHORT_BSR_WITH_SUBHEADER: usize = 2;

/// BSR timers (MAC-MainConfig-NB: periodicBSR-Timer in PP units, retxBSR-Timer), as times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BsrConfig {
    /// periodicBSR-Timer; `None` = infinity.
    pub periodic: Option<Duration>,
    /// retxBSR-Timer.
    pub retx: Duration,
}

/// Why a BSR is (or was) triggered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BsrKind {
    /// Padding BSR.
    Padding,
    /// Periodic BSR.
    Periodic,
    /// Regular BSR.
    Regular,
}

/// Outputs of the BSR entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BsrEvent {
    /// A Regular BSR is triggered and there is no grant: request UL resources.
    SchedulingRequest,
}

/// A BSR to put in the MAC PDU under construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BsrDecision {
    /// Which kind.
    pub kind: BsrKind,
    /// The CE (LCG 0, buffer size after this PDU).
    pub bsr: ShortBsr,
    /// Octets of data that still fit in the PDU beside the BSR (its own subheader included).
    pub data_room: usize,
}

/// Counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BsrStats {
    /// BSRs sent, by kind: padding, periodic, regular.
    pub sent: [u64; 3],
    /// Triggered BSRs cancelled because the grant held all data but not the BSR.
    pub cancelled_fit: u64,
    /// Scheduling requests raised.
    pub sr: u64,
}

/// The BSR entity.
#[derive(Debug, Clone)]
pub struct BsrEntity {
    cfg: BsrConfig,
    buffered: usize,
    highest_priority: Option<u8>,
    triggered: Option<BsrKind>,
    periodic_at: Option<Instant>,
    retx_at: Option<Instant>,
    events: VecDeque<BsrEvent>,
    stats: BsrStats,
}

impl BsrEntity {
    /// Nothing buffered; the periodic timer starts with the first BSR sent.
    pub fn new(config: BsrConfig, _now: Instant) -> Self {
        BsrEntity {
            cfg: config,
            buffered: 0,
            highest_priority: None,
            triggered: None,
            periodic_at: None,
            retx_at: None,
            events: VecDeque::new(),
            stats: BsrStats::default(),
        }
    }

    fn trigger(&mut self, kind: BsrKind) {
        if self.triggered.is_none_or(|k| k < kind) {
            self.triggered = Some(kind);
        }
        if kind == BsrKind::Regular {
            self.stats.sr += 1;
            self.events.push_back(BsrEvent::SchedulingRequest);
        }
    }

    /// The buffer state changed: `bytes` now wait in RLC/PDCP, the highest-priority channel
    /// with data has `priority` (lower = more important). `new_data` says whether new data
    /// arrived (as opposed to data being taken out).
    pub fn handle_buffer(
        &mut self,
        _now: Instant,
        bytes: usize,
        priority: Option<u8>,
        new_data: bool,
    ) {
        let was_empty = self.buffered == 0;
        let higher = match (priority, self.highest_priority) {
            (Some(p), Some(q)) => p < q,
            _ => false,
        };
        if new_data && bytes > 0 && (was_empty || higher) {
            self.trigger(BsrKind::Regular);
        }
        self.buffered = bytes;
        self.highest_priority = if bytes > 0 { priority } else { None };
    }

    /// An UL grant of `grant_bytes` for new data (retxBSR-Timer restarts). Returns the BSR to
    /// include, if any, given `pending` octets of data to send (the caller then puts at most
    /// `data_room` octets of data, headers included, beside it).
    pub fn handle_grant(
        &mut self,
        now: Instant,
        grant_bytes: usize,
        pending: usize,
    ) -> Option<BsrDecision> {
        self.retx_at = Some(now + self.cfg.retx);
        // Data alone: one subheader without L (it is the last element).
        let data_only = if pending == 0 { 0 } else { pending + 1 };
        let with_bsr = SHORT_BSR_WITH_SUBHEADER
            + if pending == 0 {
                0
            } else {
                pending + l_field_header(pending)
            };
        let kind = match self.triggered {
            Some(k) if k != BsrKind::Padding => {
                if grant_bytes >= data_only && grant_bytes < with_bsr {
                    // §5.4.5: cancelled: the grant holds all data but not the BSR as well.
                    self.triggered = None;
                    self.stats.cancelled_fit += 1;
                    return None;
                }
                if grant_bytes < SHORT_BSR_WITH_SUBHEADER {
                    return None;
                }
                k
            }
            _ => {
                // Padding BSR if the padding left after the data can carry it.
                if grant_bytes >= with_bsr {
                    BsrKind::Padding
                } else {
                    return None;
                }
            }
        };
        let data_room = grant_bytes - SHORT_BSR_WITH_SUBHEADER;
        let carried = if pending == 0 {
            0
        } else {
            pending.min(data_room.saturating_sub(l_field_header(pending)))
        };
        let bsr = ShortBsr::for_bytes(0, pending - carried);
        self.triggered = None;
        if kind != BsrKind::Padding {
            self.periodic_at = self.cfg.periodic.map(|p| now + p);
        }
        let idx = match kind {
            BsrKind::Padding => 0,
            BsrKind::Periodic => 1,
            BsrKind::Regular => 2,
        };
        self.stats.sent[idx] += 1;
        Some(BsrDecision {
            kind,
            bsr,
            data_room,
        })
    }

    /// The triggered BSR, if any.
    pub fn triggered(&self) -> Option<BsrKind> {
        self.triggered
    }

    /// Serves periodicBSR-Timer and retxBSR-Timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.periodic_at.is_some_and(|t| t <= now) {
            self.periodic_at = None;
            self.trigger(BsrKind::Periodic);
        }
        if self.retx_at.is_some_and(|t| t <= now) {
            self.retx_at = None;
            if self.buffered > 0 {
                self.trigger(BsrKind::Regular);
            }
        }
    }

    /// The next timer deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.periodic_at, self.retx_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<BsrEvent> {
        self.events.pop_front()
    }

    /// Counters.
    pub fn stats(&self) -> &BsrStats {
        &self.stats
    }
}

/// Subheader octets of a data element that is not the last one (needs an L field).
fn l_field_header(len: usize) -> usize {
    if len <= 127 { 2 } else { 3 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: i64) -> Instant {
        Instant::from_nanos(v * 1_000_000)
    }

    fn cfg() -> BsrConfig {
        BsrConfig {
            periodic: Some(Duration::from_millis(100)),
            retx: Duration::from_millis(500),
        }
    }

    #[test]
    fn regular_on_first_data_then_sent_and_cancelled() {
        let mut b = BsrEntity::new(cfg(), ms(0));
        b.handle_buffer(ms(0), 50, Some(1), true);
        assert_eq!(b.triggered(), Some(BsrKind::Regular));
        assert_eq!(b.poll_event(), Some(BsrEvent::SchedulingRequest));
        // More data of the same priority: no new trigger.
        b.handle_buffer(ms(1), 80, Some(1), true);
        assert_eq!(b.poll_event(), None);
        // A 20-byte grant: BSR (2) + data subheader with L (2) + 16 data → 64 left, index 13
        // (57 < 64 ≤ 67).
        let d = b.handle_grant(ms(5), 20, 80).unwrap();
        assert_eq!(d.kind, BsrKind::Regular);
        assert_eq!(d.data_room, 18);
        assert_eq!(
            d.bsr,
            ShortBsr {
                lcg_id: 0,
                buffer_size_index: 13
            }
        );
        assert_eq!(d.bsr.emit().unwrap(), [0b00_001101]);
        assert_eq!(b.triggered(), None);
        // Periodic timer from the BSR sent at 5 ms.
        assert_eq!(b.poll_timeout(), Some(ms(105)));
        b.handle_timeout(ms(105));
        assert_eq!(b.triggered(), Some(BsrKind::Periodic));
    }

    #[test]
    fn cancelled_when_all_data_fits_but_not_the_bsr() {
        let mut b = BsrEntity::new(cfg(), ms(0));
        b.handle_buffer(ms(0), 10, Some(1), true);
        // 11 bytes hold the data with its subheader (1 + 10) but not BSR (2) + 12.
        assert_eq!(b.handle_grant(ms(1), 11, 10), None);
        assert_eq!(b.triggered(), None);
        assert_eq!(b.stats().cancelled_fit, 1);
    }

    #[test]
    fn padding_bsr_and_retx_timer() {
        let mut b = BsrEntity::new(cfg(), ms(0));
        b.handle_buffer(ms(0), 10, Some(1), true);
        // Large grant: Regular BSR reporting 0 left.
        let d = b.handle_grant(ms(1), 40, 10).unwrap();
        assert_eq!(d.bsr.buffer_size_index, 0);
        b.handle_buffer(ms(1), 0, None, false);
        // Nothing triggered, big grant: padding BSR.
        let d = b.handle_grant(ms(2), 40, 0).unwrap();
        assert_eq!(d.kind, BsrKind::Padding);
        // Data arrives again later, higher priority data triggers again.
        b.handle_buffer(ms(3), 5, Some(3), true);
        let _ = b.handle_grant(ms(4), 3, 5);
        b.handle_buffer(ms(5), 9, Some(1), true);
        assert_eq!(b.triggered(), Some(BsrKind::Regular));
        let _ = b.handle_grant(ms(6), 30, 9);
        // retxBSR-Timer expiry with data buffered → Regular BSR.
        b.handle_timeout(ms(6 + 500));
        assert_eq!(b.triggered(), Some(BsrKind::Regular));
    }
}
