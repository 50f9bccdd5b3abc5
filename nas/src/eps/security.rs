//! EPS NAS security context (TS 24.301 §4.4, TS 33.401 §7.2, §8).
//!
//! Protection is integrity over SN || NAS message with the NAS COUNT as COUNT, BEARER = 0
//! and DIRECTION by link direction; ciphering (header types 2 and 4) covers the NAS message
//! and is applied before the MAC is computed. The NAS COUNT is 24 bits, overflow (16) || SN
//! (8), carried as 0x00 || NAS COUNT in the 32-bit COUNT input (TS 24.301 §4.4.3.1).

use super::{NasMessage, ProtectedPdu, SecurityHeaderType, ServiceRequest};
use crate::ie::{NasKsi, NasWriter};
use crate::{DecodeError, EncodeError};
use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, IntegrityAlgorithm, IntegrityAlgorithmId,
    Key128, Key256, kdf::eps,
};

/// Which end of the NAS link the context belongs to.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Role {
    /// The UE: sends uplink, receives downlink.
    Ue,
    /// The MME: sends downlink, receives uplink.
    Network,
}

/// Why a protected message was not accepted. The caller drops the message and the context
/// counts it in [`SecurityStats`].
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SecurityFailure {
    /// The PDU could not be decoded.
    #[error("malformed: {0}")]
    Malformed(#[from] DecodeError),
    /// Not a security-protected PDU (header type 0 or 12).
    #[error("not security protected")]
    NotProtected,
    /// The MAC does not verify.
    #[error("MAC failure at NAS COUNT {count:#08x}")]
    MacFailure {
        /// The estimated NAS COUNT.
        count: u32,
    },
    /// The NAS COUNT was already used (TS 24.301 §4.4.3.2 replay protection).
    #[error("replayed NAS COUNT {count:#08x}")]
    Replay {
        /// The estimated NAS COUNT.
        count: u32,
    },
    /// The NAS COUNT would wrap around 2^24; a new key is needed (TS 33.401 §7.2.4.1,
    /// TS 24.301 §4.4.3.1): the overflow counter never wraps.
    #[error("NAS COUNT exhausted (2^24 messages under one key): a new key is needed")]
    CountExhausted,
    /// The message to protect did not encode.
    #[error("not encoded: {0}")]
    Encode(#[from] EncodeError),
}

/// Counters of the context.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct SecurityStats {
    /// Messages protected and sent.
    pub protected: u64,
    /// Messages accepted.
    pub accepted: u64,
    /// Messages dropped for a MAC failure.
    pub mac_failures: u64,
    /// Messages dropped as replays.
    pub replays: u64,
    /// Messages dropped as malformed.
    pub malformed: u64,
}

/// Which NAS the context protects: the envelope and key derivation differ, the algorithms and
/// NAS COUNT handling do not.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum NasSystem {
    /// EPS NAS (TS 24.301): header octet SHT | PD 7; keys from KASME (TS 33.401 §A.7).
    Eps,
    /// 5GS NAS over 3GPP access (TS 24.501 §9.1.1): EPD 0x7E then SHT; keys from KAMF
    /// (TS 33.501 §A.8); BEARER = NAS connection identifier 0 (TS 33.501 §6.4.3.1).
    FiveGs,
}

/// A NAS security context (EPS or 5GS).
#[derive(Clone)]
pub struct NasSecurityContext {
    system: NasSystem,
    role: Role,
    /// eKSI of KASME.
    pub ksi: NasKsi,
    k_nas_enc: Key128,
    k_nas_int: Key128,
    ciphering: CipheringAlgorithmId,
    integrity: IntegrityAlgorithmId,
    tx_count: u32,
    rx_last: Option<u32>,
    stats: SecurityStats,
}

impl core::fmt::Debug for NasSecurityContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NasSecurityContext")
            .field("role", &self.role)
            .field("ksi", &self.ksi)
            .field("ciphering", &self.ciphering)
            .field("integrity", &self.integrity)
            .field("tx_count", &self.tx_count)
            .field("rx_last", &self.rx_last)
            .finish_non_exhaustive()
    }
}

/// NAS COUNT is 24 bits.
const COUNT_LIMIT: u32 = 1 << 24;

