//! The PDCP entity, TS 36.323 §5: SN and COUNT maintenance (§5.1, state variables §7.1),
//! ciphering (§5.6) and integrity protection (§5.7) through [`PdcpSecurity`], SRB receive
//! (§5.1.2.2), DRB receive on RLC AM (§5.1.2.1.2, duplicate and out-of-window discard) and
//! on RLC UM (§5.1.2.1.3).
//!
//! COUNT = HFN ‖ SN (32 bits, §6.3.x/§7.1). COUNT must never repeat under one key
//! (TS 33.401 §7.2.4.5): when TX COUNT would wrap past 2^32 − 1 the entity refuses further
//! SDUs (`SduRejected::CountExhausted`) so that RRC re-keys.
//!
//! Not implemented: header compression (ROHC), discardTimer, PDCP status reports at
//! re-establishment, and the reordering function for split/LWA/DAPS bearers (§5.1.2.1.4),
//! none of which NB-IoT uses (PDCP-Config-NB has discardTimer and ROHC only).

use super::pdu::{MAC_I_LEN, PdcpDataPdu, PdcpSnLength, emit_data_header};
use super::{Direction, PdcpSecurity};
use bytes::Bytes;
use ntn_types::Instant;
use std::collections::VecDeque;
use thiserror::Error;

/// The radio bearer this entity serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdcpBearer {
    /// SRB1 or SRB2: 5-bit SN, MAC-I always present (§6.2.2).
    Srb {
        /// Radio bearer identity (1 or 2).
        rb_id: u8,
    },
    /// NB-IoT SRB1bis: no PDCP entity (TS 36.331 §5.3.1.1): SDUs pass unchanged.
    Srb1bis,
    /// A DRB over RLC AM.
    DrbAm {
        /// Radio bearer identity (drb-Identity 1..32).
        rb_id: u8,
    },
    /// A DRB over RLC UM.
    DrbUm {
        /// Radio bearer identity.
        rb_id: u8,
    },
}

/// PDCP configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdcpConfig {
    /// The bearer.
    pub bearer: PdcpBearer,
    /// SN length: must be 5 for SRBs; 7 or 12 for DRBs (NB-IoT DRB: 7, **UNCONFIRMED**).
    pub sn_length: PdcpSnLength,
    /// Our transmit direction (Uplink on the UE side).
    pub tx_direction: Direction,
}

/// A configuration PDCP cannot run.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdcpConfigError {
    /// SRBs use a 5-bit SN; DRBs 7 or 12 bits.
    #[error("SN length does not suit the bearer")]
    SnLength,
    /// rb_id 0 (BEARER = rb_id − 1 would underflow) or above 32.
    #[error("radio bearer identity out of range")]
    RbId,
}

impl PdcpConfig {
    /// A checked configuration.
    pub fn new(
        bearer: PdcpBearer,
        sn_length: PdcpSnLength,
        tx_direction: Direction,
    ) -> Result<Self, PdcpConfigError> {
        match bearer {
            PdcpBearer::Srb { rb_id }
            | PdcpBearer::DrbAm { rb_id }
            | PdcpBearer::DrbUm { rb_id }
                if rb_id == 0 || rb_id > 32 =>
            {
                return Err(PdcpConfigError::RbId);
            }
            PdcpBearer::Srb { .. } if sn_length != PdcpSnLength::Five => {
                return Err(PdcpConfigError::SnLength);
            }
            PdcpBearer::DrbAm { .. } | PdcpBearer::DrbUm { .. }
                if sn_length == PdcpSnLength::Five =>
            {
                return Err(PdcpConfigError::SnLength);
            }
            _ => {}
        }
        Ok(PdcpConfig {
            bearer,
            sn_length,
            tx_direction,
        })
    }
}

/// Why an SDU was refused.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdcpSduRejected {
    /// TX COUNT reached 2^32 − 1: re-keying is needed before more data.
    #[error("COUNT exhausted")]
    CountExhausted,
    /// An empty SDU.
    #[error("empty SDU")]
    Empty,
}

/// Outputs of the PDCP entity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdcpEvent {
    /// A PDCP SDU for the upper layer (RRC or user plane), with its COUNT.
    Sdu {
        /// COUNT of the PDU (0 for SRB1bis).
        count: u32,
        /// The SDU.
        sdu: Bytes,
    },
    /// Integrity verification failed (§5.7): the PDU was discarded; RRC is told.
    IntegrityFailure {
        /// The COUNT used in the verification.
        count: u32,
    },
}

/// Counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdcpStats {
    /// SDUs accepted for transmission.
    pub sdus_tx: u64,
    /// SDUs delivered.
    pub sdus_rx: u64,
    /// PDUs dropped as malformed.
    pub malformed: u64,
    /// PDUs dropped on integrity failure.
    pub integrity_failures: u64,
    /// PDUs discarded as duplicates or outside the reordering window.
    pub discarded: u64,
}

/// A PDCP entity (both directions), generic over the security implementation.
#[derive(Debug, Clone)]
pub struct PdcpEntity<S: PdcpSecurity> {
    cfg: PdcpConfig,
    security: S,
    integrity_on: bool,
    ciphering_on: bool,
    // §7.1 state variables
    next_tx_sn: u32,
    tx_hfn: u32,
    next_rx_sn: u32,
    rx_hfn: u32,
    last_submitted_rx_sn: u32,
    tx: VecDeque<Bytes>,
    events: VecDeque<PdcpEvent>,
    stats: PdcpStats,
}

impl<S: PdcpSecurity> PdcpEntity<S> {
    /// A new entity, state variables 0 (§7.1: Last_Submitted_PDCP_RX_SN = Maximum_PDCP_SN),
    /// security not activated.
    pub fn new(config: PdcpConfig, security: S, _now: Instant) -> Self {
        PdcpEntity {
            last_submitted_rx_sn: config.sn_length.max_sn(),
            cfg: config,
            security,
            integrity_on: false,
            ciphering_on: false,
            next_tx_sn: 0,
            tx_hfn: 0,
            next_rx_sn: 0,
            rx_hfn: 0,
            tx: VecDeque::new(),
            events: VecDeque::new(),
            stats: PdcpStats::default(),
        }
    }

    /// Starts integrity protection and/or ciphering with `security` (RRC security mode
    /// command, TS 36.331 §5.3.4). Integrity applies to SRBs only (§5.7).
    pub fn activate_security(&mut self, _now: Instant, security: S, integrity: bool, cipher: bool) {
        self.security = security;
        self.integrity_on = integrity;
        self.ciphering_on = cipher;
    }

    /// Sets TX and RX COUNT state, e.g. for RRC connection resume, or to test wrap-around.
    pub fn set_counts(&mut self, tx_count: u32, rx_count: u32) {
        let b = self.cfg.sn_length.bits();
        let m = self.cfg.sn_length.max_sn();
        self.tx_hfn = tx_count >> b;
        self.next_tx_sn = tx_count & m;
        self.rx_hfn = rx_count >> b;
        self.next_rx_sn = rx_count & m;
        self.last_submitted_rx_sn = (self.next_rx_sn + m) & m;
    }

    /// An SDU from the upper layer (§5.1.1): numbered, protected, queued for RLC.
    pub fn handle_sdu(&mut self, _now: Instant, sdu: Bytes) -> Result<(), PdcpSduRejected> {
        if sdu.is_empty() {
            return Err(PdcpSduRejected::Empty);
        }
        if self.cfg.bearer == PdcpBearer::Srb1bis {
            self.stats.sdus_tx += 1;
            self.tx.push_back(sdu);
            return Ok(());
        }
        let bits = self.cfg.sn_length.bits();
        let count = (u64::from(self.tx_hfn) << bits) | u64::from(self.next_tx_sn);
        if count >= u64::from(u32::MAX) {
            return Err(PdcpSduRejected::CountExhausted);
        }
        // count < 2^32 − 1 checked above.
        let count = count as u32;
        let sn = self.next_tx_sn;
        let mut pdu = Vec::with_capacity(sdu.len() + 2 + MAC_I_LEN);
        if emit_data_header(sn, self.cfg.sn_length, &mut pdu).is_err() {
            // sn ≤ max_sn by construction: unreachable.
            return Err(PdcpSduRejected::CountExhausted);
        }
        let hdr = pdu.len();
        pdu.extend_from_slice(&sdu);
        if self.is_srb() {
            let mac = if self.integrity_on {
                self.security
                    .integrity_mac(count, self.bearer_id(), self.cfg.tx_direction, &pdu)
            } else {
                // §6.3.4: MAC-I present but zero when not integrity protected.
                [0; 4]
            };
            pdu.extend_from_slice(&mac);
        }
        if self.ciphering_on {
            self.security.cipher(
                count,
                self.bearer_id(),
                self.cfg.tx_direction,
                &mut pdu[hdr..],
            );
        }
        self.next_tx_sn += 1;
        if self.next_tx_sn > self.cfg.sn_length.max_sn() {
            self.next_tx_sn = 0;
            self.tx_hfn = self.tx_hfn.wrapping_add(1);
        }
        self.stats.sdus_tx += 1;
        self.tx.push_back(Bytes::from(pdu));
        Ok(())
    }

