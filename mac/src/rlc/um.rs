//! Unacknowledged mode, TS 36.322 §5.1.2: segmentation/concatenation on transmit; on
//! receive, reordering in a window of UM_Window_Size (16 with a 5-bit SN, 512 with 10
//! bits, §7.2) under t-Reordering, duplicate discard, reassembly, and discard of SDUs that
//! lost a segment.
//!
//! State variables (§7.1): VT(US) on transmit; VR(UR), VR(UX), VR(UH) on receive. SN
//! comparisons are made on offsets from VR(UH) − UM_Window_Size, modulo 2^SN (§7.1), never
//! on raw SNs.

use super::pdu::{LiLength, SO_MAX, UmSnLength, UmdPduRepr, split_data_field};
use super::reassembly::Reassembler;
use super::segmentation::SduQueue;
use super::timers::TReordering;
use super::{BufferState, RlcEvent, RlcStats, SduRejected};
use bytes::{Bytes, BytesMut};
use ntn_types::{Duration, Instant};
use std::collections::VecDeque;

/// UM configuration (RLC-Config UL-UM-RLC / DL-UM-RLC, TS 36.331).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RlcUmConfig {
    /// SN field length (both directions).
    pub sn_length: UmSnLength,
    /// LI field length.
    pub li_length: LiLength,
    /// t-Reordering; `None` behaves as 0 ms.
    pub t_reordering: Option<TReordering>,
    /// Maximum number of SDUs held for transmission.
    pub max_sdus: usize,
    /// Maximum SDU size in bytes (TS 36.323 §4.3.1: 8188 for PDCP SDUs; NB-IoT 1600).
    pub max_sdu_len: usize,
}

impl RlcUmConfig {
    /// A 10-bit-SN configuration with the given t-Reordering.
    pub fn new(sn_length: UmSnLength, t_reordering: Option<TReordering>) -> Self {
        RlcUmConfig {
            sn_length,
            li_length: LiLength::Eleven,
            t_reordering,
            max_sdus: 1024,
            max_sdu_len: 9000,
        }
    }
}

type Stored = (super::pdu::FramingInfo, Vec<u16>, Bytes);

/// A UM RLC entity holding both the transmitting and the receiving side.
#[derive(Debug, Clone)]
pub struct RlcUmEntity {
    cfg: RlcUmConfig,
    modulus: u16,
    window: u16,
    // transmit
    sdus: SduQueue,
    vt_us: u16,
    // receive
    buf: Vec<Option<Stored>>,
    vr_ur: u16,
    vr_ux: u16,
    vr_uh: u16,
    t_reordering: Option<Instant>,
    gap: bool,
    reasm: Reassembler,
    events: VecDeque<RlcEvent>,
    stats: RlcStats,
}

impl RlcUmEntity {
    /// A new entity with all state variables at 0 (§7.1).
    pub fn new(config: RlcUmConfig, _now: Instant) -> Self {
        let modulus = config.sn_length.modulus();
        RlcUmEntity {
            sdus: SduQueue::new(config.max_sdus, config.max_sdu_len),
            cfg: config,
            modulus,
            window: modulus / 2,
            vt_us: 0,
            buf: vec![None; usize::from(modulus)],
            vr_ur: 0,
            vr_ux: 0,
            vr_uh: 0,
            t_reordering: None,
            gap: false,
            reasm: Reassembler::default(),
            events: VecDeque::new(),
            stats: RlcStats::default(),
        }
    }

    /// An SDU from the upper layer.
    pub fn handle_sdu(&mut self, _now: Instant, sdu: Bytes) -> Result<(), SduRejected> {
        self.sdus.push(sdu)?;
        self.stats.sdus_in += 1;
        Ok(())
    }