impl NasSecurityContext {
    /// A context from KASME and the algorithms selected by SECURITY MODE COMMAND; KNASenc and
    /// KNASint are derived per TS 33.401 §A.7. Both NAS COUNTs start at 0.
    pub fn new(
        role: Role,
        ksi: NasKsi,
        kasme: &Key256,
        ciphering: CipheringAlgorithmId,
        integrity: IntegrityAlgorithmId,
    ) -> Self {
        Self {
            system: NasSystem::Eps,
            role,
            ksi,
            k_nas_enc: eps::knas_enc(kasme, ciphering),
            k_nas_int: eps::knas_int(kasme, integrity),
            ciphering,
            integrity,
            tx_count: 0,
            rx_last: None,
            stats: SecurityStats::default(),
        }
    }

    /// A 5GS context from KAMF and the selected 128-NEA / 128-NIA (same code points as EEA/EIA);
    /// KNASenc and KNASint per TS 33.501 §A.8.
    pub fn new_5gs(
        role: Role,
        ng_ksi: NasKsi,
        kamf: &Key256,
        ciphering: CipheringAlgorithmId,
        integrity: IntegrityAlgorithmId,
    ) -> Self {
        use ntn_security::kdf::{AlgorithmDistinguisher as D, fivegs};
        Self {
            system: NasSystem::FiveGs,
            role,
            ksi: ng_ksi,
            k_nas_enc: fivegs::algorithm_key(kamf, D::NasEnc, ciphering.code()),
            k_nas_int: fivegs::algorithm_key(kamf, D::NasInt, integrity.code()),
            ciphering,
            integrity,
            tx_count: 0,
            rx_last: None,
            stats: SecurityStats::default(),
        }
    }

    /// EPS or 5GS.
    pub fn system(&self) -> NasSystem {
        self.system
    }

    /// The counters.
    pub fn stats(&self) -> &SecurityStats {
        &self.stats
    }

    /// NAS COUNT the next sent message will use.
    pub fn tx_count(&self) -> u32 {
        self.tx_count
    }

    /// Test hook: the next transmit NAS COUNT (to reach the 2^24 limit without 2^24 messages).
    #[cfg(test)]
    pub(crate) fn set_tx_count(&mut self, count: u32) {
        self.tx_count = count;
    }

    /// NAS COUNT of the last accepted received message.
    pub fn rx_last(&self) -> Option<u32> {
        self.rx_last
    }

    /// The uplink NAS COUNT as seen from this end (for KeNB, TS 33.401 §A.3): the UE's next
    /// transmit count or the network's last received one.
    pub fn uplink_count(&self) -> u32 {
        match self.role {
            Role::Ue => self.tx_count,
            Role::Network => self.rx_last.unwrap_or(0),
        }
    }

    /// Selected algorithms.
    pub fn algorithms(&self) -> (CipheringAlgorithmId, IntegrityAlgorithmId) {
        (self.ciphering, self.integrity)
    }

    fn tx_direction(&self) -> Direction {
        match self.role {
            Role::Ue => Direction::Uplink,
            Role::Network => Direction::Downlink,
        }
    }

    fn rx_direction(&self) -> Direction {
        match self.role {
            Role::Ue => Direction::Downlink,
            Role::Network => Direction::Uplink,
        }
    }

    fn mac(&self, count: u32, direction: Direction, sn_and_msg: &[u8]) -> [u8; 4] {
        // The only failure modes are a bearer above 31 (we pass 0) and a bit length beyond the
        // buffer (we pass exactly its length); messages are far below 2^32 bits.
        self.integrity
            .mac(
                &self.k_nas_int,
                count,
                0,
                direction,
                sn_and_msg,
                sn_and_msg.len() * 8,
            )
            .unwrap_or([0; 4])
    }

    fn cipher(&self, count: u32, direction: Direction, msg: &mut [u8]) {
        let bits = msg.len() * 8;
        // Same reasoning as in `mac`: the inputs are always valid.
        let _ = self
            .ciphering
            .apply(&self.k_nas_enc, count, 0, direction, msg, bits);
    }