    /// A PDCP PDU from RLC. Malformed PDUs are counted; integrity failures are reported.
    pub fn handle_pdu(&mut self, _now: Instant, pdu: &[u8]) {
        if self.cfg.bearer == PdcpBearer::Srb1bis {
            if pdu.is_empty() {
                self.stats.malformed += 1;
                return;
            }
            self.deliver(0, Bytes::copy_from_slice(pdu));
            return;
        }
        let Ok(view) = PdcpDataPdu::new_checked(pdu, self.cfg.sn_length) else {
            self.stats.malformed += 1;
            return;
        };
        let sn = view.sn();
        let hdr = self.cfg.sn_length.header_len();
        if self.is_srb() && pdu.len() < hdr + MAC_I_LEN {
            self.stats.malformed += 1;
            return;
        }
        match self.cfg.bearer {
            PdcpBearer::Srb { .. } => self.rx_srb(pdu, sn, hdr),
            PdcpBearer::DrbAm { .. } => self.rx_drb_am(pdu, sn, hdr),
            PdcpBearer::DrbUm { .. } => self.rx_drb_um(pdu, sn, hdr),
            PdcpBearer::Srb1bis => {}
        }
    }

    /// The next PDCP PDU for RLC.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.tx.pop_front()
    }

    /// Next output.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<PdcpEvent> {
        self.events.pop_front()
    }

    /// No timers are modelled (discardTimer is not implemented).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    /// Counters.
    pub fn stats(&self) -> &PdcpStats {
        &self.stats
    }

    /// The COUNT the next transmitted PDU will use.
    pub fn tx_count(&self) -> u64 {
        (u64::from(self.tx_hfn) << self.cfg.sn_length.bits()) | u64::from(self.next_tx_sn)
    }

    // ---- helpers ----

    fn is_srb(&self) -> bool {
        matches!(self.cfg.bearer, PdcpBearer::Srb { .. })
    }

    /// BEARER = radio bearer identity − 1 (§5.6, TS 33.401).
    fn bearer_id(&self) -> u8 {
        match self.cfg.bearer {
            PdcpBearer::Srb { rb_id }
            | PdcpBearer::DrbAm { rb_id }
            | PdcpBearer::DrbUm { rb_id } => rb_id.saturating_sub(1),
            PdcpBearer::Srb1bis => 0,
        }
    }

    fn count(&self, hfn: u32, sn: u32) -> u32 {
        (hfn << self.cfg.sn_length.bits()) | sn
    }

    fn advance_next_rx(&mut self, sn: u32) {
        self.next_rx_sn = sn + 1;
        if self.next_rx_sn > self.cfg.sn_length.max_sn() {
            self.next_rx_sn = 0;
            self.rx_hfn = self.rx_hfn.wrapping_add(1);
        }
    }

    /// Deciphers the part after the header; for SRBs checks the MAC-I. Returns the SDU.
    fn unprotect(&mut self, pdu: &[u8], hdr: usize, count: u32) -> Option<Bytes> {
        let rx_dir = self.cfg.tx_direction.reverse();
        let bearer = self.bearer_id();
        let mut buf = pdu.to_vec();
        if self.ciphering_on {
            self.security.cipher(count, bearer, rx_dir, &mut buf[hdr..]);
        }
        if self.is_srb() {
            let split = buf.len() - MAC_I_LEN;
            let (msg, mac) = buf.split_at(split);
            if self.integrity_on {
                let want = self.security.integrity_mac(count, bearer, rx_dir, msg);
                if want != mac {
                    self.stats.integrity_failures += 1;
                    self.events.push_back(PdcpEvent::IntegrityFailure { count });
                    return None;
                }
            }
            buf.truncate(split);
        }
        buf.drain(..hdr);
        Some(Bytes::from(buf))
    }

    /// §5.1.2.2: SRB reception.
    fn rx_srb(&mut self, pdu: &[u8], sn: u32, hdr: usize) {
        let hfn = if sn < self.next_rx_sn {
            self.rx_hfn.wrapping_add(1)
        } else {
            self.rx_hfn
        };
        let count = self.count(hfn, sn);
        let Some(sdu) = self.unprotect(pdu, hdr, count) else {
            return;
        };
        if sn < self.next_rx_sn {
            self.rx_hfn = self.rx_hfn.wrapping_add(1);
        }
        self.advance_next_rx(sn);
        self.deliver(count, sdu);
    }

    /// §5.1.2.1.2 for a bearer that is not split (RLC AM delivers in order, so no
    /// reordering buffer is needed; duplicates after RLC re-establishment are discarded).
    fn rx_drb_am(&mut self, pdu: &[u8], sn: u32, hdr: usize) {
        let m = self.cfg.sn_length.max_sn() + 1;
        let w = m / 2; // Reordering_Window (§7.2): half the SN space.
        let diff = |a: u32, b: u32| (a + m - b) % m;
        let ls = self.last_submitted_rx_sn;
        // (SN − Last_Submitted > W) or (0 ≤ Last_Submitted − SN < W), modulo 2^SN.
        let d = diff(sn, ls);
        if d == 0 || d > w {
            self.stats.discarded += 1;
            return;
        }
        let count = if self.next_rx_sn > sn && self.next_rx_sn - sn > w {
            self.rx_hfn = self.rx_hfn.wrapping_add(1);
            let c = self.count(self.rx_hfn, sn);
            // Here SN < Next_PDCP_RX_SN − W, so SN + 1 ≤ Maximum_PDCP_SN.
            self.next_rx_sn = sn + 1;
            c
        } else if sn >= self.next_rx_sn && sn - self.next_rx_sn >= w {
            self.count(self.rx_hfn.wrapping_sub(1), sn)
        } else if sn >= self.next_rx_sn {
            let c = self.count(self.rx_hfn, sn);
            self.advance_next_rx(sn);
            c
        } else {
            self.count(self.rx_hfn, sn)
        };
        if let Some(sdu) = self.unprotect(pdu, hdr, count) {
            self.last_submitted_rx_sn = sn;
            self.deliver(count, sdu);
        }
    }

    /// §5.1.2.1.3: DRB over RLC UM.
    fn rx_drb_um(&mut self, pdu: &[u8], sn: u32, hdr: usize) {
        if sn < self.next_rx_sn {
            self.rx_hfn = self.rx_hfn.wrapping_add(1);
        }
        let count = self.count(self.rx_hfn, sn);
        self.advance_next_rx(sn);
        if let Some(sdu) = self.unprotect(pdu, hdr, count) {
            self.deliver(count, sdu);
        }
    }

    fn deliver(&mut self, count: u32, sdu: Bytes) {
        self.stats.sdus_rx += 1;
        self.events.push_back(PdcpEvent::Sdu { count, sdu });
    }
}