    /// Forms one UMD PDU that fits `grant_bytes` (§5.1.2.1.1) and appends it to `out`;
    /// returns its length (0 if nothing fits or nothing is queued).
    pub fn pull_pdu(&mut self, _now: Instant, grant_bytes: usize, out: &mut BytesMut) -> usize {
        let fixed = self.cfg.sn_length.fixed_header_len();
        let Some(field) =
            self.sdus
                .build(grant_bytes, fixed, self.cfg.li_length, usize::from(SO_MAX))
        else {
            return 0;
        };
        let repr = UmdPduRepr {
            sn: self.vt_us,
            fi: field.fi,
            lis: field.lis,
        };
        let mut v = Vec::with_capacity(grant_bytes);
        if repr
            .emit(self.cfg.sn_length, self.cfg.li_length, &mut v)
            .is_err()
        {
            // Unreachable: SN < modulus and LIs ≤ max_li by construction. Drop, do not panic.
            return 0;
        }
        v.extend_from_slice(&field.data);
        self.vt_us = (self.vt_us + 1) % self.modulus;
        self.stats.pdus_tx += 1;
        self.stats.bytes_tx += v.len() as u64;
        out.extend_from_slice(&v);
        v.len()
    }

    /// A UMD PDU from the lower layer (§5.1.2.2.2). Malformed PDUs are counted and dropped.
    pub fn handle_pdu(&mut self, now: Instant, pdu: &[u8]) {
        let (repr, hdr) = match UmdPduRepr::parse(pdu, self.cfg.sn_length, self.cfg.li_length) {
            Ok(r) => r,
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        let x = repr.sn;
        let ox = self.off(x);
        let our = self.off(self.vr_ur);
        let ouh = self.off(self.vr_uh);
        let dup = (our < ox && ox < ouh && self.buf[usize::from(x)].is_some()) || ox < our;
        if dup {
            self.stats.duplicates += 1;
            return;
        }
        self.stats.pdus_rx += 1;
        let data = Bytes::copy_from_slice(pdu.get(hdr..).unwrap_or_default());
        self.buf[usize::from(x)] = Some((repr.fi, repr.lis, data));
        self.after_placing(now, x);
    }

    /// Serves t-Reordering (§5.1.2.2.4).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.t_reordering.is_some_and(|t| t <= now) {
            self.t_reordering = None;
            // VR(UR) = first SN ≥ VR(UX) not yet received.
            let mut sn = self.vr_ux;
            while self.buf[usize::from(sn)].is_some() && sn != self.vr_uh {
                sn = (sn + 1) % self.modulus;
            }
            self.deliver_up_to(sn);
            if self.off(self.vr_uh) > self.off(self.vr_ur) {
                self.start_reordering(now);
            }
        }
    }

    /// Next deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.t_reordering
    }

    /// Next output.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<RlcEvent> {
        self.events.pop_front()
    }

    /// Bytes waiting (header estimate: fixed header per queued SDU).
    pub fn buffer_state(&self) -> BufferState {
        BufferState {
            new_bytes: self.sdus.pending_bytes()
                + self.sdus.len() * self.cfg.sn_length.fixed_header_len(),
            ..BufferState::default()
        }
    }

    /// Counters.
    pub fn stats(&self) -> &RlcStats {
        &self.stats
    }

    /// Re-establishment (§5.4): deliver what can be reassembled, then reset everything.
    pub fn reestablish(&mut self, now: Instant) {
        let end = self.vr_uh;
        self.deliver_up_to(end);
        *self = RlcUmEntity::new(self.cfg.clone(), now);
    }

    // ---- helpers ----

    /// Offset of `sn` from the lower edge VR(UH) − UM_Window_Size, modulo 2^SN.
    fn off(&self, sn: u16) -> u16 {
        let base = (self.vr_uh + self.modulus - self.window) % self.modulus;
        (sn + self.modulus - base) % self.modulus
    }

    fn reordering_value(&self) -> Duration {
        self.cfg
            .t_reordering
            .map(|t| t.duration())
            .unwrap_or(Duration::ZERO)
    }

    fn start_reordering(&mut self, now: Instant) {
        self.t_reordering = Some(now + self.reordering_value());
        self.vr_ux = self.vr_uh;
    }

    /// §5.1.2.2.3.
    fn after_placing(&mut self, now: Instant, x: u16) {
        if self.off(x) >= self.window {
            // x is outside the reordering window: VR(UH) = x + 1.
            let old_ur_off_from_new = {
                self.vr_uh = (x + 1) % self.modulus;
                self.off(self.vr_ur)
            };
            if old_ur_off_from_new > self.window {
                // VR(UR) fell below the window: deliver everything below its lower edge.
                let base = (self.vr_uh + self.modulus - self.window) % self.modulus;
                self.deliver_up_to(base);
            }
        }
        if self.buf[usize::from(self.vr_ur)].is_some() {
            let mut sn = self.vr_ur;
            while self.buf[usize::from(sn)].is_some() && sn != self.vr_uh {
                sn = (sn + 1) % self.modulus;
            }
            self.deliver_up_to(sn);
        }
        if self.t_reordering.is_some() {
            let oux = self.off(self.vr_ux);
            if oux <= self.off(self.vr_ur) || oux > self.window {
                self.t_reordering = None;
            }
        }
        if self.t_reordering.is_none() && self.off(self.vr_uh) > self.off(self.vr_ur) {
            self.start_reordering(now);
        }
    }

    /// Reassembles and delivers the PDUs with SN in [VR(UR), `new_ur`), then sets VR(UR).
    fn deliver_up_to(&mut self, new_ur: u16) {
        let mut sn = self.vr_ur;
        while sn != new_ur {
            match self.buf[usize::from(sn)].take() {
                Some((fi, lis, data)) => {
                    let elems = split_data_field(&data, &lis);
                    self.reasm
                        .push(fi, &elems, !self.gap, &mut self.events, &mut self.stats);
                    self.gap = false;
                }
                None => self.gap = true,
            }
            sn = (sn + 1) % self.modulus;
        }
        self.vr_ur = new_ur;
        if self.gap {
            // A lost PDU below VR(UR): the SDU in progress can never complete.
            self.reasm.push(
                super::pdu::FramingInfo::WHOLE,
                &[],
                false,
                &mut self.events,
                &mut self.stats,
            );
            self.gap = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(sn: UmSnLength) -> (RlcUmEntity, RlcUmEntity) {
        let cfg = RlcUmConfig::new(sn, Some(TReordering::from_ms(50).unwrap()));
        (
            RlcUmEntity::new(cfg.clone(), Instant::ZERO),
            RlcUmEntity::new(cfg, Instant::ZERO),
        )
    }

    #[test]
    fn segments_and_reorders() {
        let (mut tx, mut rx) = pair(UmSnLength::Five);
        let t = Instant::ZERO;
        tx.handle_sdu(t, Bytes::from(vec![7u8; 25])).unwrap();
        let mut pdus = Vec::new();
        loop {
            let mut o = BytesMut::new();
            if tx.pull_pdu(t, 10, &mut o) == 0 {
                break;
            }
            pdus.push(o);
        }
        assert_eq!(pdus.len(), 3); // 9 + 9 + 7 data bytes
        rx.handle_pdu(t, &pdus[2]);
        rx.handle_pdu(t, &pdus[0]);
        assert_eq!(rx.poll_event(), None);
        assert!(rx.poll_timeout().is_some());
        rx.handle_pdu(t, &pdus[1]);
        assert_eq!(
            rx.poll_event(),
            Some(RlcEvent::Sdu(Bytes::from(vec![7u8; 25])))
        );
        assert_eq!(rx.poll_timeout(), None);
        rx.handle_pdu(t, &pdus[1]);
        assert_eq!(rx.stats().duplicates, 1);
    }

    #[test]
    fn loss_discards_only_the_broken_sdu() {
        let (mut tx, mut rx) = pair(UmSnLength::Ten);
        let t = Instant::ZERO;
        for i in 0..3u8 {
            tx.handle_sdu(t, Bytes::from(vec![i; 12])).unwrap();
        }
        let mut pdus = Vec::new();
        loop {
            let mut o = BytesMut::new();
            if tx.pull_pdu(t, 10, &mut o) == 0 {
                break;
            }
            pdus.push(o);
        }
        // 36 data bytes in PDUs of 8 data bytes (2-byte header) or fewer with LIs.
        // Lose the second PDU, which carries the end of SDU 0.
        for (i, p) in pdus.iter().enumerate() {
            if i != 1 {
                rx.handle_pdu(t, p);
            }
        }
        rx.handle_timeout(t + Duration::from_millis(50));
        let mut got = Vec::new();
        while let Some(RlcEvent::Sdu(s)) = rx.poll_event() {
            got.push(s[0]);
        }
        assert!(!got.contains(&0));
        assert_eq!(got.last(), Some(&2));
        assert!(rx.stats().sdus_discarded >= 1);
    }
}