    /// Partial ciphering of a CONTROL PLANE SERVICE REQUEST (security header type 5, TS 24.301
    /// §4.4.5, §9.3.1): the value parts of the ESM message container (IEI 0x78) and NAS message
    /// container (IEI 0x67) are ciphered, the rest stays readable. The same call deciphers.
    /// Octets that do not frame as IEs are left alone (the MAC still covers them).
    fn cipher_cpsr_containers(&self, count: u32, direction: Direction, msg: &mut [u8]) {
        let mut i = 3; // PD, message type, service type | NAS KSI
        while i < msg.len() {
            let iei = msg[i];
            let (hdr, len) = if iei & 0x80 != 0 {
                (1, 0)
            } else if iei == 0x78 {
                match msg.get(i + 1..i + 3) {
                    Some(l) => (3, usize::from(u16::from_be_bytes([l[0], l[1]]))),
                    None => return,
                }
            } else {
                match msg.get(i + 1) {
                    Some(l) => (2, usize::from(*l)),
                    None => return,
                }
            };
            let start = i + hdr;
            let Some(value) = msg.get_mut(start..start + len) else {
                return;
            };
            if iei == 0x78 || iei == 0x67 {
                self.cipher(count, direction, value);
            }
            i = start + len;
        }
    }

    /// Protects a plain NAS message (its encoded octets) with header type `header_type`
    /// (1..=5; 5 partially ciphers a CONTROL PLANE SERVICE REQUEST) and the next transmit NAS
    /// COUNT.
    pub fn protect(
        &mut self,
        plain: &[u8],
        header_type: SecurityHeaderType,
    ) -> Result<Vec<u8>, SecurityFailure> {
        if self.tx_count >= COUNT_LIMIT {
            return Err(SecurityFailure::CountExhausted);
        }
        let count = self.tx_count;
        let dir = self.tx_direction();
        let mut body = Vec::with_capacity(plain.len() + 1);
        body.push((count & 0xff) as u8);
        body.extend_from_slice(plain);
        if header_type.is_ciphered() {
            self.cipher(count, dir, &mut body[1..]);
        } else if header_type == SecurityHeaderType::IntegrityProtectedPartiallyCiphered {
            self.cipher_cpsr_containers(count, dir, &mut body[1..]);
        }
        let mac = self.mac(count, dir, &body);
        let mut out = NasWriter::new();
        match self.system {
            NasSystem::Eps => ProtectedPdu {
                header_type,
                mac,
                sn: body[0],
                payload: body.split_off(1),
            }
            .emit(&mut out),
            NasSystem::FiveGs => {
                out.extend_from_slice(&[crate::fivegs::EPD_5GMM, header_type.nibble()]);
                out.extend_from_slice(&mac);
                out.extend_from_slice(&body);
            }
        }
        let out = out.finish()?;
        self.tx_count += 1;
        self.stats.protected += 1;
        Ok(out)
    }

    /// Builds a SERVICE REQUEST (security header type 12, TS 24.301 §8.2.25) on this context:
    /// the 5 LSBs of the next uplink NAS COUNT, and the short MAC = the 2 least significant
    /// octets of the NAS-MAC computed over octets 1 and 2 of the message (§9.9.3.28). Consumes
    /// one NAS COUNT.
    pub fn protect_service_request(&mut self) -> Result<Vec<u8>, SecurityFailure> {
        if self.tx_count >= COUNT_LIMIT {
            return Err(SecurityFailure::CountExhausted);
        }
        let count = self.tx_count;
        let sr = ServiceRequest {
            ksi: self.ksi.ksi & 0x07,
            sequence_number: (count & 0x1f) as u8,
            short_mac: [0, 0],
        };
        let mut pdu = NasMessage::ServiceRequest(sr).to_vec()?;
        let mac = self.mac(count, self.tx_direction(), &pdu[..2]);
        pdu[2..4].copy_from_slice(&mac[2..4]);
        self.tx_count += 1;
        self.stats.protected += 1;
        Ok(pdu)
    }

