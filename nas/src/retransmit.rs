//! The network-side retransmission timer shared by the MME and the AMF (T3450/T3460,
//! T3550/T3560): resend the last message on expiry, give up after a number of resends.

use ntn_types::{Duration, Instant};

/// A running retransmission timer and the PDU it resends.
#[derive(Debug)]
pub(crate) struct Retransmit {
    /// Deadline.
    pub(crate) at: Instant,
    period: Duration,
    pdu: Vec<u8>,
    count: u8,
}

/// What an expiry asks for.
pub(crate) enum Expiry {
    /// Send this PDU again (the timer was restarted).
    Resend(Vec<u8>),
    /// The last retransmission went unanswered: abandon the procedure.
    GiveUp,
}

impl Retransmit {
    /// Starts the timer for `pdu`, just sent at `now`.
    pub(crate) fn start(now: Instant, period: Duration, pdu: Vec<u8>) -> Self {
        Self {
            at: now + period,
            period,
            pdu,
            count: 0,
        }
    }

    /// The timer expired at `now`; `max` retransmissions are allowed.
    pub(crate) fn expire(&mut self, now: Instant, max: u8) -> Expiry {
        if self.count >= max {
            return Expiry::GiveUp;
        }
        self.count += 1;
        self.at = now + self.period;
        Expiry::Resend(self.pdu.clone())
    }
}
