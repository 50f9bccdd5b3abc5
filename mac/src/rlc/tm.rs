//! Transparent mode, TS 36.322 §4.2.1.1 and §5.1.1: no header, no segmentation. Used on
//! BCCH, PCCH and CCCH (SRB0).

use super::{BufferState, RlcEvent, RlcStats, SduRejected};
use bytes::{Bytes, BytesMut};
use ntn_types::Instant;
use std::collections::VecDeque;

/// TM configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RlcTmConfig {
    /// Maximum number of SDUs held for transmission.
    pub max_sdus: usize,
}

impl Default for RlcTmConfig {
    fn default() -> Self {
        RlcTmConfig { max_sdus: 64 }
    }
}

/// A TM RLC entity (both directions).
#[derive(Debug, Clone)]
pub struct RlcTmEntity {
    config: RlcTmConfig,
    tx: VecDeque<Bytes>,
    events: VecDeque<RlcEvent>,
    stats: RlcStats,
}

impl RlcTmEntity {
    /// A new entity.
    pub fn new(config: RlcTmConfig, _now: Instant) -> Self {
        RlcTmEntity {
            config,
            tx: VecDeque::new(),
            events: VecDeque::new(),
            stats: RlcStats::default(),
        }
    }

    /// An SDU from the upper layer.
    pub fn handle_sdu(&mut self, _now: Instant, sdu: Bytes) -> Result<(), SduRejected> {
        if sdu.is_empty() {
            return Err(SduRejected::Empty);
        }
        if self.tx.len() >= self.config.max_sdus {
            return Err(SduRejected::BufferFull);
        }
        self.stats.sdus_in += 1;
        self.tx.push_back(sdu);
        Ok(())
    }

    /// A TMD PDU from the lower layer: delivered as is (§5.1.1.2).
    pub fn handle_pdu(&mut self, _now: Instant, pdu: &[u8]) {
        if pdu.is_empty() {
            self.stats.malformed += 1;
            return;
        }
        self.stats.pdus_rx += 1;
        self.stats.sdus_delivered += 1;
        self.events
            .push_back(RlcEvent::Sdu(Bytes::copy_from_slice(pdu)));
    }

    /// No timers in TM.
    pub fn handle_timeout(&mut self, _now: Instant) {}

    /// Sends the head SDU unchanged if it fits in `grant_bytes` (TM never segments,
    /// §5.1.1.1); returns the bytes written.
    pub fn pull_pdu(&mut self, _now: Instant, grant_bytes: usize, out: &mut BytesMut) -> usize {
        match self.tx.front() {
            Some(sdu) if sdu.len() <= grant_bytes => {
                let n = sdu.len();
                out.extend_from_slice(sdu);
                self.tx.pop_front();
                self.stats.pdus_tx += 1;
                self.stats.bytes_tx += n as u64;
                n
            }
            _ => 0,
        }
    }

    /// No deadlines in TM.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    /// Next output.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<RlcEvent> {
        self.events.pop_front()
    }

    /// Bytes waiting.
    pub fn buffer_state(&self) -> BufferState {
        BufferState {
            new_bytes: self.tx.iter().map(|s| s.len()).sum(),
            ..BufferState::default()
        }
    }

    /// Counters.
    pub fn stats(&self) -> &RlcStats {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_sdus_unchanged() {
        let mut a = RlcTmEntity::new(RlcTmConfig::default(), Instant::ZERO);
        a.handle_sdu(Instant::ZERO, Bytes::from_static(b"ccch"))
            .unwrap();
        let mut out = BytesMut::new();
        assert_eq!(a.pull_pdu(Instant::ZERO, 3, &mut out), 0);
        assert_eq!(a.pull_pdu(Instant::ZERO, 4, &mut out), 4);
        let mut b = RlcTmEntity::new(RlcTmConfig::default(), Instant::ZERO);
        b.handle_pdu(Instant::ZERO, &out);
        assert_eq!(
            b.poll_event(),
            Some(RlcEvent::Sdu(Bytes::from_static(b"ccch")))
        );
    }
}