#[cfg(test)]
mod tests {
    use super::super::NullSecurity;
    use super::*;

    #[test]
    fn config_checks() {
        assert!(
            PdcpConfig::new(
                PdcpBearer::Srb { rb_id: 1 },
                PdcpSnLength::Twelve,
                Direction::Uplink
            )
            .is_err()
        );
        assert!(
            PdcpConfig::new(
                PdcpBearer::DrbAm { rb_id: 0 },
                PdcpSnLength::Twelve,
                Direction::Uplink
            )
            .is_err()
        );
        assert!(
            PdcpConfig::new(
                PdcpBearer::DrbUm { rb_id: 1 },
                PdcpSnLength::Seven,
                Direction::Uplink
            )
            .is_ok()
        );
    }

    #[test]
    fn srb1bis_is_transparent() {
        let cfg =
            PdcpConfig::new(PdcpBearer::Srb1bis, PdcpSnLength::Five, Direction::Uplink).unwrap();
        let mut e = PdcpEntity::new(cfg, NullSecurity, Instant::ZERO);
        e.handle_sdu(Instant::ZERO, Bytes::from_static(b"nas"))
            .unwrap();
        assert_eq!(e.poll_transmit(), Some(Bytes::from_static(b"nas")));
        e.handle_pdu(Instant::ZERO, b"rrc");
        assert_eq!(
            e.poll_event(),
            Some(PdcpEvent::Sdu {
                count: 0,
                sdu: Bytes::from_static(b"rrc")
            })
        );
    }

    #[test]
    fn srb_pdu_layout_without_security() {
        let cfg = PdcpConfig::new(
            PdcpBearer::Srb { rb_id: 1 },
            PdcpSnLength::Five,
            Direction::Uplink,
        )
        .unwrap();
        let mut e = PdcpEntity::new(cfg, NullSecurity, Instant::ZERO);
        e.handle_sdu(Instant::ZERO, Bytes::from_static(&[0xaa, 0xbb]))
            .unwrap();
        e.handle_sdu(Instant::ZERO, Bytes::from_static(&[0xcc]))
            .unwrap();
        // SN 0: header 0x00, data, MAC-I 00000000 (§6.3.4, not integrity protected).
        assert_eq!(
            e.poll_transmit().unwrap().as_ref(),
            &[0x00, 0xaa, 0xbb, 0, 0, 0, 0]
        );
        // SN 1.
        assert_eq!(
            e.poll_transmit().unwrap().as_ref(),
            &[0x01, 0xcc, 0, 0, 0, 0]
        );
    }
}