    /// Checks a received SERVICE REQUEST: estimates the uplink NAS COUNT from its 5-bit
    /// sequence number (a value not above the last accepted one wraps to the next 32-block),
    /// verifies the short MAC and records the COUNT. Failures are counted.
    pub fn verify_service_request(&mut self, sr: &ServiceRequest) -> Result<u32, SecurityFailure> {
        let sn = u32::from(sr.sequence_number & 0x1f);
        let count = match self.rx_last {
            None => sn,
            Some(last) => {
                let c = (last & !0x1f) | sn;
                if c > last { c } else { c + 0x20 }
            }
        };
        if count >= COUNT_LIMIT {
            self.stats.malformed += 1;
            return Err(SecurityFailure::CountExhausted);
        }
        let hdr = NasMessage::ServiceRequest(ServiceRequest {
            short_mac: [0, 0],
            ..*sr
        })
        .to_vec()?;
        let mac = self.mac(count, self.rx_direction(), &hdr[..2]);
        if mac[2..4] != sr.short_mac {
            self.stats.mac_failures += 1;
            return Err(SecurityFailure::MacFailure { count });
        }
        self.rx_last = Some(count);
        self.stats.accepted += 1;
        Ok(count)
    }

    /// [`NasSecurityContext::unprotect`] followed by `parse` of the plain message in this
    /// context's receive direction (EPS or 5GS message type); `None` when either fails
    /// (check failures are counted).
    pub fn unprotect_parse<T>(
        &mut self,
        pdu: &[u8],
        parse: impl FnOnce(&[u8], Direction) -> Option<T>,
    ) -> Option<T> {
        let rx = match self.tx_direction() {
            Direction::Uplink => Direction::Downlink,
            Direction::Downlink => Direction::Uplink,
        };
        let (plain, _) = self.unprotect(pdu).ok()?;
        parse(&plain, rx)
    }

    /// Checks and opens a received security-protected PDU: estimates the NAS COUNT, verifies
    /// the MAC, rejects replays (a COUNT not above the last accepted one) and deciphers.
    /// Returns the plain NAS message octets and the NAS COUNT. Failures are counted.
    ///
    /// NAS COUNT estimation (TS 24.301 §4.4.3.1): an SN above the last accepted SN keeps the
    /// overflow counter; an SN at or below it means either the overflow counter advanced or the
    /// message is old. Both candidates are tried: if the MAC verifies with the current overflow
    /// the message is a replay, if it verifies with overflow + 1 it is new.
    pub fn unprotect(&mut self, pdu: &[u8]) -> Result<(Vec<u8>, u32), SecurityFailure> {
        let r = self.unprotect_inner(pdu);
        match &r {
            Ok(_) => self.stats.accepted += 1,
            Err(SecurityFailure::MacFailure { .. }) => self.stats.mac_failures += 1,
            Err(SecurityFailure::Replay { .. }) => self.stats.replays += 1,
            Err(_) => self.stats.malformed += 1,
        }
        r
    }

    fn unprotect_inner(&mut self, pdu: &[u8]) -> Result<(Vec<u8>, u32), SecurityFailure> {
        let p = match self.system {
            NasSystem::Eps => match NasMessage::parse(pdu, self.rx_direction())? {
                NasMessage::Protected(p) => p,
                _ => return Err(SecurityFailure::NotProtected),
            },
            NasSystem::FiveGs => {
                use crate::fivegs::NasMessage5g;
                match NasMessage5g::parse(pdu, self.rx_direction())? {
                    NasMessage5g::Protected(p) => ProtectedPdu {
                        header_type: SecurityHeaderType::from_nibble(p.header_type)
                            .ok_or(SecurityFailure::NotProtected)?,
                        mac: p.mac,
                        sn: p.sn,
                        payload: p.payload,
                    },
                    _ => return Err(SecurityFailure::NotProtected),
                }
            }
        };
        let dir = self.rx_direction();
        let mut body = Vec::with_capacity(p.payload.len() + 1);
        body.push(p.sn);
        body.extend_from_slice(&p.payload);
        let sn = u32::from(p.sn);
        let count = match self.rx_last {
            None => sn,
            Some(last) if sn > last & 0xff => (last & !0xff) | sn,
            Some(last) => {
                let old = (last & !0xff) | sn;
                if self.mac(old, dir, &body) == p.mac {
                    return Err(SecurityFailure::Replay { count: old });
                }
                old + 0x100
            }
        };
        if count >= COUNT_LIMIT {
            return Err(SecurityFailure::CountExhausted);
        }
        if self.mac(count, dir, &body) != p.mac {
            return Err(SecurityFailure::MacFailure { count });
        }
        let mut msg = body.split_off(1);
        if p.header_type.is_ciphered() {
            self.cipher(count, dir, &mut msg);
        } else if p.header_type == SecurityHeaderType::IntegrityProtectedPartiallyCiphered {
            self.cipher_cpsr_containers(count, dir, &mut msg);
        }
        self.rx_last = Some(count);
        Ok((msg, count))
    }
}

