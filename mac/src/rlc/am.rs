//! Acknowledged mode, TS 36.322 §5.1.3 (data transfer), §5.2 (ARQ: retransmission,
//! polling, status reporting), with a 10-bit SN, AM_Window_Size = 512 (§7.2).
//!
//! State variables (§7.1): transmit VT(A), VT(MS) = VT(A) + 512, VT(S), POLL_SN; receive
//! VR(R), VR(MR) = VR(R) + 512, VR(X), VR(MS), VR(H). Counters PDU_WITHOUT_POLL,
//! BYTE_WITHOUT_POLL, RETX_COUNT (§7.4). Timers t-PollRetransmit, t-Reordering,
//! t-StatusProhibit (§7.3). All SN comparisons are made on offsets from VT(A) or VR(R)
//! modulo 1024, as §7.1 prescribes.
//!
//! SDUs are reassembled from the AMD PDUs below VR(R) and from the in-sequence byte
//! segments (the received prefix) of the AMD PDU at VR(R), as §5.1.3.2.3 says.
//!
//! NB-IoT (checked in the 36.322 text): "the receiving side … shall behave such that the
//! timer values of t-Reordering and t-StatusProhibit are 0, if not configured"
//! (§5.1.3.2.1); pollPDU/pollByte counting does not apply (§5.2.2.1); t-Reordering expiry
//! triggers a STATUS report only if enableStatusReportSN-Gap is configured (§5.2.3), so
//! without it STATUS reports answer polls only.

use super::pdu::{
    AmdPduRepr, FramingInfo, LiLength, Nack, SN10_MODULUS, SO_END_LAST_BYTE, SO_MAX, SegmentInfo,
    StatusPduRepr, is_am_data_pdu,
};
use super::reassembly::Reassembler;
use super::segmentation::SduQueue;
use super::timers::{MaxRetxThreshold, TPollRetransmit, TReordering, TStatusProhibit};
use super::{BufferState, RlcEvent, RlcStats, SduRejected};
use bytes::{Bytes, BytesMut};
use ntn_types::{Duration, Instant};
use std::collections::{BTreeSet, VecDeque};

/// AM_Window_Size with a 10-bit SN (§7.2).
pub const AM_WINDOW_SIZE: u16 = 512;
const MOD: u16 = SN10_MODULUS;

/// AM configuration (UL-AM-RLC/DL-AM-RLC, or UL-AM-RLC-NB-r13/DL-AM-RLC-NB-r13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RlcAmConfig {
    /// t-PollRetransmit.
    pub t_poll_retransmit: TPollRetransmit,
    /// pollPDU; `None` = pInfinity (always for NB-IoT).
    pub poll_pdu: Option<u32>,
    /// pollByte in bytes; `None` = kBinfinity (always for NB-IoT).
    pub poll_byte: Option<u64>,
    /// maxRetxThreshold.
    pub max_retx_threshold: MaxRetxThreshold,
    /// t-Reordering (or t-ReorderingExt-r17); `None` when not configured (NB-IoT).
    pub t_reordering: Option<TReordering>,
    /// t-StatusProhibit (0 for NB-IoT, where it is not signalled).
    pub t_status_prohibit: TStatusProhibit,
    /// NB-IoT rules (§5.2.2.1, §5.2.3): no PDU/byte poll counters; reception failure
    /// reported only with `enable_status_report_sn_gap`.
    pub nb_iot: bool,
    /// enableStatusReportSN-Gap-r13 (NB-IoT).
    pub enable_status_report_sn_gap: bool,
    /// LI field length.
    pub li_length: LiLength,
    /// Maximum number of SDUs held for transmission.
    pub max_sdus: usize,
    /// Maximum SDU size in bytes.
    pub max_sdu_len: usize,
}

impl RlcAmConfig {
    /// The NB-IoT default of TS 36.331 §9.2.1.1 (SRB1): t-PollRetransmit 25000 ms,
    /// maxRetxThreshold t4, t-Reordering released, enableStatusReportSN-Gap disabled.
    pub fn nb_iot_default() -> Self {
        RlcAmConfig {
            t_poll_retransmit: TPollRetransmit::NB_SRB1_DEFAULT,
            poll_pdu: None,
            poll_byte: None,
            max_retx_threshold: MaxRetxThreshold::T4,
            t_reordering: None,
            t_status_prohibit: TStatusProhibit::ZERO,
            nb_iot: true,
            enable_status_report_sn_gap: false,
            li_length: LiLength::Eleven,
            max_sdus: 1024,
            max_sdu_len: 9000,
        }
    }
}

/// A transmitted AMD PDU awaiting acknowledgement: its data field and framing.
#[derive(Debug, Clone)]
struct TxPdu {
    data: Bytes,
    fi: FramingInfo,
    lis: Vec<u16>,
    /// RETX_COUNT; `None` until first considered for retransmission.
    retx_count: Option<u32>,
}

impl TxPdu {
    /// End offsets (exclusive) of the SDU pieces inside the data field, except the last.
    fn boundaries(&self) -> Vec<usize> {
        let mut acc = 0usize;
        self.lis
            .iter()
            .map(|&l| {
                acc += usize::from(l);
                acc
            })
            .collect()
    }
}