/// Whether the UE accepts this plain (unprotected) downlink EMM message once a NAS security
/// context is in use (TS 24.301 §4.4.4.2): identity request (IMSI), authentication request
/// and reject, attach reject, detach accept, TAU reject and service reject (the last three
/// only for some causes; we accept them), everything else is dropped.
pub fn ue_accepts_plain(msg: &NasMessage) -> bool {
    use super::emm::EmmMessage as E;
    match msg {
        NasMessage::Emm(m) => match m {
            E::IdentityRequest(r) => r.identity_type == 1,
            E::AuthenticationRequest(_)
            | E::AuthenticationReject
            | E::AttachReject(_)
            | E::DetachAccept
            | E::TrackingAreaUpdateReject { .. }
            | E::ServiceReject { .. } => true,
            _ => false,
        },
        _ => false,
    }
}

/// Fuzz entry point for the protected-message path (`unprotect_parse`); must never panic.
/// Driven by the `nas_*_protected` cargo-fuzz targets and the stable corpus replay test.
///
/// `data[0]` picks the context: bits 0–1 the ciphering algorithm (EEA0–3), bits 2–3 the
/// integrity algorithm (EIA0–3, so EIA0 lets the fuzzer past the MAC check), bit 4 the role.
/// The rest is the received PDU, offered twice so the second pass exercises the COUNT
/// estimate and replay check against the first one.
pub fn fuzz_unprotect_parse(system: NasSystem, data: &[u8]) {
    let Some((&sel, pdu)) = data.split_first() else {
        return;
    };
    let (Some(c), Some(i)) = (
        CipheringAlgorithmId::from_code(sel & 3),
        IntegrityAlgorithmId::from_code((sel >> 2) & 3),
    ) else {
        return;
    };
    let role = if sel & 0x10 == 0 {
        Role::Ue
    } else {
        Role::Network
    };
    let ksi = NasKsi {
        mapped: false,
        ksi: 1,
    };
    let key: Key256 = [0x5a; 32];
    let mut ctx = match system {
        NasSystem::Eps => NasSecurityContext::new(role, ksi, &key, c, i),
        NasSystem::FiveGs => NasSecurityContext::new_5gs(role, ksi, &key, c, i),
    };
    for _ in 0..2 {
        match system {
            NasSystem::Eps => {
                let _ = ctx.unprotect_parse(pdu, |b, d| NasMessage::parse(b, d).ok());
            }
            NasSystem::FiveGs => {
                let _ =
                    ctx.unprotect_parse(pdu, |b, d| crate::fivegs::NasMessage5g::parse(b, d).ok());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The 24-bit NAS COUNT never wraps: its last value protects, the next is refused and
    /// the context stays refused (TS 33.401 §7.2.4.1, TS 24.301 §4.4.3.1).
    #[test]
    fn nas_count_refuses_to_wrap() {
        let ksi = NasKsi {
            mapped: false,
            ksi: 1,
        };
        let mut ctx = NasSecurityContext::new(
            Role::Ue,
            ksi,
            &[7; 32],
            CipheringAlgorithmId::Eea2,
            IntegrityAlgorithmId::Eia2,
        );
        ctx.set_tx_count(COUNT_LIMIT - 1);
        let h = SecurityHeaderType::IntegrityProtectedCiphered;
        let last = ctx.protect(&[0x07, 0x61], h).unwrap();
        assert_eq!(last[5], 0xff, "SN of COUNT 2^24 - 1");
        for _ in 0..2 {
            assert_eq!(
                ctx.protect(&[0x07, 0x61], h),
                Err(SecurityFailure::CountExhausted)
            );
            assert_eq!(
                ctx.protect_service_request(),
                Err(SecurityFailure::CountExhausted)
            );
        }
        assert_eq!(ctx.tx_count(), COUNT_LIMIT);
        assert_eq!(ctx.stats().protected, 1);
    }
}