/// A portion of an AMD PDU pending retransmission: bytes [so_start, so_end) of its data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Retx {
    sn: u16,
    start: usize,
    end: usize,
}

/// Byte segments received for one SN.
#[derive(Debug, Clone, Default)]
struct RxPdu {
    data: Vec<u8>,
    /// Received byte ranges [start, end), sorted and merged.
    have: Vec<(usize, usize)>,
    /// SDU boundaries: offsets where an element ends (exclusive), from the LIs.
    bounds: BTreeSet<usize>,
    starts_sdu: Option<bool>,
    ends_sdu: Option<bool>,
    total: Option<usize>,
}

impl RxPdu {
    fn covers(&self, a: usize, b: usize) -> bool {
        self.have.iter().any(|&(s, e)| s <= a && b <= e)
    }

    fn complete(&self) -> bool {
        match self.total {
            Some(t) => self.have.len() == 1 && self.have[0] == (0, t),
            None => false,
        }
    }

    fn insert(&mut self, so: usize, bytes: &[u8], fi: FramingInfo, lis: &[u16], last: bool) {
        let end = so + bytes.len();
        if self.data.len() < end {
            self.data.resize(end, 0);
        }
        self.data[so..end].copy_from_slice(bytes);
        let mut acc = so;
        for &l in lis {
            acc += usize::from(l);
            self.bounds.insert(acc);
        }
        if so == 0 {
            self.starts_sdu = Some(fi.starts_sdu);
        } else if fi.starts_sdu {
            // The segment starts on an SDU boundary: the previous piece ends at `so`.
            self.bounds.insert(so);
        }
        if last {
            self.total = Some(end);
            self.ends_sdu = Some(fi.ends_sdu);
        } else if fi.ends_sdu {
            self.bounds.insert(end);
        }
        self.have.push((so, end));
        self.have.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(self.have.len());
        for &(s, e) in &self.have {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.have = merged;
    }

    /// Missing byte ranges as (SOstart, SOend) inclusive, SOend = 0x7fff for "to the end".
    fn missing(&self) -> Vec<(u16, u16)> {
        let mut out = Vec::new();
        let mut pos = 0usize;
        for &(s, e) in &self.have {
            if s > pos {
                out.push((clamp_so(pos), clamp_so(s - 1)));
            }
            pos = e;
        }
        match self.total {
            Some(t) if pos < t => out.push((clamp_so(pos), clamp_so(t - 1))),
            Some(_) => {}
            None => out.push((clamp_so(pos), SO_END_LAST_BYTE)),
        }
        out
    }
}

fn clamp_so(v: usize) -> u16 {
    v.min(usize::from(SO_MAX)) as u16
}

/// An AM RLC entity holding both the transmitting and the receiving side.
#[derive(Debug, Clone)]
pub struct RlcAmEntity {
    cfg: RlcAmConfig,
    // ---- transmit side ----
    sdus: SduQueue,
    tx: Vec<Option<TxPdu>>,
    retx: VecDeque<Retx>,
    vt_a: u16,
    vt_s: u16,
    poll_sn: u16,
    pdu_without_poll: u32,
    byte_without_poll: u64,
    poll_pending: bool,
    t_poll_retransmit: Option<Instant>,
    // ---- receive side ----
    rx: Vec<Option<RxPdu>>,
    vr_r: u16,
    vr_x: u16,
    vr_ms: u16,
    vr_h: u16,
    t_reordering: Option<Instant>,
    t_status_prohibit: Option<Instant>,
    status_triggered: bool,
    pending_polls: Vec<u16>,
    /// (SN, bytes) of the AMD PDU at VR(R) already reassembled from its prefix.
    consumed: Option<(u16, usize)>,
    reasm: Reassembler,
    // ---- outputs ----
    events: VecDeque<RlcEvent>,
    stats: RlcStats,
}

impl RlcAmEntity {
    /// A new entity, every state variable 0 (§7.1), no timer running.
    pub fn new(config: RlcAmConfig, _now: Instant) -> Self {
        RlcAmEntity {
            sdus: SduQueue::new(config.max_sdus, config.max_sdu_len),
            cfg: config,
            tx: vec![None; usize::from(MOD)],
            retx: VecDeque::new(),
            vt_a: 0,
            vt_s: 0,
            poll_sn: 0,
            pdu_without_poll: 0,
            byte_without_poll: 0,
            poll_pending: false,
            t_poll_retransmit: None,
            rx: vec![None; usize::from(MOD)],
            vr_r: 0,
            vr_x: 0,
            vr_ms: 0,
            vr_h: 0,
            t_reordering: None,
            t_status_prohibit: None,
            status_triggered: false,
            pending_polls: Vec::new(),
            consumed: None,
            reasm: Reassembler::default(),
            events: VecDeque::new(),
            stats: RlcStats::default(),
        }
    }

    /// An SDU from the upper layer, queued for transmission (§5.1.3.1.1).
    pub fn handle_sdu(&mut self, _now: Instant, sdu: Bytes) -> Result<(), SduRejected> {
        self.sdus.push(sdu)?;
        self.stats.sdus_in += 1;
        Ok(())
    }

    /// An RLC PDU from the lower layer: AMD PDU, AMD PDU segment or STATUS PDU.
    /// Malformed or inconsistent PDUs are counted and dropped, never a panic.
    pub fn handle_pdu(&mut self, now: Instant, pdu: &[u8]) {
        if is_am_data_pdu(pdu) {
            match AmdPduRepr::parse(pdu, self.cfg.li_length) {
                Ok((repr, hdr)) => self.rx_data(now, &repr, pdu.get(hdr..).unwrap_or_default()),
                Err(_) => self.stats.malformed += 1,
            }
        } else {
            match StatusPduRepr::parse(pdu) {
                Ok(s) => self.rx_status(now, &s),
                Err(_) => self.stats.malformed += 1,
            }
        }
    }

    /// Serves every timer due at `now`: t-PollRetransmit (§5.2.2.3), t-Reordering
    /// (§5.1.3.2.4), t-StatusProhibit (§5.2.3).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.t_poll_retransmit.is_some_and(|t| t <= now) {
            self.t_poll_retransmit = None;
            self.on_poll_retransmit_expiry();
        }
        if self.t_reordering.is_some_and(|t| t <= now) {
            self.t_reordering = None;
            self.on_reordering_expiry(now);
        }
        if self.t_status_prohibit.is_some_and(|t| t <= now) {
            self.t_status_prohibit = None;
        }
    }

    /// A transmit opportunity of `grant_bytes` bytes: appends at most one RLC PDU to `out`
    /// and returns its length (0 = nothing sent). Priority: STATUS PDU, then
    /// retransmissions, then new data (§5.1.3.1.1, §5.2.3).
    pub fn pull_pdu(&mut self, now: Instant, grant_bytes: usize, out: &mut BytesMut) -> usize {
        let mut v = Vec::with_capacity(grant_bytes.min(4096));
        if self.status_triggered && self.t_status_prohibit.is_none() && grant_bytes >= 2 {
            self.build_status(grant_bytes, &mut v);
            self.status_triggered = false;
            self.stats.status_tx += 1;
            let prohibit = self.cfg.t_status_prohibit.duration();
            if prohibit > Duration::ZERO {
                self.t_status_prohibit = Some(now + prohibit);
            }
        } else if !self.retx.is_empty() {
            self.build_retx(now, grant_bytes, &mut v);
        } else {
            self.build_new(now, grant_bytes, &mut v);
        }
        self.stats.bytes_tx += v.len() as u64;
        out.extend_from_slice(&v);
        v.len()
    }

    /// The earliest running timer's deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.t_poll_retransmit,
            self.t_reordering,
            self.t_status_prohibit,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Next output (delivered SDU, max-retransmission failure).
    #[must_use]
    pub fn poll_event(&mut self) -> Option<RlcEvent> {
        self.events.pop_front()
    }

    /// Bytes waiting, for BSR.
    pub fn buffer_state(&self) -> BufferState {
        let retx_bytes = self
            .retx
            .iter()
            .map(|r| r.end.saturating_sub(r.start) + 4)
            .sum();
        let status_bytes = if self.status_triggered {
            StatusPduRepr::len_for(std::iter::empty())
        } else {
            0
        };
        BufferState {
            new_bytes: self.sdus.pending_bytes() + 2 * self.sdus.len(),
            retx_bytes,
            status_bytes,
        }
    }

    /// Counters.
    pub fn stats(&self) -> &RlcStats {
        &self.stats
    }

    /// True when every transmitted AMD PDU has been acknowledged and nothing is queued.
    pub fn is_idle(&self) -> bool {
        self.vt_a == self.vt_s && self.sdus.is_empty() && self.retx.is_empty()
    }

    /// Re-establishment (§5.4): reassemble and deliver what the receiving side can from
    /// AMD PDUs with SN < VR(MR), discard the rest, reset state variables, stop timers.
    /// SDUs delivered here stay in the event queue.
    pub fn reestablish(&mut self, now: Instant) {
        let mut sn = self.vr_r;
        let mut gap = false;
        for _ in 0..AM_WINDOW_SIZE {
            if self.rx_complete(sn) {
                if gap {
                    // The SDU in progress lost a piece below this PDU.
                    self.reasm.push(
                        FramingInfo::WHOLE,
                        &[],
                        false,
                        &mut self.events,
                        &mut self.stats,
                    );
                    gap = false;
                }
                self.deliver(sn);
            } else {
                gap = true;
            }
            sn = (sn + 1) % MOD;
        }
        let events = std::mem::take(&mut self.events);
        let stats = self.stats.clone();
        *self = RlcAmEntity::new(self.cfg.clone(), now);
        self.events = events;
        self.stats = stats;
    }

    // ------------------------------------------------------------------------------
    // transmit side
    // ------------------------------------------------------------------------------

    /// Offset of `sn` from VT(A), modulo 1024.
    fn tx_off(&self, sn: u16) -> u16 {
        (sn + MOD - self.vt_a) % MOD
    }

    fn window_stalled(&self) -> bool {
        self.tx_off(self.vt_s) >= AM_WINDOW_SIZE
    }

    fn build_new(&mut self, now: Instant, grant: usize, v: &mut Vec<u8>) {
        if self.window_stalled() {
            if !self.sdus.is_empty() {
                self.stats.window_stalls += 1;
            }
            return;
        }
        let Some(field) = self
            .sdus
            .build(grant, 2, self.cfg.li_length, usize::from(SO_MAX))
        else {
            return;
        };
        let sn = self.vt_s;
        self.pdu_without_poll += 1;
        self.byte_without_poll += field.data.len() as u64;
        self.vt_s = (self.vt_s + 1) % MOD;
        let poll = self.poll_after_tx(true);
        let repr = AmdPduRepr {
            poll,
            fi: field.fi,
            sn,
            segment: None,
            lis: field.lis.clone(),
        };
        if repr.emit(self.cfg.li_length, v).is_err() {
            // LIs ≤ max_li and SN < 1024 by construction: never reached.
            v.clear();
        }
        v.extend_from_slice(&field.data);
        self.tx[usize::from(sn)] = Some(TxPdu {
            data: field.data,
            fi: field.fi,
            lis: field.lis,
            retx_count: None,
        });
        self.stats.pdus_tx += 1;
        if poll {
            self.poll_sent(now);
        }
    }

    /// §5.2.2.1: decide the P bit for the PDU being sent.
    fn poll_after_tx(&mut self, new_pdu: bool) -> bool {
        let mut poll = std::mem::take(&mut self.poll_pending);
        if new_pdu && !self.cfg.nb_iot {
            if self
                .cfg
                .poll_pdu
                .is_some_and(|p| self.pdu_without_poll >= p)
            {
                poll = true;
            }
            if self
                .cfg
                .poll_byte
                .is_some_and(|b| self.byte_without_poll >= b)
            {
                poll = true;
            }
        }
        if (self.sdus.is_empty() && self.retx.is_empty()) || self.window_stalled() {
            poll = true;
        }
        poll
    }

    fn poll_sent(&mut self, now: Instant) {
        self.pdu_without_poll = 0;
        self.byte_without_poll = 0;
        self.poll_sn = (self.vt_s + MOD - 1) % MOD;
        self.t_poll_retransmit = Some(now + self.cfg.t_poll_retransmit.duration());
    }

    fn build_retx(&mut self, now: Instant, grant: usize, v: &mut Vec<u8>) {
        // Drop stale entries (acknowledged since they were queued).
        while let Some(r) = self.retx.front() {
            if self.tx[usize::from(r.sn)].is_some() && r.start < r.end {
                break;
            }
            self.retx.pop_front();
        }
        let Some(r) = self.retx.front().copied() else {
            return self.build_new(now, grant, v);
        };
        let Some(pdu) = self.tx[usize::from(r.sn)].clone() else {
            return;
        };
        let li = self.cfg.li_length;
        let whole = r.start == 0 && r.end == pdu.data.len();
        let full_len = AmdPduRepr::header_len_for(false, pdu.lis.len(), li) + pdu.data.len();
        let (repr_base, data) = if whole && full_len <= grant {
            self.retx.pop_front();
            (
                AmdPduRepr {
                    poll: false,
                    fi: pdu.fi,
                    sn: r.sn,
                    segment: None,
                    lis: pdu.lis.clone(),
                },
                pdu.data.clone(),
            )
        } else {
            // Resegmentation (§5.1.3.1.1): largest segment [start, b) that fits.
            let bounds = pdu.boundaries();
            let lis_for = |a: usize, b: usize| -> Vec<u16> {
                let mut out = Vec::new();
                let mut prev = a;
                for &x in bounds.iter().filter(|&&x| x > a && x < b) {
                    // Piece lengths are at most the original LIs, so they fit in u16.
                    out.push((x - prev) as u16);
                    prev = x;
                }
                out
            };
            if grant <= 4 {
                return;
            }
            let mut b = r.end.min(r.start + (grant - 4));
            loop {
                if b <= r.start {
                    return;
                }
                let hdr = AmdPduRepr::header_len_for(true, lis_for(r.start, b).len(), li);
                if hdr + (b - r.start) <= grant {
                    break;
                }
                b = (b - 1).min(r.start + grant.saturating_sub(hdr));
            }
            let a = r.start;
            let starts_sdu = if a == 0 {
                pdu.fi.starts_sdu
            } else {
                bounds.contains(&a)
            };
            let ends_sdu = if b == pdu.data.len() {
                pdu.fi.ends_sdu
            } else {
                bounds.contains(&b)
            };
            if b == r.end {
                self.retx.pop_front();
            } else if let Some(front) = self.retx.front_mut() {
                front.start = b;
            }
            (
                AmdPduRepr {
                    poll: false,
                    fi: FramingInfo {
                        starts_sdu,
                        ends_sdu,
                    },
                    sn: r.sn,
                    segment: Some(SegmentInfo {
                        lsf: b == pdu.data.len(),
                        // a < data.len() ≤ SO_MAX: fits in 15 bits.
                        so: a as u16,
                    }),
                    lis: lis_for(a, b),
                },
                pdu.data.slice(a..b),
            )
        };
        let poll = self.poll_after_tx(false);
        let repr = AmdPduRepr { poll, ..repr_base };
        if repr.emit(li, v).is_err() {
            v.clear();
            return;
        }
        v.extend_from_slice(&data);
        self.stats.pdus_retx += 1;
        if poll {
            self.poll_sent(now);
        }
    }

    /// Marks bytes [start, end) of PDU `sn` for retransmission, updating RETX_COUNT
    /// (§5.2.1) unless a portion of it is pending already.
    fn consider_for_retx(&mut self, sn: u16, start: usize, end: usize) {
        let pending = self.retx.iter().any(|r| r.sn == sn);
        let Some(pdu) = self.tx[usize::from(sn)].as_mut() else {
            return;
        };
        let end = end.min(pdu.data.len());
        if start >= end {
            return;
        }
        if !pending {
            let c = match pdu.retx_count {
                None => 0,
                Some(c) => c + 1,
            };
            pdu.retx_count = Some(c);
            if c == self.cfg.max_retx_threshold.get() {
                self.events.push_back(RlcEvent::MaxRetransmissions { sn });
            }
        }
        // Skip portions already pending.
        if self
            .retx
            .iter()
            .any(|r| r.sn == sn && r.start <= start && end <= r.end)
        {
            return;
        }
        self.retx.push_back(Retx { sn, start, end });
    }

    fn on_poll_retransmit_expiry(&mut self) {
        // §5.2.2.3: if nothing new can be sent, retransmit VT(S) − 1 (or any unacknowledged
        // PDU); in every case the next PDU carries a poll.
        if (self.sdus.is_empty() && self.retx.is_empty()) || self.window_stalled() {
            let last = (self.vt_s + MOD - 1) % MOD;
            let pick = if self.vt_a != self.vt_s && self.tx[usize::from(last)].is_some() {
                Some(last)
            } else if self.vt_a != self.vt_s {
                Some(self.vt_a)
            } else {
                None
            };
            if let Some(sn) = pick {
                let len = self.tx[usize::from(sn)]
                    .as_ref()
                    .map_or(0, |p| p.data.len());
                self.consider_for_retx(sn, 0, len);
            }
        }
        self.poll_pending = true;
    }

    /// §5.2.1 / §5.2.2.2: STATUS PDU reception.
    fn rx_status(&mut self, _now: Instant, s: &StatusPduRepr) {
        let ack_off = self.tx_off(s.ack_sn);
        let vt_s_off = self.tx_off(self.vt_s);
        // ACK_SN must lie in [VT(A), VT(S)]; NACK_SNs in [VT(A), ACK_SN).
        let nacks_ok = s
            .nacks
            .iter()
            .all(|n| self.tx_off(n.sn) < ack_off && n.sn < MOD);
        if ack_off > vt_s_off || !nacks_ok {
            self.stats.status_invalid += 1;
            return;
        }
        self.stats.status_rx += 1;
        // t-PollRetransmit: stop if POLL_SN is acknowledged positively or negatively.
        if self.t_poll_retransmit.is_some() && self.tx_off(self.poll_sn) < ack_off {
            self.t_poll_retransmit = None;
        }
        let nacked: BTreeSet<u16> = s.nacks.iter().map(|n| n.sn).collect();
        // Positive acknowledgements: every SN in [VT(A), ACK_SN) not NACKed.
        let mut sn = self.vt_a;
        while sn != s.ack_sn {
            if !nacked.contains(&sn) {
                self.tx[usize::from(sn)] = None;
            }
            sn = (sn + 1) % MOD;
        }
        // Negative acknowledgements, in order of appearance.
        for n in &s.nacks {
            let Some(len) = self.tx[usize::from(n.sn)].as_ref().map(|p| p.data.len()) else {
                continue;
            };
            let (a, b) = match n.so {
                None => (0, len),
                Some((st, en)) => {
                    let end = if en == SO_END_LAST_BYTE {
                        len
                    } else {
                        usize::from(en) + 1
                    };
                    (usize::from(st), end)
                }
            };
            self.consider_for_retx(n.sn, a, b);
        }
        // VT(A) = lowest SN not positively acknowledged.
        while self.vt_a != self.vt_s && self.tx[usize::from(self.vt_a)].is_none() {
            self.vt_a = (self.vt_a + 1) % MOD;
        }
        self.retx.retain(|r| self.tx[usize::from(r.sn)].is_some());
    }

    // ------------------------------------------------------------------------------
    // receive side
    // ------------------------------------------------------------------------------

    /// Offset of `sn` from VR(R), modulo 1024.
    fn rx_off(&self, sn: u16) -> u16 {
        (sn + MOD - self.vr_r) % MOD
    }

    fn rx_complete(&self, sn: u16) -> bool {
        self.rx[usize::from(sn)]
            .as_ref()
            .is_some_and(RxPdu::complete)
    }

    /// §5.1.3.2.2 and §5.1.3.2.3.
    fn rx_data(&mut self, now: Instant, repr: &AmdPduRepr, data: &[u8]) {
        let x = repr.sn;
        let (so, last) = match repr.segment {
            Some(seg) => (usize::from(seg.so), seg.lsf),
            None => (0, true),
        };
        // The SO field has 15 bits, so no AMD PDU data field goes past byte 32767: a
        // segment claiming otherwise is invalid (§5.5.1) and would only cost memory.
        if so + data.len() > usize::from(SO_MAX) + 1 {
            self.stats.malformed += 1;
            return;
        }
        let in_window = self.rx_off(x) < AM_WINDOW_SIZE;
        let dup = !in_window
            || self.rx[usize::from(x)]
                .as_ref()
                .is_some_and(|p| p.covers(so, so + data.len()));
        if dup {
            self.stats.duplicates += 1;
        } else {
            let slot = self.rx[usize::from(x)].get_or_insert_with(RxPdu::default);
            slot.insert(so, data, repr.fi, &repr.lis, last);
            self.stats.pdus_rx += 1;
            self.after_placing(now, x);
        }
        if repr.poll {
            // §5.2.3: a poll on a discarded PDU or one outside the window triggers a STATUS
            // at once; otherwise when x < VR(MS) or x ≥ VR(MR).
            if dup || !in_window {
                self.status_triggered = true;
            } else {
                self.pending_polls.push(x);
            }
        }
        self.check_pending_polls();
    }

    fn after_placing(&mut self, now: Instant, x: u16) {
        if self.rx_off(x) >= self.rx_off(self.vr_h) {
            self.vr_h = (x + 1) % MOD;
        }
        if self.rx_complete(self.vr_ms) {
            let mut sn = self.vr_ms;
            while self.rx_complete(sn) && self.rx_off(sn) < AM_WINDOW_SIZE {
                sn = (sn + 1) % MOD;
            }
            self.vr_ms = sn;
        }
        if x == self.vr_r && self.rx_complete(self.vr_r) {
            let mut sn = self.vr_r;
            while self.rx_complete(sn) {
                self.deliver(sn);
                sn = (sn + 1) % MOD;
            }
            self.vr_r = sn;
            if self.rx_off(self.vr_ms) >= AM_WINDOW_SIZE {
                self.vr_ms = self.vr_r;
            }
        }
        if x == self.vr_r || self.rx[usize::from(self.vr_r)].is_some() {
            self.deliver_prefix();
        }
        if self.t_reordering.is_some() {
            let ox = self.rx_off(self.vr_x);
            if self.vr_x == self.vr_r || (ox > AM_WINDOW_SIZE) {
                self.t_reordering = None;
            }
        }
        if self.t_reordering.is_none() && self.rx_off(self.vr_h) > 0 {
            self.start_reordering(now);
        }
    }

    fn start_reordering(&mut self, now: Instant) {
        let d = self
            .cfg
            .t_reordering
            .map_or(Duration::ZERO, |t| t.duration());
        self.t_reordering = Some(now + d);
        self.vr_x = self.vr_h;
    }

    /// §5.1.3.2.4.
    fn on_reordering_expiry(&mut self, now: Instant) {
        let mut sn = self.vr_x;
        while self.rx_complete(sn) && sn != self.vr_h {
            sn = (sn + 1) % MOD;
        }
        if self.rx_off(sn) >= self.rx_off(self.vr_ms) {
            self.vr_ms = sn;
        }
        // §5.2.3: detection of reception failure, except for an NB-IoT UE not configured
        // with enableStatusReportSN-Gap.
        if !self.cfg.nb_iot || self.cfg.enable_status_report_sn_gap {
            self.status_triggered = true;
        }
        if self.rx_off(self.vr_h) > self.rx_off(self.vr_ms) {
            self.start_reordering(now);
        }
        self.check_pending_polls();
    }

    fn check_pending_polls(&mut self) {
        let vr_ms_off = self.rx_off(self.vr_ms);
        let before = self.pending_polls.len();
        let vr_r = self.vr_r;
        self.pending_polls.retain(|&x| {
            let o = (x + MOD - vr_r) % MOD;
            !(o < vr_ms_off || o >= AM_WINDOW_SIZE)
        });
        if self.pending_polls.len() != before {
            self.status_triggered = true;
        }
    }

    /// Reassembles the rest of the complete AMD PDU `sn` (from where
    /// [`Self::deliver_prefix`] stopped, if it started on it) and drops it from the buffer.
    fn deliver(&mut self, sn: u16) {
        let Some(p) = self.rx[usize::from(sn)].take() else {
            return;
        };
        let start = match self.consumed.take() {
            Some((s, c)) if s == sn => c,
            _ => 0,
        };
        let total = p.total.unwrap_or(p.data.len()).min(p.data.len());
        self.push_pieces(&p, start, total, p.ends_sdu.unwrap_or(true));
    }

    /// §5.1.3.2.3: delivers the SDUs that end inside the in-sequence byte segments
    /// (the received prefix) of the AMD PDU at VR(R), before the PDU is complete.
    fn deliver_prefix(&mut self) {
        let sn = self.vr_r;
        let Some(p) = self.rx[usize::from(sn)].take() else {
            return;
        };
        let start = match self.consumed {
            Some((s, c)) if s == sn => c,
            _ => 0,
        };
        if let Some(&(0, prefix_end)) = p.have.first().filter(|h| h.1 > start) {
            // The last known SDU end within the prefix (BTreeSet::range panics on an
            // inverted range: prefix_end > start is checked above).
            if let Some(&cut) = p.bounds.range(start + 1..=prefix_end).next_back() {
                self.push_pieces(&p, start, cut, true);
                self.consumed = Some((sn, cut));
            }
        }
        self.rx[usize::from(sn)] = Some(p);
    }

    /// Feeds bytes [start, end) of `p` to the reassembler, split at the known SDU ends.
    /// `end_is_sdu_end` tells whether `end` closes an SDU.
    fn push_pieces(&mut self, p: &RxPdu, start: usize, end: usize, end_is_sdu_end: bool) {
        if end <= start {
            return;
        }
        let mut cur = start;
        // start < end, so the range is well formed.
        let cuts: Vec<usize> = p
            .bounds
            .range(start + 1..end)
            .copied()
            .chain(std::iter::once(end))
            .collect();
        for b in cuts {
            if b <= cur || b > p.data.len() {
                continue;
            }
            let starts = if cur == 0 {
                p.starts_sdu.unwrap_or(true)
            } else {
                true
            };
            let ends = b < end || end_is_sdu_end;
            self.reasm.push_piece(
                &p.data[cur..b],
                starts,
                ends,
                &mut self.events,
                &mut self.stats,
            );
            cur = b;
        }
    }

    /// Builds a STATUS PDU for [VR(R), VR(MS)) that fits `grant` (§5.2.3, §6.2.1.6): when
    /// the NACKs do not all fit, ACK_SN becomes the first SN left out.
    fn build_status(&mut self, grant: usize, v: &mut Vec<u8>) {
        let mut nacks: Vec<Nack> = Vec::new();
        let mut ack_sn = self.vr_ms;
        let mut sn = self.vr_r;
        'outer: while sn != self.vr_ms {
            let mut these: Vec<Nack> = Vec::new();
            match &self.rx[usize::from(sn)] {
                None => these.push(Nack { sn, so: None }),
                Some(p) if !p.complete() => {
                    for (s, e) in p.missing() {
                        these.push(Nack {
                            sn,
                            so: Some((s, e)),
                        });
                    }
                }
                Some(_) => {}
            }
            if !these.is_empty() {
                let len = StatusPduRepr::len_for(
                    nacks.iter().chain(these.iter()).map(|n| n.so.is_some()),
                );
                if len > grant {
                    ack_sn = sn;
                    break 'outer;
                }
                nacks.extend(these);
            }
            sn = (sn + 1) % MOD;
        }
        let s = StatusPduRepr { ack_sn, nacks };
        if s.emit(v).is_err() {
            v.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> RlcAmConfig {
        RlcAmConfig {
            t_poll_retransmit: TPollRetransmit::from_ms(100).unwrap(),
            t_reordering: Some(TReordering::from_ms(50).unwrap()),
            ..RlcAmConfig::nb_iot_default()
        }
    }

    fn pull(e: &mut RlcAmEntity, now: Instant, grant: usize) -> Option<BytesMut> {
        let mut o = BytesMut::new();
        (e.pull_pdu(now, grant, &mut o) > 0).then_some(o)
    }

    #[test]
    fn lost_pdu_is_nacked_and_retransmitted() {
        let t0 = Instant::ZERO;
        let mut a = RlcAmEntity::new(cfg(), t0);
        let mut b = RlcAmEntity::new(cfg(), t0);
        for i in 0..3u8 {
            a.handle_sdu(t0, Bytes::from(vec![i; 10])).unwrap();
        }
        let p0 = pull(&mut a, t0, 12).unwrap();
        let _p1 = pull(&mut a, t0, 12).unwrap(); // lost
        let p2 = pull(&mut a, t0, 12).unwrap();
        assert!(AmdPduRepr::parse(&p2, LiLength::Eleven).unwrap().0.poll);
        b.handle_pdu(t0, &p0);
        b.handle_pdu(t0, &p2);
        assert_eq!(
            b.poll_event(),
            Some(RlcEvent::Sdu(Bytes::from(vec![0u8; 10])))
        );
        // The poll waits for t-Reordering: VR(MS) has not passed SN 2 yet.
        assert!(pull(&mut b, t0, 100).is_none());
        let t1 = t0 + Duration::from_millis(50);
        assert_eq!(b.poll_timeout(), Some(t1));
        b.handle_timeout(t1);
        let st = pull(&mut b, t1, 100).unwrap();
        let s = StatusPduRepr::parse(&st).unwrap();
        assert_eq!(s.ack_sn, 3);
        assert_eq!(s.nacks, vec![Nack { sn: 1, so: None }]);
        a.handle_pdu(t1, &st);
        // Retransmission of SN 1 as a 4-byte-header segment of 6 bytes, then the rest.
        let r1 = pull(&mut a, t1, 10).unwrap();
        let (h, _) = AmdPduRepr::parse(&r1, LiLength::Eleven).unwrap();
        assert_eq!(
            (h.sn, h.segment),
            (1, Some(SegmentInfo { lsf: false, so: 0 }))
        );
        let r2 = pull(&mut a, t1, 100).unwrap();
        let (h2, _) = AmdPduRepr::parse(&r2, LiLength::Eleven).unwrap();
        assert_eq!(h2.segment, Some(SegmentInfo { lsf: true, so: 6 }));
        assert!(h2.poll);
        b.handle_pdu(t1, &r1);
        b.handle_pdu(t1, &r2);
        assert_eq!(
            b.poll_event(),
            Some(RlcEvent::Sdu(Bytes::from(vec![1u8; 10])))
        );
        assert_eq!(
            b.poll_event(),
            Some(RlcEvent::Sdu(Bytes::from(vec![2u8; 10])))
        );
        let st2 = pull(&mut b, t1, 100).unwrap();
        a.handle_pdu(t1, &st2);
        assert!(a.is_idle());
        assert_eq!(a.poll_timeout(), None);
    }

    /// §5.1.3.2.3: an SDU that ends inside the received prefix of the AMD PDU at VR(R) is
    /// delivered before the rest of that PDU arrives.
    #[test]
    fn prefix_of_pdu_at_vr_r_is_delivered_early() {
        let t0 = Instant::ZERO;
        let mut a = RlcAmEntity::new(cfg(), t0);
        let mut b = RlcAmEntity::new(cfg(), t0);
        a.handle_sdu(t0, Bytes::from(vec![1u8; 4])).unwrap();
        a.handle_sdu(t0, Bytes::from(vec![2u8; 8])).unwrap();
        // One AMD PDU: 2 + 2 (one LI) + 12 bytes.
        let p = pull(&mut a, t0, 16).unwrap();
        assert_eq!(
            AmdPduRepr::parse(&p, LiLength::Eleven).unwrap().0.lis,
            vec![4]
        );
        // Lost; the receiver NACKs it; the retransmission is split into 10-byte segments.
        let st = StatusPduRepr {
            ack_sn: 1,
            nacks: vec![Nack { sn: 0, so: None }],
        };
        let mut sb = Vec::new();
        st.emit(&mut sb).unwrap();
        a.handle_pdu(t0, &sb);
        let s1 = pull(&mut a, t0, 10).unwrap(); // SO 0..6: SDU 1 (4) + 2 bytes of SDU 2
        let s2 = pull(&mut a, t0, 20).unwrap(); // SO 6..12
        b.handle_pdu(t0, &s1);
        assert_eq!(
            b.poll_event(),
            Some(RlcEvent::Sdu(Bytes::from(vec![1u8; 4])))
        );
        assert_eq!(b.poll_event(), None);
        b.handle_pdu(t0, &s2);
        assert_eq!(
            b.poll_event(),
            Some(RlcEvent::Sdu(Bytes::from(vec![2u8; 8])))
        );
        assert_eq!(b.stats().sdus_delivered, 2);
    }

    #[test]
    fn max_retx_is_reported() {
        let t0 = Instant::ZERO;
        let c = RlcAmConfig {
            max_retx_threshold: MaxRetxThreshold::new(1).unwrap(),
            ..cfg()
        };
        let mut a = RlcAmEntity::new(c, t0);
        a.handle_sdu(t0, Bytes::from_static(b"x")).unwrap();
        let _ = pull(&mut a, t0, 10).unwrap();
        let mut t = t0;
        for _ in 0..2 {
            t = a.poll_timeout().unwrap();
            a.handle_timeout(t);
            assert!(pull(&mut a, t, 10).is_some());
        }
        assert_eq!(a.poll_event(), Some(RlcEvent::MaxRetransmissions { sn: 0 }));
        assert!(t > t0);
    }

    #[test]
    fn poll_pdu_counter_outside_nb_iot() {
        let t0 = Instant::ZERO;
        let c = RlcAmConfig {
            nb_iot: false,
            poll_pdu: Some(4),
            ..cfg()
        };
        let mut a = RlcAmEntity::new(c, t0);
        for _ in 0..10 {
            a.handle_sdu(t0, Bytes::from_static(b"0123456789")).unwrap();
        }
        let polls: Vec<bool> = (0..10)
            .map(|_| {
                let p = pull(&mut a, t0, 12).unwrap();
                AmdPduRepr::parse(&p, LiLength::Eleven).unwrap().0.poll
            })
            .collect();
        // Every 4th PDU (pollPDU), and the last one (buffer empty).
        assert_eq!(
            polls,
            [
                false, false, false, true, false, false, false, true, false, true
            ]
        );
    }

    #[test]
    fn reestablish_delivers_what_it_can() {
        let t0 = Instant::ZERO;
        let mut a = RlcAmEntity::new(cfg(), t0);
        let mut b = RlcAmEntity::new(cfg(), t0);
        for i in 0..4u8 {
            a.handle_sdu(t0, Bytes::from(vec![i; 10])).unwrap();
        }
        let pdus: Vec<_> = (0..4).map(|_| pull(&mut a, t0, 12).unwrap()).collect();
        // SN 0 lost: SNs 1..3 wait in the reception buffer.
        for p in &pdus[1..] {
            b.handle_pdu(t0, p);
        }
        assert_eq!(b.poll_event(), None);
        b.reestablish(t0);
        let got: Vec<_> = std::iter::from_fn(|| b.poll_event()).collect();
        assert_eq!(
            got,
            (1..4u8)
                .map(|i| RlcEvent::Sdu(Bytes::from(vec![i; 10])))
                .collect::<Vec<_>>()
        );
        assert_eq!(b.poll_timeout(), None);
    }

    #[test]
    fn garbage_is_counted() {
        let mut a = RlcAmEntity::new(cfg(), Instant::ZERO);
        a.handle_pdu(Instant::ZERO, &[]);
        a.handle_pdu(Instant::ZERO, &[0x80]);
        a.handle_pdu(Instant::ZERO, &[0x70, 0x00]);
        // A STATUS acknowledging SNs never sent.
        a.handle_pdu(Instant::ZERO, &[0x00, 0x14]);
        assert_eq!(a.stats().malformed, 3);
        assert_eq!(a.stats().status_invalid, 1);
    }
}
